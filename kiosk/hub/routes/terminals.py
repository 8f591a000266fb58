"""Village terminals and their enrolment codes (admin only)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain import EnrolmentCode, Terminal, TerminalIn
from kiosk.hub import convert
from kiosk.hub.auth import AdminDep
from kiosk.hub.enrolment import code_digest, new_code
from kiosk.hub.errors import error_responses, not_found
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import TerminalRow

router = APIRouter(prefix="/v1/terminals", tags=["terminals"], responses=error_responses(401, 403))


def _terminal(db: Session, terminal_id: int) -> TerminalRow:
    row = db.get(TerminalRow, terminal_id)
    if row is None:
        raise not_found("Terminal", terminal_id)
    return row


def _apply(row: TerminalRow, body: TerminalIn) -> None:
    row.county, row.town, row.village, row.site_name = (
        body.county,
        body.town,
        body.village,
        body.site_name,
    )


@router.get("")
def list_terminals(_admin: AdminDep, db: DbDep) -> list[Terminal]:
    rows = db.scalars(select(TerminalRow).order_by(TerminalRow.id))
    return [convert.terminal(row) for row in rows]


@router.post("", status_code=201, responses=error_responses(422))
def create_terminal(body: TerminalIn, _admin: AdminDep, db: DbDep) -> Terminal:
    row = TerminalRow()
    _apply(row, body)
    db.add(row)
    db.commit()
    return convert.terminal(row)


@router.put("/{terminal_id}", responses=error_responses(404, 422))
def update_terminal(terminal_id: int, body: TerminalIn, _admin: AdminDep, db: DbDep) -> Terminal:
    row = _terminal(db, terminal_id)
    _apply(row, body)
    db.commit()
    return convert.terminal(row)


@router.post("/{terminal_id}/enrolment-code", status_code=201, responses=error_responses(404, 422))
def enrolment_code(terminal_id: int, _admin: AdminDep, db: DbDep, state: StateDep) -> EnrolmentCode:
    row = _terminal(db, terminal_id)
    code = new_code()
    expires_at = state.now() + state.settings.enrolment_code_lifetime
    # Only the hash is kept, and a new code replaces any earlier one.
    row.enrol_code_hash = code_digest(code)
    row.enrol_code_expires_at = expires_at
    db.commit()
    return EnrolmentCode(terminal_id=terminal_id, code=code, expires_at=expires_at)
