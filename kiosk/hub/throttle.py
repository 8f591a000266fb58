"""Growing back-off after failed logins and enrolments, kept in the database.

In the database rather than in memory so that every hub process sees the same
counts and a restart does not hand an attacker a fresh allowance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.hub.errors import ApiError
from kiosk.hub.settings import Throttle
from kiosk.hub.tables import LoginThrottleRow

_FORGET_AFTER = timedelta(days=1)


def blocked_for(db: Session, keys: Iterable[str], now: datetime) -> timedelta | None:
    """How long the longest block among `keys` still lasts, or None."""
    until = db.scalars(
        select(LoginThrottleRow.blocked_until).where(
            LoginThrottleRow.key.in_(list(keys)), LoginThrottleRow.blocked_until > now
        )
    ).all()
    latest = max((u for u in until if u is not None), default=None)
    return None if latest is None else latest - now


def refuse_if_blocked(db: Session, keys: Iterable[str], now: datetime) -> None:
    wait = blocked_for(db, keys, now)
    if wait is None:
        return
    seconds = max(1, math.ceil(wait.total_seconds()))
    raise ApiError(
        429,
        f"Too many failed attempts. Try again in {seconds} seconds.",
        headers={"Retry-After": str(seconds)},
    )


def record_failure(db: Session, key: str, policy: Throttle, now: datetime) -> None:
    """Count one failure of `key` and block it if the policy says so (caller commits)."""
    # UPDATE first: it takes the row lock (PostgreSQL) or the write lock (SQLite)
    # before the count is read back, so concurrent failures are all counted.
    if not _bump(db, key, policy, now):
        try:
            with db.begin_nested():
                db.add(LoginThrottleRow(key=key, failures=1, last_failure_at=now))
        except IntegrityError:
            _bump(db, key, policy, now)
    row = db.get(LoginThrottleRow, key, populate_existing=True)
    if row is None:
        return
    delay = policy.delay_after(row.failures)
    row.blocked_until = None if delay is None else now + delay
    db.execute(
        delete(LoginThrottleRow)
        .where(
            LoginThrottleRow.last_failure_at < now - _FORGET_AFTER,
            or_(LoginThrottleRow.blocked_until.is_(None), LoginThrottleRow.blocked_until < now),
        )
        .execution_options(synchronize_session=False)
    )


def forget(db: Session, key: str) -> None:
    db.execute(
        delete(LoginThrottleRow)
        .where(LoginThrottleRow.key == key)
        .execution_options(synchronize_session=False)
    )


def _bump(db: Session, key: str, policy: Throttle, now: datetime) -> bool:
    stale = LoginThrottleRow.last_failure_at < now - policy.window
    result = cast(
        CursorResult[Any],
        db.execute(
            update(LoginThrottleRow)
            .where(LoginThrottleRow.key == key)
            .values(
                failures=case((stale, 1), else_=LoginThrottleRow.failures + 1),
                last_failure_at=now,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount > 0
