"""Demo data for an empty hub: Shenyang's experts in the city, terminals in its counties.

The shifts are laid out from the day of seeding, and one duty lawyer's shift
always covers the moment of seeding, so a fresh demo has someone to call at any
hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain import AccountRole, Availability, ExpertGroup, ServiceCode
from kiosk.hub.availability import set_availability
from kiosk.hub.tables import (
    AccountRow,
    DutyShiftRow,
    ExpertRow,
    ExpertServiceRow,
    TerminalRow,
)

LOCAL = ZoneInfo("Asia/Shanghai")
WEEKS = 4


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    display_name: str


DEMO_ADMIN = DemoLogin("admin", "admin-demo-2026", "管理员")
DEMO_LAWYERS: tuple[DemoLogin, ...] = (
    DemoLogin("zhangwei", "lawyer-demo-2026", "张伟"),
    DemoLogin("wangli", "lawyer-demo-2026", "王丽"),
    DemoLogin("liming", "lawyer-demo-2026", "李明"),
)
# The demo's always-callable duty lawyer (the first demo login).
ON_CALL = "张伟"

S = ServiceCode
_LAWYER_CORE = (S.LEGAL_CONSULTATION, S.LEGAL_AID, S.DUTY_LAWYER)


@dataclass(frozen=True)
class _Expert:
    name: str
    group: ExpertGroup
    organisation: str
    services: tuple[ServiceCode, ...]
    available: bool


_EXPERTS: tuple[_Expert, ...] = (
    _Expert(
        "张伟",
        ExpertGroup.LAWYER,
        "辽宁正信律师事务所",
        (*_LAWYER_CORE, S.VILLAGE_ADVISER, S.LEGAL_EDUCATION),
        True,
    ),
    _Expert(
        "王丽",
        ExpertGroup.LAWYER,
        "辽宁盛京律师事务所",
        (S.LEGAL_CONSULTATION, S.LEGAL_AID, S.MEDIATION, S.LEGAL_EDUCATION),
        True,
    ),
    _Expert(
        "李明",
        ExpertGroup.LAWYER,
        "辽宁沈河律师事务所",
        (*_LAWYER_CORE, S.VILLAGE_ADVISER),
        False,
    ),
    _Expert(
        "刘洋",
        ExpertGroup.LAWYER,
        "辽宁和平律师事务所",
        (S.LEGAL_CONSULTATION, S.MEDIATION, S.VILLAGE_ADVISER),
        True,
    ),
    _Expert(
        "陈静",
        ExpertGroup.LAWYER,
        "辽宁北方律师事务所",
        (S.LEGAL_AID, S.DUTY_LAWYER, S.LEGAL_EDUCATION),
        False,
    ),
    _Expert(
        "赵磊",
        ExpertGroup.JUDICIAL_APPRAISAL,
        "沈阳市和平司法鉴定中心",
        (S.LEGAL_CONSULTATION,),
        False,
    ),
    _Expert(
        "孙芳",
        ExpertGroup.JUDICIAL_APPRAISAL,
        "辽宁中正司法鉴定所",
        (S.LEGAL_CONSULTATION, S.LEGAL_EDUCATION),
        True,
    ),
    _Expert(
        "周涛",
        ExpertGroup.NOTARY,
        "沈阳市沈河公证处",
        (S.LEGAL_CONSULTATION, S.LEGAL_EDUCATION),
        False,
    ),
    _Expert("吴敏", ExpertGroup.NOTARY, "沈阳市和平公证处", (S.LEGAL_CONSULTATION,), True),
    _Expert(
        "郑强",
        ExpertGroup.ARBITRATION,
        "沈阳仲裁委员会",
        (S.LEGAL_CONSULTATION, S.MEDIATION),
        False,
    ),
)

_TERMINALS: tuple[tuple[str, str, str, str], ...] = (
    ("新民市", "大民屯镇", "大民屯村", "村委会便民服务室"),
    ("新民市", "兴隆堡镇", "兴隆堡村", "村委会便民服务室"),
    ("辽中区", "冷子堡镇", "冷子堡村", "村综合服务中心"),
    ("辽中区", "老大房镇", "老大房村", "村委会法律服务室"),
    ("康平县", "郝官屯镇", "郝官屯村", "村委会便民服务室"),
    ("法库县", "秀水河子镇", "秀水河子村", "村党群服务中心"),
)

_MORNING = (time(8, 30), time(12, 0))
_AFTERNOON = (time(13, 0), time(17, 0))
_EVENING = (time(18, 0), time(21, 0))
_EVENING_DAYS = {1, 3}  # Tuesday and Thursday
_SATURDAY = 5


def is_empty(db: Session) -> bool:
    return all(
        db.scalar(select(column).limit(1)) is None
        for column in (ExpertRow.id, TerminalRow.id, AccountRow.id)
    )


def seed(db: Session, hasher: PasswordHasher, now: datetime) -> bool:
    """Fill an empty database and commit; leave any other database alone. True if seeded."""
    if not is_empty(db):
        return False
    experts = [_expert_row(spec) for spec in _EXPERTS]
    db.add_all(experts)
    db.flush()
    for spec, row in zip(_EXPERTS, experts, strict=True):
        set_availability(db, row, _availability(spec), now)
    lawyers = [e for e in experts if e.expert_group == ExpertGroup.LAWYER.value]
    others = [e for e in experts if e.expert_group != ExpertGroup.LAWYER.value]
    on_call = next(e for e in experts if e.name == ON_CALL)
    db.add_all(_shifts(lawyers, others, on_call, now))
    db.add_all(TerminalRow(county=c, town=t, village=v, site_name=s) for c, t, v, s in _TERMINALS)
    db.add(
        AccountRow(
            username=DEMO_ADMIN.username,
            password_hash=hasher.hash(DEMO_ADMIN.password),
            role=AccountRole.ADMIN.value,
        )
    )
    by_name = {e.name: e for e in experts}
    for login in DEMO_LAWYERS:
        db.add(
            AccountRow(
                username=login.username,
                password_hash=hasher.hash(login.password),
                role=AccountRole.LAWYER.value,
                expert_id=by_name[login.display_name].id,
            )
        )
    db.commit()
    return True


def ensure_on_call(db: Session, now: datetime) -> bool:
    """On a demo restarted another day, give the on-call lawyer a shift covering now again.

    The new shift fills the gap between that lawyer's neighbouring shifts, so it
    never overlaps one. True if a shift was added.
    """
    on_call = db.scalar(select(ExpertRow).where(ExpertRow.name == ON_CALL))
    if on_call is None:
        return False
    shifts = db.scalars(select(DutyShiftRow).where(DutyShiftRow.expert_id == on_call.id)).all()
    start = now - timedelta(hours=2)
    end = now + timedelta(hours=8)
    for shift in shifts:
        shift_start, shift_end = _aware(shift.starts_at), _aware(shift.ends_at)
        if shift_start <= now < shift_end:
            return False
        if shift_end <= now:
            start = max(start, shift_end)
        else:
            end = min(end, shift_start)
    db.add(DutyShiftRow(expert_id=on_call.id, starts_at=start, ends_at=end))
    db.commit()
    return True


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; the hub stores UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _expert_row(spec: _Expert) -> ExpertRow:
    return ExpertRow(
        name=spec.name,
        expert_group=spec.group.value,
        organisation=spec.organisation,
        availability=_availability(spec).value,
        services=[ExpertServiceRow(service=s.value) for s in spec.services],
    )


def _availability(spec: _Expert) -> Availability:
    return Availability.AVAILABLE if spec.available else Availability.AWAY


def _at(day: date, span: tuple[time, time]) -> tuple[datetime, datetime]:
    return datetime.combine(day, span[0], LOCAL), datetime.combine(day, span[1], LOCAL)


def _rota(
    lawyers: list[ExpertRow], others: list[ExpertRow], today: date
) -> list[tuple[ExpertRow, datetime, datetime]]:
    """Working-day mornings and afternoons, two evenings a week, Saturday mornings."""
    rota: list[tuple[ExpertRow, datetime, datetime]] = []
    n, m = len(lawyers), len(others)
    for offset in range(WEEKS * 7):
        day = today + timedelta(days=offset)
        weekday = day.weekday()
        if weekday < _SATURDAY:
            morning = (lawyers[offset % n], lawyers[(offset + 2) % n], others[offset % m])
            afternoon = (
                lawyers[(offset + 1) % n],
                lawyers[(offset + 3) % n],
                others[(offset + 2) % m],
            )
            rota += [(who, *_at(day, _MORNING)) for who in morning]
            rota += [(who, *_at(day, _AFTERNOON)) for who in afternoon]
            if weekday in _EVENING_DAYS:
                rota.append((lawyers[(offset + 4) % n], *_at(day, _EVENING)))
        elif weekday == _SATURDAY:
            saturday = (lawyers[offset % n], lawyers[(offset + 1) % n])
            rota += [(who, *_at(day, _MORNING)) for who in saturday]
    return rota


def _shifts(
    lawyers: list[ExpertRow], others: list[ExpertRow], on_call: ExpertRow, now: datetime
) -> list[DutyShiftRow]:
    local_now = now.astimezone(LOCAL)
    call_start = local_now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    call_end = call_start + timedelta(hours=10)
    shifts = [DutyShiftRow(expert_id=on_call.id, starts_at=call_start, ends_at=call_end)]
    for who, start, end in _rota(lawyers, others, local_now.date()):
        if who is on_call and start < call_end and end > call_start:
            continue  # the on-call shift already covers this time
        shifts.append(DutyShiftRow(expert_id=who.id, starts_at=start, ends_at=end))
    return shifts
