"""Who is on duty: pure functions over schedule entries, used by kiosk and hub.

They only read attributes of the entries, so this module needs the models for
typing alone and stays free of pydantic at run time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.domain.codes import Availability, ServiceCode

if TYPE_CHECKING:
    from kiosk.domain.models import ScheduleEntry


def for_service(entries: Iterable[ScheduleEntry], service: ServiceCode) -> list[ScheduleEntry]:
    return [e for e in entries if service in e.services]


def on_duty_now(
    entries: Iterable[ScheduleEntry], service: ServiceCode, now: datetime
) -> list[ScheduleEntry]:
    """Experts whose shift covers now, available ones first, each expert once."""
    seen: set[int] = set()
    found: list[ScheduleEntry] = []
    for entry in sorted(for_service(entries, service), key=lambda e: (e.ends_at, e.expert_id)):
        if entry.covers(now) and entry.expert_id not in seen:
            seen.add(entry.expert_id)
            found.append(entry)
    found.sort(key=lambda e: e.availability != Availability.AVAILABLE)
    return found


def upcoming(
    entries: Iterable[ScheduleEntry], service: ServiceCode, now: datetime, limit: int = 6
) -> list[ScheduleEntry]:
    """Shifts that start later, soonest first."""
    later = [e for e in for_service(entries, service) if e.starts_at > now]
    later.sort(key=lambda e: (e.starts_at, e.expert_id))
    return later[:limit]


def reachable(entry: ScheduleEntry, live: Collection[int] | None) -> bool:
    """Whether a resident can call the entry's expert now: the live presence the hub pushes
    over the terminal's socket when there is one (`live`), else the schedule's own flag."""
    if live is not None:
        return entry.expert_id in live
    return entry.reachable


def callable_now(
    entries: Iterable[ScheduleEntry],
    service: ServiceCode,
    now: datetime,
    live: Collection[int] | None = None,
) -> list[ScheduleEntry]:
    """On duty now and reachable: marked available is not enough, a console must be open."""
    return [e for e in on_duty_now(entries, service, now) if reachable(e, live)]
