"""Session records: terminals upload them event by event; the bureau reads them."""

from __future__ import annotations

from typing import Annotated, TypeVarTuple
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from kiosk.domain.records import RecordAck, RecordUpload, SessionRecord
from kiosk.hub import convert, records
from kiosk.hub.auth import AdminDep, TerminalDep
from kiosk.hub.errors import ApiError, error_responses
from kiosk.hub.ranges import Month, month_if_given
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import ConsultationRow, SessionRecordRow

router = APIRouter(prefix="/v1/records", tags=["records"], responses=error_responses(401, 403))

# A lost race is run again; the winner has committed by then, so once is nearly always enough.
UPLOAD_ATTEMPTS = 3
PAGE_DEFAULT = 100
PAGE_MAX = 500
TOTAL_HEADER = "X-Total-Count"

Ts = TypeVarTuple("Ts")


@router.put("/{consultation_id}", responses=error_responses(422))
def upload(
    consultation_id: UUID, body: RecordUpload, terminal: TerminalDep, db: DbDep, state: StateDep
) -> RecordAck:
    """Idempotent: the answer comes after the commit and lists what the hub now holds."""
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        try:
            ack = records.store_upload(db, terminal, consultation_id, body, state.now())
            db.commit()
        except IntegrityError:
            # Another upload stored one of these events (or this callback) first: look again.
            db.rollback()
            if attempt == UPLOAD_ATTEMPTS:
                raise
            continue
        return ack
    raise AssertionError("unreachable")


def _filtered(
    query: Select[*Ts],
    month: Month | None,
    terminal_id: int | None,
    expert_id: int | None,
    flagged: bool,
) -> Select[*Ts]:
    query = query.outerjoin(ConsultationRow, ConsultationRow.id == SessionRecordRow.consultation_id)
    if month is not None:
        query = query.where(
            SessionRecordRow.occurred_at >= month.start, SessionRecordRow.occurred_at < month.end
        )
    if terminal_id is not None:
        query = query.where(SessionRecordRow.terminal_id == terminal_id)
    if expert_id is not None:
        query = query.where(
            or_(
                SessionRecordRow.expert_id == expert_id,
                ConsultationRow.accepted_expert_id == expert_id,
            )
        )
    if flagged:
        query = query.where(SessionRecordRow.flags != "")
    return query


@router.get(
    "",
    responses={
        **error_responses(422),
        200: {
            "description": "One page of records, oldest first.",
            "headers": {
                TOTAL_HEADER: {
                    "description": "How many records match, over all pages.",
                    "schema": {"type": "integer"},
                }
            },
        },
    },
)
def list_records(
    _admin: AdminDep,
    db: DbDep,
    response: Response,
    month: Annotated[Month | None, Depends(month_if_given)],
    terminal_id: Annotated[int | None, Query()] = None,
    expert_id: Annotated[
        int | None, Query(description="Answered by this expert, by the kiosk's or the hub's word.")
    ] = None,
    flagged: Annotated[
        bool, Query(description="Only records the hub flagged (any Disagreement).")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SessionRecord]:
    """Records counted in the month (the hub's request time, else the kiosk's), oldest first."""
    which = (month, terminal_id, expert_id, flagged)
    counted = select(func.count()).select_from(SessionRecordRow)
    total = db.scalar(_filtered(counted, *which)) or 0
    response.headers[TOTAL_HEADER] = str(total)
    query = _filtered(select(SessionRecordRow, ConsultationRow), *which)
    rows = db.execute(
        query.order_by(SessionRecordRow.occurred_at, SessionRecordRow.consultation_id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [convert.session_record(record, hub) for record, hub in rows]


@router.get("/{consultation_id}", responses=error_responses(404, 422))
def get_record(consultation_id: UUID, _admin: AdminDep, db: DbDep) -> SessionRecord:
    record = db.get(SessionRecordRow, consultation_id)
    if record is None:
        raise ApiError(404, f"Session record {consultation_id} does not exist.")
    return convert.session_record(record, db.get(ConsultationRow, consultation_id))
