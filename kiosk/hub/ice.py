"""ICE servers for a peer connection: STUN, and TURN with coturn's REST API credentials.

coturn (`use-auth-secret`, `static-auth-secret=<turn_secret>`) accepts any
username of the form `<expiry unix time>:<anything>` whose password is
base64(HMAC-SHA1(secret, username)), until the expiry. The hub never talks to
coturn; the shared secret is the whole arrangement (packaging/coturn/).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from kiosk.domain.signaling import IceServer, IceServers
from kiosk.hub.settings import HubSettings


def turn_password(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def ice_servers(settings: HubSettings, principal: str, now: datetime) -> IceServers:
    """What `principal` (e.g. `terminal-3`, `expert-7`) may use until the credential expires."""
    host = settings.turn_host
    if not host:
        return IceServers(ice_servers=[], ttl_s=0)
    servers = [IceServer(urls=[f"stun:{host}:{settings.turn_port}"])]
    ttl = int(settings.ice_credential_lifetime.total_seconds())
    if not settings.turn_secret:
        return IceServers(ice_servers=servers, ttl_s=ttl)
    username = f"{int(now.timestamp()) + ttl}:{principal}"
    servers.append(
        IceServer(
            urls=[
                f"turn:{host}:{settings.turn_port}?transport=udp",
                f"turn:{host}:{settings.turn_tls_port}?transport=tcp",
                f"turns:{host}:{settings.turn_tls_port}?transport=tcp",
            ],
            username=username,
            credential=turn_password(settings.turn_secret, username),
        )
    )
    return IceServers(ice_servers=servers, ttl_s=ttl)
