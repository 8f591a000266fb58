"""Consultation records: a lawyer's own (their subsidy), all of them for the bureau."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select

from kiosk.domain import AccountRole
from kiosk.domain.consultations import Consultation, OutcomeIn
from kiosk.hub import convert
from kiosk.hub.auth import LawyerDep, StaffDep
from kiosk.hub.errors import ApiError, error_responses
from kiosk.hub.ranges import TimeRange, time_range
from kiosk.hub.state import DbDep
from kiosk.hub.tables import ConsultationRow

router = APIRouter(
    prefix="/v1/consultations", tags=["consultations"], responses=error_responses(401, 403)
)

MAX_LIST_SPAN = timedelta(days=366)


@router.get("", responses=error_responses(422))
def list_consultations(
    who: StaffDep,
    db: DbDep,
    window: Annotated[TimeRange, Depends(time_range(MAX_LIST_SPAN, looking_back=True))],
) -> list[Consultation]:
    """Requested within [from, to), oldest first: a lawyer's own (accepted), or all for admins."""
    query = select(ConsultationRow).where(
        ConsultationRow.requested_at >= window.start, ConsultationRow.requested_at < window.end
    )
    assert who.account is not None
    if who.account.role == AccountRole.LAWYER.value:
        query = query.where(ConsultationRow.accepted_expert_id == who.account.expert_id)
    rows = db.scalars(query.order_by(ConsultationRow.requested_at, ConsultationRow.id))
    return [convert.consultation(row) for row in rows]


@router.put("/{consultation_id}/outcome", status_code=204, responses=error_responses(404, 422))
def set_outcome(consultation_id: UUID, body: OutcomeIn, lawyer: LawyerDep, db: DbDep) -> Response:
    row = db.get(ConsultationRow, consultation_id)
    if row is None:
        raise ApiError(404, f"Consultation {consultation_id} does not exist.")
    if row.accepted_expert_id != lawyer.expert.id:
        raise ApiError(403, "Only the lawyer who accepted a consultation records its outcome.")
    row.outcome = body.outcome.value
    if body.notes is not None:
        row.notes = body.notes
    db.commit()
    return Response(status_code=204)
