"""Look-ups several routes share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from kiosk.hub.errors import not_found
from kiosk.hub.tables import DutyShiftRow, ExpertRow


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
