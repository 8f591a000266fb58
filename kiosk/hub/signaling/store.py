"""What the switchboard reads from and writes to the database (synchronous; run in a thread)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain import Availability, ExpertGroup, ServiceCode
from kiosk.domain.signaling import ExpertBrief
from kiosk.hub import records
from kiosk.hub.signaling.calls import Place
from kiosk.hub.tables import ConsultationRow, DutyShiftRow, ExpertRow

Sessions = sessionmaker[Session]
# The estimate's unit when there is no consultation today to measure.
DEFAULT_LENGTH = timedelta(minutes=5)


@dataclass(frozen=True)
class OnDuty:
    """An expert whose shift covers now and who is marked available."""

    brief: ExpertBrief
    services: frozenset[ServiceCode]


@dataclass(frozen=True)
class Snapshot:
    on_duty: Mapping[int, OnDuty]
    mean_length: timedelta


def snapshot(sessions: Sessions, now: datetime) -> Snapshot:
    with sessions() as db:
        return Snapshot(on_duty=_on_duty(db, now), mean_length=_mean_length(db, now))


def _on_duty(db: Session, now: datetime) -> dict[int, OnDuty]:
    rows = db.scalars(
        select(ExpertRow)
        .join(DutyShiftRow, DutyShiftRow.expert_id == ExpertRow.id)
        .where(
            DutyShiftRow.starts_at <= now,
            DutyShiftRow.ends_at > now,
            ExpertRow.deleted_at.is_(None),
            ExpertRow.availability == Availability.AVAILABLE.value,
        )
        .distinct()
    )
    return {
        row.id: OnDuty(
            brief=ExpertBrief(id=row.id, name=row.name, group=ExpertGroup(row.expert_group)),
            services=frozenset(ServiceCode(s.service) for s in row.services),
        )
        for row in rows
    }


def _mean_length(db: Session, now: datetime) -> timedelta:
    """Mean length of the consultations accepted in the last 24 hours ("today")."""
    spans = db.execute(
        select(ConsultationRow.accepted_at, ConsultationRow.ended_at).where(
            ConsultationRow.accepted_at >= now - timedelta(hours=24),
            ConsultationRow.ended_at.is_not(None),
        )
    ).all()
    lengths = [end - start for start, end in spans if start is not None and end is not None]
    if not lengths:
        return DEFAULT_LENGTH
    return sum(lengths, timedelta()) / len(lengths)


@dataclass(frozen=True)
class Known:
    """A consultation the database already holds (a replay, or a tab asking after it)."""

    terminal_id: int
    accepted_expert_id: int | None
    accepted_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None
    end_reason: str | None


def known(sessions: Sessions, consultation_id: UUID) -> Known | None:
    with sessions() as db:
        row = db.get(ConsultationRow, consultation_id)
        if row is None:
            return None
        return Known(
            row.terminal_id,
            row.accepted_expert_id,
            row.accepted_at,
            row.ended_at,
            row.ended_by,
            row.end_reason,
        )


def create(sessions: Sessions, values: Mapping[str, Any]) -> None:
    """A new consultation; a record its kiosk uploaded first stops being `not_signaled`."""
    consultation_id: UUID = values["id"]
    with sessions() as db:
        records.lock_consultation(db, consultation_id)
        named = values.get("requested_expert_id")
        if named is not None and db.get(ExpertRow, named) is None:
            values = {**values, "requested_expert_id": None}  # the kiosk named a stranger
        db.add(ConsultationRow(attempts=0, **values))
        db.flush()
        records.reconcile(db, consultation_id)
        db.commit()


def change(sessions: Sessions, consultation_id: UUID, values: Mapping[str, Any]) -> None:
    """A change of state; the consultation's record, if already uploaded, is flagged anew."""
    with sessions() as db:
        records.lock_consultation(db, consultation_id)
        result = cast(
            CursorResult[Any],
            db.execute(
                update(ConsultationRow)
                .where(ConsultationRow.id == consultation_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount != 1:
            raise LookupError(f"consultation {consultation_id} is not in the database")
        records.reconcile(db, consultation_id)
        db.commit()


def save_notes(sessions: Sessions, consultation_id: UUID, expert_id: int, notes: str) -> bool:
    """Notes of the expert who accepted (during the call or after it); False if not theirs."""
    with sessions() as db:
        result = cast(
            CursorResult[Any],
            db.execute(
                update(ConsultationRow)
                .where(
                    ConsultationRow.id == consultation_id,
                    ConsultationRow.accepted_expert_id == expert_id,
                )
                .values(notes=notes)
                .execution_options(synchronize_session=False)
            ),
        )
        db.commit()
        return result.rowcount == 1


@dataclass(frozen=True)
class Leftover:
    """A consultation a previous run of the hub left open, as much as it takes to go on."""

    id: UUID
    terminal_id: int
    place: Place
    service: ServiceCode
    requested_expert_id: int | None
    requested_at: datetime
    accepted_at: datetime | None
    expert: ExpertBrief | None  # who accepted; None while waiting (or the expert is gone)
    attempts: int


def leftovers(sessions: Sessions) -> list[Leftover]:
    """Consultations a previous run of the hub left open, oldest request first."""
    with sessions() as db:
        rows = db.scalars(
            select(ConsultationRow)
            .where(ConsultationRow.ended_at.is_(None))
            .order_by(ConsultationRow.requested_at)
        ).all()
        found = []
        for row in rows:
            who = row.accepted_expert
            place = row.terminal
            found.append(
                Leftover(
                    id=row.id,
                    terminal_id=row.terminal_id,
                    place=Place(place.county, place.town, place.village, place.site_name),
                    service=ServiceCode(row.service),
                    requested_expert_id=row.requested_expert_id,
                    requested_at=row.requested_at,
                    accepted_at=row.accepted_at,
                    expert=(
                        ExpertBrief(id=who.id, name=who.name, group=ExpertGroup(who.expert_group))
                        if who is not None
                        else None
                    ),
                    attempts=row.attempts,
                )
            )
        return found
