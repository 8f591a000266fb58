"""Configuration of one hub process."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.domain import HOTLINE

DEFAULT_BUREAU = "沈阳市公共法律服务中心"
# The bureau's calendar: a report's month, like a duty shift, is a month of local days.
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Throttle:
    """How many failures are free before a key is blocked, and how the block grows.

    Per client address is more lenient than per username because a village
    hall or a law firm puts many honest people behind one NAT address.
    """

    free_failures: int
    base_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)
    # Failures older than this are forgotten, so an occasional typo never adds up.
    window: timedelta = timedelta(minutes=15)

    def delay_after(self, failures: int) -> timedelta | None:
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, 20)
        return min(self.base_delay * (1 << doublings), self.max_delay)


@dataclass(frozen=True)
class HubSettings:
    db_url: str = "sqlite:///hub.sqlite3"
    bureau_name: str = DEFAULT_BUREAU
    hotline: str = HOTLINE
    time_zone: str = DEFAULT_TIME_ZONE
    session_lifetime: timedelta = timedelta(hours=12)
    enrolment_code_lifetime: timedelta = timedelta(hours=24)
    # Browsers drop Secure cookies over plain http, which is what loopback
    # development uses; anything reachable from outside sits behind TLS.
    secure_cookies: bool = True
    # Seed demo data at start-up when (and only when) the database is empty.
    seed_demo: bool = False
    # Cheap argon2 parameters so test suites run fast. Never in production.
    password_hash_fast: bool = False
    throttle_user: Throttle = Throttle(free_failures=5)
    throttle_address: Throttle = Throttle(free_failures=20)
    throttle_enrol: Throttle = Throttle(free_failures=10)
    # --- video consultations (docs/signaling.md) ---
    # A call nobody accepted is withdrawn (`no_answer`) after this long.
    ring_timeout: timedelta = timedelta(seconds=120)
    # A signaling socket that sends nothing (not even `ping`) for this long is closed.
    signal_idle_timeout: timedelta = timedelta(seconds=60)
    # The hub pings every console tab this often; a tab that has answered none of them for
    # `console_timeout` is closed (4408) and stops counting as reachable. Together they
    # bound how long a tab cut off from the network still counts: under 30 s.
    console_heartbeat: timedelta = timedelta(seconds=5)
    console_timeout: timedelta = timedelta(seconds=15)
    # An accepted call one of whose parties has no socket for this long is ended (`media_lost`),
    # so an expert whose tab never came back is not busy for ever.
    orphan_grace: timedelta = timedelta(minutes=3)
    # After a restart, the consultations the hub left open wait this long for their parties
    # to come back; one whose terminal (or, accepted, whose lawyer) does not ends
    # (`hub_restarted`).
    restart_grace: timedelta = timedelta(minutes=3)
    # A terminal that connects with an open consultation says within this long that it
    # still has it (`call.request` again while waiting, `call.resume` in a call); a call
    # the kiosk no longer has (it was restarted) then ends.
    claim_timeout: timedelta = timedelta(seconds=20)
    # Refused messages a socket may send in a minute before it is closed (4429).
    refusal_limit: int = 50
    # An open socket's token or session is checked again this often (revoked, expired, logged out).
    signal_reauth_interval: timedelta = timedelta(minutes=5)
    # Waiting calls are re-examined this often (shifts begin and end by the clock).
    dispatch_interval: timedelta = timedelta(seconds=15)
    # --- ICE servers (coturn's REST API credentials, `use-auth-secret`) ---
    # No host: no STUN or TURN is offered (loopback and LAN demos need none).
    turn_host: str | None = None
    # No secret: STUN only. The same value as coturn's `static-auth-secret`.
    turn_secret: str | None = field(default=None, repr=False)
    turn_port: int = 3478
    turn_tls_port: int = 443
    ice_credential_lifetime: timedelta = timedelta(hours=6)
    clock: Callable[[], datetime] = field(default=utcnow, repr=False, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
