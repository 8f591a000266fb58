"""ICE servers from the hub, chosen for aiortc.

The hub's `GET /v1/ice-servers` answers (docs/signaling.md):

    {"ice_servers": [{"urls": ["stun:host:3478"]},
                     {"urls": ["turn:host:3478?transport=udp", "turn:host:443?transport=tcp",
                               "turns:host:443?transport=tcp"],
                      "username": "<expiry>:<principal>", "credential": "..."}],
     "ttl_s": 86400}

aiortc (aioice) uses only the first STUN and the first TURN address it is
given, and `turns:` without a port means 5349, not 443. So each attempt of a
consultation gets exactly one STUN and one TURN address, with an explicit
port, picked by `TurnPreference`: "auto" tries UDP first, then TLS (443 gets
out of most carrier-grade NATs), then TCP, one transport per attempt, and
starts with whatever answered when `reach.py` asked while the consoles rang, then
with whatever relayed the last call that needed a relay. A site whose
network is known sets `turn_transport` to "udp", "tcp" or "tls".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiortc import RTCIceServer

from kiosk.domain.signaling import IceServer, IceServers

__all__ = [
    "TURN_TRANSPORTS", "IceServer", "IceServers", "IceUri", "TurnChoice", "TurnPreference",
    "TurnTransport", "first_stun", "parse_ice_servers", "parse_uri", "plan_ice_servers",
    "turn_choices",
]

TurnTransport = Literal["udp", "tcp", "tls"]
TURN_TRANSPORTS: tuple[TurnTransport, ...] = ("udp", "tls", "tcp")

_URI = re.compile(
    r"(?P<scheme>stuns?|turns?):(?P<host>\[[0-9a-fA-F:.]+\]|[^:?\[\]]+)(?::(?P<port>\d+))?"
    r"(?:\?transport=(?P<transport>udp|tcp))?"
)


@dataclass(frozen=True)
class IceUri:
    scheme: str
    host: str
    port: int
    transport: str | None  # None for STUN

    @property
    def turn_transport(self) -> TurnTransport | None:
        if self.scheme == "turn" and self.transport in ("udp", "tcp"):
            return "udp" if self.transport == "udp" else "tcp"
        if self.scheme == "turns" and self.transport == "tcp":
            return "tls"
        return None

    def __str__(self) -> str:
        text = f"{self.scheme}:{self.host}:{self.port}"
        return text if self.transport is None else f"{text}?transport={self.transport}"


def parse_uri(uri: str) -> IceUri:
    match = _URI.fullmatch(uri.strip())
    if match is None:
        raise ValueError(f"not a STUN/TURN address: {uri!r}")
    scheme = match["scheme"]
    secure = scheme.endswith("s")
    port = int(match["port"]) if match["port"] else (5349 if secure else 3478)
    if not 0 < port < 65536:
        raise ValueError(f"bad port in {uri!r}")
    transport = match["transport"]
    if scheme.startswith("stun"):
        if transport is not None:
            raise ValueError(f"a STUN address has no transport: {uri!r}")
    elif transport is None:
        transport = "tcp" if secure else "udp"
    return IceUri(scheme, match["host"], port, transport)


def parse_ice_servers(payload: Mapping[str, Any]) -> tuple[list[IceServer], int]:
    """The hub's answer as (servers, ttl_s); `ValueError` (pydantic's) on anything else."""
    parsed = IceServers.model_validate(payload)
    return parsed.ice_servers, parsed.ttl_s


@dataclass(frozen=True)
class TurnChoice:
    uri: IceUri
    username: str | None
    credential: str | None

    @property
    def transport(self) -> TurnTransport:
        transport = self.uri.turn_transport
        assert transport is not None
        return transport


def _parsed(servers: Sequence[IceServer]) -> Iterator[tuple[IceServer, IceUri]]:
    """Each address of each server that parses, in the hub's order; bad ones are skipped."""
    for server in servers:
        for url in server.urls:
            try:
                uri = parse_uri(url)
            except ValueError:
                continue
            yield server, uri


def turn_choices(servers: Sequence[IceServer]) -> list[TurnChoice]:
    """Every TURN address aiortc can use, in the hub's order; bad addresses are skipped."""
    return [
        TurnChoice(uri, server.username, server.credential)
        for server, uri in _parsed(servers)
        if uri.turn_transport is not None and server.username and server.credential
    ]


def first_stun(servers: Sequence[IceServer]) -> IceUri | None:
    return next((uri for _, uri in _parsed(servers) if uri.scheme == "stun"), None)


class TurnPreference:
    """Which TURN transport each attempt uses; remembers what relayed last time.

    Keep one for the life of the app and pass it to every `Consultation`.
    """

    def __init__(self, setting: Literal["auto"] | TurnTransport = "auto") -> None:
        self.setting = setting
        self.last_worked: TurnTransport | None = None
        # what answered when last asked (`reach.py`); None when nobody asked
        self.reachable: frozenset[TurnTransport] | None = None

    def order(self) -> list[TurnTransport]:
        if self.setting != "auto":
            return [self.setting] + [t for t in TURN_TRANSPORTS if t != self.setting]
        order = list(TURN_TRANSPORTS)
        if self.last_worked is not None:
            order.remove(self.last_worked)
            order.insert(0, self.last_worked)
        if self.reachable:
            # what answered just now first, in the order above; the rest after it
            order.sort(key=lambda t: t not in self.reachable)  # type: ignore[operator]
        return order

    def pick(self, choices: Sequence[TurnChoice], attempt: int) -> TurnChoice | None:
        """The TURN address for attempt 1, 2, ... (a fixed setting sticks to its transport)."""
        if not choices:
            return None
        offered = [t for t in self.order() if any(c.transport == t for c in choices)]
        if not offered:
            return None
        transport = offered[0] if self.setting != "auto" else offered[(attempt - 1) % len(offered)]
        return next(c for c in choices if c.transport == transport)

    def worked(self, transport: TurnTransport) -> None:
        self.last_worked = transport


def plan_ice_servers(servers: Sequence[IceServer], *, attempt: int = 1,
                     preference: TurnPreference | None = None,
                     relay_only: bool = False) -> tuple[list[RTCIceServer], TurnChoice | None]:
    """What to give aiortc for this attempt: at most one STUN and one TURN, explicit ports.

    An empty list (never None: aiortc would then ask Google's STUN server) when
    the hub gave nothing usable.
    """
    preference = preference or TurnPreference()
    plan: list[RTCIceServer] = []
    # STUN is UDP: where UDP does not get out (`reach.py` said so), asking would only hold
    # the offer for aioice's 5 s timeout.
    no_udp = preference.reachable is not None and "udp" not in preference.reachable
    stun = None if relay_only or no_udp else first_stun(servers)
    if stun is not None:
        plan.append(RTCIceServer(urls=str(stun)))
    turn = preference.pick(turn_choices(servers), attempt)
    if turn is not None:
        plan.append(RTCIceServer(urls=str(turn.uri), username=turn.username,
                                 credential=turn.credential))
    return plan, turn
