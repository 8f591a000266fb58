"""Look-ups several routes share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from kiosk.hub.errors import not_found
from kiosk.hub.tables import (
    CallbackRequestRow,
    ConsultationRow,
    DutyShiftRow,
    ExpertRow,
    SessionRecordRow,
)


def live_expert(db: Session, expert_id: int) -> ExpertRow:
    row = db.get(ExpertRow, expert_id)
    if row is None or row.deleted_at is not None:
        raise not_found("Expert", expert_id)
    return row


def lock_expert(db: Session, expert_id: int) -> None:
    """Serialise changes to one expert's shifts until the transaction ends.

    A no-op UPDATE takes the row lock on PostgreSQL and the database write lock
    on SQLite, so two overlapping shifts cannot both pass the overlap check.
    """
    db.execute(
        update(ExpertRow)
        .where(ExpertRow.id == expert_id)
        .values(id=ExpertRow.id)
        .execution_options(synchronize_session=False)
    )


def shifts_overlapping(start: datetime, end: datetime) -> Select[DutyShiftRow]:
    return select(DutyShiftRow).where(DutyShiftRow.starts_at < end, DutyShiftRow.ends_at > start)


def first_overlap(
    db: Session, expert_id: int, start: datetime, end: datetime
) -> DutyShiftRow | None:
    return db.scalars(
        shifts_overlapping(start, end)
        .where(DutyShiftRow.expert_id == expert_id)
        .order_by(DutyShiftRow.starts_at)
        .limit(1)
    ).first()


def ordered(query: Select[DutyShiftRow]) -> Select[DutyShiftRow]:
    return query.order_by(DutyShiftRow.starts_at, DutyShiftRow.expert_id, DutyShiftRow.id)


def list_shifts(db: Session, query: Select[DutyShiftRow]) -> Sequence[DutyShiftRow]:
    return db.scalars(ordered(query)).all()


def owners_of(db: Session, consultation_id: UUID) -> set[int]:
    """The terminals that the hub's signaling, records and callbacks say a consultation is of.

    Empty when the hub has nothing of it; more than one only if some terminal
    reused another's id, which each of them is refused.
    """
    owners: set[int] = set()
    for column, key in (
        (ConsultationRow.terminal_id, ConsultationRow.id),
        (SessionRecordRow.terminal_id, SessionRecordRow.consultation_id),
        (CallbackRequestRow.terminal_id, CallbackRequestRow.consultation_id),
    ):
        owner = db.scalar(select(column).where(key == consultation_id))
        if owner is not None:
            owners.add(owner)
    return owners


def callback_of(db: Session, consultation_id: UUID) -> CallbackRequestRow | None:
    return db.scalar(
        select(CallbackRequestRow).where(CallbackRequestRow.consultation_id == consultation_id)
    )


def file_callback(
    db: Session, consultation_id: UUID, terminal_id: int, phone: str, now: datetime
) -> CallbackRequestRow:
    """The consultation's callback request: the one filed before, else a new one (not committed).

    Idempotent on the consultation: a repeat keeps the first number, and a request
    already done (its number erased) is not opened again. Two first requests at once
    meet on the unique consultation id; the caller rolls back and asks again.
    """
    row = callback_of(db, consultation_id)
    if row is None:
        row = CallbackRequestRow(
            consultation_id=consultation_id, terminal_id=terminal_id, phone=phone, created_at=now
        )
        db.add(row)
    return row
