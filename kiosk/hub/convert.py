"""Rows to contract models: the only place that knows both shapes."""

from __future__ import annotations

from kiosk.domain import (
    Availability,
    DutyShift,
    Expert,
    ExpertGroup,
    ScheduleEntry,
    ServiceCode,
    Terminal,
)
from kiosk.hub.tables import DutyShiftRow, ExpertRow, TerminalRow

_SERVICE_ORDER = {code: i for i, code in enumerate(ServiceCode)}


def services_of(row: ExpertRow) -> list[ServiceCode]:
    return sorted((ServiceCode(s.service) for s in row.services), key=_SERVICE_ORDER.__getitem__)


def expert(row: ExpertRow) -> Expert:
    return Expert(
        id=row.id,
        name=row.name,
        group=ExpertGroup(row.expert_group),
        services=services_of(row),
        organisation=row.organisation,
        availability=Availability(row.availability),
        username=row.account.username if row.account is not None else None,
    )


def shift(row: DutyShiftRow) -> DutyShift:
    return DutyShift(
        id=row.id, expert_id=row.expert_id, starts_at=row.starts_at, ends_at=row.ends_at
    )


def schedule_entry(row: DutyShiftRow) -> ScheduleEntry:
    who = row.expert
    return ScheduleEntry(
        shift_id=row.id,
        expert_id=who.id,
        expert_name=who.name,
        group=ExpertGroup(who.expert_group),
        services=services_of(who),
        organisation=who.organisation,
        availability=Availability(who.availability),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )


def terminal(row: TerminalRow) -> Terminal:
    return Terminal(
        id=row.id,
        county=row.county,
        town=row.town,
        village=row.village,
        site_name=row.site_name,
        enrolled=row.token_hash is not None,
        last_seen_at=row.last_seen_at,
    )
