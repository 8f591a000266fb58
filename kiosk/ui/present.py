"""Schedule entries turned into what the screens show, without Qt and without words.

Every value here is language-neutral (codes, numbers, "08:30"); QML turns them
into sentences with qsTr, so switching the language needs no Python at all and
all wording lives in the translation files.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from kiosk.domain.codes import ServiceCode
from kiosk.domain.schedule import callable_now, on_duty_now, reachable, upcoming

if TYPE_CHECKING:  # entries are only read here; pydantic is not needed to draw a frame
    from kiosk.domain.models import ScheduleEntry


@dataclass(frozen=True)
class Day:
    """A calendar day relative to today: 0 today, 1 tomorrow; weekday 1 = Monday."""

    offset: int
    month: int
    day: int
    weekday: int


@dataclass(frozen=True)
class DutyCard:
    expert_id: int
    name: str
    group: str
    organisation: str
    start: str
    end: str
    available: bool  # reachable now: the card has a call button

    def to_qml(self) -> dict[str, object]:
        return {
            "expertId": self.expert_id,
            "name": self.name,
            "group": self.group,
            "organisation": self.organisation,
            "start": self.start,
            "end": self.end,
            "available": self.available,
        }


@dataclass(frozen=True)
class UpcomingRow:
    expert_id: int
    name: str
    group: str
    day: Day
    start: str
    end: str

    def to_qml(self) -> dict[str, object]:
        return {
            "expertId": self.expert_id,
            "name": self.name,
            "group": self.group,
            "start": self.start,
            "end": self.end,
            **{f"day{k.capitalize()}": v for k, v in asdict(self.day).items()},
        }


def clock_text(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def day_of(moment: datetime, now: datetime, tz: tzinfo) -> Day:
    local = moment.astimezone(tz).date()
    today = now.astimezone(tz).date()
    return Day(
        offset=(local - today).days,
        month=local.month,
        day=local.day,
        weekday=local.isoweekday(),
    )


def duty_cards(
    entries: Sequence[ScheduleEntry],
    service: ServiceCode,
    now: datetime,
    tz: tzinfo,
    live: Collection[int] | None = None,
) -> list[DutyCard]:
    """Everyone on duty for `service` now, the ones a resident can call first.

    `live`: who the hub says is reachable now (its push over the terminal's socket);
    None while the socket is down, and then the schedule's own flags count.
    """
    cards = [
        DutyCard(
            expert_id=e.expert_id,
            name=e.expert_name,
            group=e.group.value,
            organisation=e.organisation,
            start=clock_text(e.starts_at, tz),
            end=clock_text(e.ends_at, tz),
            available=reachable(e, live),
        )
        for e in on_duty_now(entries, service, now)
    ]
    return sorted(cards, key=lambda c: not c.available)


def upcoming_rows(
    entries: Sequence[ScheduleEntry],
    service: ServiceCode,
    now: datetime,
    tz: tzinfo,
    limit: int,
) -> list[UpcomingRow]:
    return [
        UpcomingRow(
            expert_id=e.expert_id,
            name=e.expert_name,
            group=e.group.value,
            day=day_of(e.starts_at, now, tz),
            start=clock_text(e.starts_at, tz),
            end=clock_text(e.ends_at, tz),
        )
        for e in upcoming(entries, service, now, limit=limit)
    ]


def callable_count(
    entries: Sequence[ScheduleEntry],
    service: ServiceCode,
    now: datetime,
    live: Collection[int] | None = None,
) -> int:
    return len(callable_now(entries, service, now, live))


def minutes_since(then: datetime | None, now: datetime) -> int:
    """Whole minutes from `then` to `now`; -1 when unknown, never negative otherwise."""
    if then is None:
        return -1
    return max(0, int((now - then).total_seconds() // 60))
