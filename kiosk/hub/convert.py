"""Rows to contract models: the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from kiosk.domain import (
    Availability,
    DutyShift,
    Expert,
    ExpertGroup,
    ScheduleEntry,
    ServiceCode,
    Terminal,
)
from kiosk.domain.consultations import CallbackRequest, Consultation
from kiosk.domain.records import FallbackReason, SessionRecord
from kiosk.domain.signaling import EndReason, Outcome, Party
from kiosk.hub.records import flags_of, media_of
from kiosk.hub.signaling.presence import Presence
from kiosk.hub.tables import (
    CallbackRequestRow,
    ConsultationRow,
    DutyShiftRow,
    ExpertRow,
    SessionRecordRow,
    TerminalRow,
)

_SERVICE_ORDER = {code: i for i, code in enumerate(ServiceCode)}


T = TypeVar("T")


def _maybe(kind: Callable[[str], T], value: str | None) -> T | None:
    """A stored code as its enum, or None where the column is empty."""
    return kind(value) if value is not None else None


def services_of(row: ExpertRow) -> list[ServiceCode]:
    return sorted((ServiceCode(s.service) for s in row.services), key=_SERVICE_ORDER.__getitem__)


def expert(row: ExpertRow, presence: Presence | None = None) -> Expert:
    """`presence`: the switchboard's, for whether the expert has a console and can be called."""
    return Expert(
        id=row.id,
        name=row.name,
        group=ExpertGroup(row.expert_group),
        services=services_of(row),
        organisation=row.organisation,
        availability=Availability(row.availability),
        username=row.account.username if row.account is not None else None,
        console_connected=presence is not None and row.id in presence.connected,
        reachable=presence is not None and row.id in presence.reachable,
    )


def shift(row: DutyShiftRow) -> DutyShift:
    return DutyShift(
        id=row.id, expert_id=row.expert_id, starts_at=row.starts_at, ends_at=row.ends_at
    )


def schedule_entry(row: DutyShiftRow, presence: Presence, now: datetime) -> ScheduleEntry:
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
        reachable=row.starts_at <= now < row.ends_at and who.id in presence.reachable,
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


def callback(row: CallbackRequestRow, service: str | None) -> CallbackRequest:
    place = row.terminal
    return CallbackRequest(
        id=row.id,
        consultation_id=row.consultation_id,
        terminal_id=row.terminal_id,
        county=place.county,
        town=place.town,
        village=place.village,
        site_name=place.site_name,
        service=ServiceCode(service) if service is not None else None,
        phone=row.phone,
        created_at=row.created_at,
        done_at=row.done_at,
        done_by=row.done_by,
    )


def consultation(row: ConsultationRow) -> Consultation:
    place = row.terminal
    expert = row.accepted_expert
    return Consultation(
        id=row.id,
        terminal_id=row.terminal_id,
        county=place.county,
        town=place.town,
        village=place.village,
        site_name=place.site_name,
        service=ServiceCode(row.service),
        requested_expert_id=row.requested_expert_id,
        accepted_expert_id=row.accepted_expert_id,
        accepted_expert_name=expert.name if expert is not None else None,
        requested_at=row.requested_at,
        accepted_at=row.accepted_at,
        ended_at=row.ended_at,
        ended_by=_maybe(Party, row.ended_by),
        end_reason=_maybe(EndReason, row.end_reason),
        outcome=_maybe(Outcome, row.outcome),
        notes=row.notes,
        attempts=row.attempts,
    )


def session_record(row: SessionRecordRow, hub: ConsultationRow | None) -> SessionRecord:
    return SessionRecord(
        consultation_id=row.consultation_id,
        terminal_id=row.terminal_id,
        county=row.county,
        town=row.town,
        village=row.village,
        site_name=row.site_name,
        service=_maybe(ServiceCode, row.service),
        expert_id=row.expert_id,
        expert_group=_maybe(ExpertGroup, row.expert_group),
        requested_at=row.requested_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        ended_by=_maybe(Party, row.ended_by),
        end_reason=_maybe(EndReason, row.end_reason),
        fallback=_maybe(FallbackReason, row.fallback),
        callback_requested=row.callback_requested,
        rating=row.rating,
        media=media_of(row),
        outcome=Outcome(hub.outcome) if hub is not None and hub.outcome is not None else None,
        hub_accepted_expert_id=hub.accepted_expert_id if hub is not None else None,
        hub_accepted_at=hub.accepted_at if hub is not None else None,
        hub_ended_at=hub.ended_at if hub is not None else None,
        hub_ended_by=Party(hub.ended_by) if hub is not None and hub.ended_by else None,
        events=row.events,
        first_received_at=row.first_received_at,
        last_received_at=row.last_received_at,
        flags=flags_of(row),
    )
