"""Hand-made snapshots and a fake hub link, so UI tests control exactly what is shown."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.api import HubProblem, Snapshot
from kiosk.domain import (
    Availability,
    ExpertGroup,
    Schedule,
    ScheduleEntry,
    ServiceCode,
    Terminal,
    TerminalProfile,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 25 November 2025, 14:30 in Shenyang: a working afternoon.
NOW = datetime(2025, 11, 25, 14, 30, tzinfo=SHANGHAI).astimezone(UTC)

S = ServiceCode
G = ExpertGroup

PROFILE = TerminalProfile(
    terminal=Terminal(
        id=7,
        county="新民市",
        town="大民屯镇",
        village="方巾牛村",
        site_name="方巾牛村公共法律服务室",
        enrolled=True,
    ),
    bureau_name="沈阳市司法局",
    hotline="12348",
)


def _local(day_offset: int, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    base = NOW.astimezone(SHANGHAI).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=day_offset)


def entry(
    shift_id: int,
    expert_id: int,
    name: str,
    group: ExpertGroup,
    services: list[ServiceCode],
    organisation: str,
    day: int,
    start: str,
    end: str,
    *,
    away: bool = False,
    console: bool = True,
) -> ScheduleEntry:
    """`console`: the expert has a console open, so when available and on duty now, the
    hub says they are reachable (as it does of a shift under way, at NOW)."""
    starts_at, ends_at = _local(day, start), _local(day, end)
    return ScheduleEntry(
        shift_id=shift_id,
        expert_id=expert_id,
        expert_name=name,
        group=group,
        services=services,
        organisation=organisation,
        availability=Availability.AWAY if away else Availability.AVAILABLE,
        starts_at=starts_at,
        ends_at=ends_at,
        reachable=console and not away and starts_at <= NOW < ends_at,
    )


CONSULT = [S.LEGAL_CONSULTATION, S.LEGAL_AID, S.DUTY_LAWYER]

ENTRIES = [
    entry(1, 1, "张伟", G.LAWYER, CONSULT, "辽宁正阳律师事务所", 0, "13:30", "17:30"),
    entry(
        2,
        2,
        "王丽",
        G.LAWYER,
        [S.LEGAL_CONSULTATION, S.MEDIATION],
        "沈阳市法律援助中心",
        0,
        "14:00",
        "18:00",
    ),
    entry(
        3,
        3,
        "李明",
        G.NOTARY,
        [S.LEGAL_CONSULTATION],
        "沈阳市公证处",
        0,
        "08:30",
        "16:30",
        away=True,
    ),
    entry(
        4,
        4,
        "赵刚",
        G.ARBITRATION,
        [S.LEGAL_CONSULTATION, S.MEDIATION],
        "沈阳仲裁委员会",
        1,
        "08:30",
        "12:00",
    ),
    entry(
        5,
        5,
        "刘芳",
        G.JUDICIAL_APPRAISAL,
        [S.LEGAL_CONSULTATION],
        "沈阳市司法鉴定中心",
        1,
        "13:30",
        "17:00",
    ),
    entry(6, 1, "张伟", G.LAWYER, CONSULT, "辽宁正阳律师事务所", 2, "08:30", "12:00"),
    entry(
        7,
        6,
        "孙静",
        G.LAWYER,
        [S.LEGAL_EDUCATION, S.VILLAGE_ADVISER],
        "辽宁正阳律师事务所",
        1,
        "08:30",
        "11:30",
    ),
    entry(
        8,
        6,
        "孙静",
        G.LAWYER,
        [S.LEGAL_EDUCATION, S.VILLAGE_ADVISER],
        "辽宁正阳律师事务所",
        3,
        "18:00",
        "20:00",
    ),
    entry(
        9,
        2,
        "王丽",
        G.LAWYER,
        [S.LEGAL_CONSULTATION, S.MEDIATION],
        "沈阳市法律援助中心",
        6,
        "09:00",
        "11:00",
    ),
]

SCHEDULE = Schedule(
    range_from=NOW - timedelta(days=1), range_to=NOW + timedelta(days=14), entries=ENTRIES
)

ONLINE = Snapshot(PROFILE, SCHEDULE, NOW, online=True, problem=None)
# The hub went away 12 minutes ago: the cache is all there is.
OFFLINE = Snapshot(
    PROFILE, SCHEDULE, NOW - timedelta(minutes=12), online=False, problem=HubProblem.OFFLINE
)
EMPTY = Snapshot(None, None, None, online=False, problem=HubProblem.OFFLINE)


def busy_snapshot() -> Snapshot:
    """Everyone on duty for consultation is away."""
    away = [
        e.model_copy(update={"availability": Availability.AWAY, "reachable": False})
        for e in ENTRIES
    ]
    return replace(ONLINE, schedule=SCHEDULE.model_copy(update={"entries": away}))


class FakeLink:
    """The `HubLink` interface: `cached()` at once, `refresh()` after an optional delay."""

    def __init__(self, cached: Snapshot, fresh: Snapshot | None = None, delay: float = 0.0):
        self._cached = cached
        self.fresh = fresh if fresh is not None else cached
        self.delay = delay
        self.refreshes = 0
        self.closed = False

    def cached(self) -> Snapshot:
        return self._cached

    async def refresh(self, now: datetime | None = None) -> Snapshot:
        self.refreshes += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.fresh

    async def aclose(self) -> None:
        self.closed = True


class Clock:
    """A settable "now" for the view-models."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
