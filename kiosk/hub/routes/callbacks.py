"""Residents who reached nobody and left a phone number; lawyers call them back."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.domain.consultations import CallbackIn, CallbackRequest
from kiosk.hub import convert
from kiosk.hub.auth import StaffDep, TerminalDep
from kiosk.hub.errors import ApiError, error_responses, not_found
from kiosk.hub.queries import callback_of, file_callback, owners_of
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import CallbackRequestRow, ConsultationRow

router = APIRouter(prefix="/v1/callbacks", tags=["callbacks"], responses=error_responses(401, 403))

OTHER_TERMINAL = "The consultation belongs to another terminal."


def _service_of(db: Session, consultation_id: UUID) -> str | None:
    return db.scalar(select(ConsultationRow.service).where(ConsultationRow.id == consultation_id))


@router.post("", status_code=201, responses=error_responses(409, 422))
def create(body: CallbackIn, terminal: TerminalDep, db: DbDep, state: StateDep) -> CallbackRequest:
    """Idempotent on the consultation id: a repeated upload answers with the first request."""
    if owners_of(db, body.consultation_id) - {terminal.id}:
        raise ApiError(409, OTHER_TERMINAL)
    row = file_callback(db, body.consultation_id, terminal.id, body.phone, state.now())
    try:
        db.commit()
    except IntegrityError:  # the same upload, twice at once: the other one won
        db.rollback()
        found = callback_of(db, body.consultation_id)
        if found is None:
            raise
        row = found
    if row.terminal_id != terminal.id:
        raise ApiError(409, OTHER_TERMINAL)
    return convert.callback(row, _service_of(db, row.consultation_id))


@router.get("")
def list_open(_who: StaffDep, db: DbDep) -> list[CallbackRequest]:
    """Callback requests not yet done, oldest first."""
    rows = db.execute(
        select(CallbackRequestRow, ConsultationRow.service)
        .outerjoin(ConsultationRow, ConsultationRow.id == CallbackRequestRow.consultation_id)
        .where(CallbackRequestRow.done_at.is_(None))
        .order_by(CallbackRequestRow.created_at, CallbackRequestRow.id)
    ).all()
    return [convert.callback(row, service) for row, service in rows]


@router.put("/{callback_id}/done", status_code=204, responses=error_responses(404, 422))
def mark_done(callback_id: int, who: StaffDep, db: DbDep, state: StateDep) -> Response:
    row = db.get(CallbackRequestRow, callback_id)
    if row is None:
        raise not_found("Callback request", callback_id)
    if row.done_at is None:
        assert who.account is not None
        row.done_at = state.now()
        row.done_by = who.account.username
        # The number has served its purpose; the hub keeps no more of the resident than needed.
        row.phone = None
        db.commit()
    return Response(status_code=204)
