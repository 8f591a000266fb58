"""Configuration of one hub process."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from kiosk.domain import HOTLINE

DEFAULT_BUREAU = "沈阳市公共法律服务中心"


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
    clock: Callable[[], datetime] = field(default=utcnow, repr=False, compare=False)
