"""What a terminal does for itself: enrol with a one-time code, then read its profile."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from sqlalchemy import CursorResult, select, update

from kiosk.domain import EnrolRequest, EnrolResult, FieldError, TerminalProfile
from kiosk.hub import convert, throttle
from kiosk.hub.auth import TerminalDep, client_address, new_token, token_digest
from kiosk.hub.enrolment import code_digest
from kiosk.hub.errors import ApiError, error_responses
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import TerminalRow

router = APIRouter(prefix="/v1", tags=["terminal"])

BAD_CODE = "Unknown, used or expired enrolment code."


@router.get("/terminal", responses=error_responses(401, 403))
def profile(terminal: TerminalDep, db: DbDep, state: StateDep) -> TerminalProfile:
    terminal.last_seen_at = state.now()
    db.commit()
    return TerminalProfile(
        terminal=convert.terminal(terminal),
        bureau_name=state.settings.bureau_name,
        hotline=state.settings.hotline,
    )


@router.post("/terminals/enroll", responses=error_responses(401, 422, 429))
def enroll(body: EnrolRequest, request: Request, db: DbDep, state: StateDep) -> EnrolResult:
    now = state.now()
    key = f"enrol:{client_address(request)}"
    throttle.refuse_if_blocked(db, (key,), now)
    digest = code_digest(body.code)
    terminal_id = db.scalar(select(TerminalRow.id).where(TerminalRow.enrol_code_hash == digest))
    token = new_token()
    if terminal_id is not None:
        # Conditional UPDATE: of two racing uses of one code, exactly one wins.
        result = cast(
            CursorResult[Any],
            db.execute(
                update(TerminalRow)
                .where(
                    TerminalRow.id == terminal_id,
                    TerminalRow.enrol_code_hash == digest,
                    TerminalRow.enrol_code_expires_at > now,
                )
                .values(
                    # A new token revokes the one from any earlier enrolment.
                    token_hash=token_digest(token),
                    enrolled_at=now,
                    last_seen_at=now,
                    enrol_code_hash=None,
                    enrol_code_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount == 1:
            db.commit()
            return EnrolResult(terminal_id=terminal_id, token=token)
    throttle.record_failure(db, key, state.settings.throttle_enrol, now)
    db.commit()
    raise ApiError(401, BAD_CODE, [FieldError(field="code", message=BAD_CODE)])
