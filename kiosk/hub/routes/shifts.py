"""Duty shifts (admin only): the basis of the schedule and of duty subsidies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from kiosk.domain import DutyShift, DutyShiftIn
from kiosk.hub import convert
from kiosk.hub.auth import AdminDep
from kiosk.hub.errors import ApiError, error_responses, not_found
from kiosk.hub.queries import (
    first_overlap,
    list_shifts,
    live_expert,
    lock_expert,
    shifts_overlapping,
)
from kiosk.hub.ranges import TimeRange, time_range
from kiosk.hub.routes.me import MAX_SHIFT_LIST_SPAN
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import DutyShiftRow

router = APIRouter(prefix="/v1/shifts", tags=["shifts"], responses=error_responses(401, 403))


@router.get("", responses=error_responses(422))
def list_all(
    _admin: AdminDep,
    db: DbDep,
    window: Annotated[TimeRange, Depends(time_range(MAX_SHIFT_LIST_SPAN))],
    expert_id: Annotated[int | None, Query()] = None,
) -> list[DutyShift]:
    query = shifts_overlapping(window.start, window.end)
    if expert_id is not None:
        query = query.where(DutyShiftRow.expert_id == expert_id)
    return [convert.shift(row) for row in list_shifts(db, query)]


@router.post("", status_code=201, responses=error_responses(404, 409, 422))
def create(body: DutyShiftIn, _admin: AdminDep, db: DbDep, state: StateDep) -> DutyShift:
    lock_expert(db, body.expert_id)
    live_expert(db, body.expert_id)
    clash = first_overlap(db, body.expert_id, body.starts_at, body.ends_at)
    if clash is not None:
        raise ApiError(
            409,
            f"The shift overlaps shift {clash.id} of the same expert "
            f"({clash.starts_at.isoformat()} to {clash.ends_at.isoformat()}).",
        )
    row = DutyShiftRow(expert_id=body.expert_id, starts_at=body.starts_at, ends_at=body.ends_at)
    db.add(row)
    db.commit()
    state.switchboard.nudge()
    return convert.shift(row)


@router.delete("/{shift_id}", status_code=204, responses=error_responses(404, 422))
def remove(shift_id: int, _admin: AdminDep, db: DbDep, state: StateDep) -> Response:
    row = db.get(DutyShiftRow, shift_id)
    if row is None:
        raise not_found("Shift", shift_id)
    db.delete(row)
    db.commit()
    state.switchboard.nudge()
    return Response(status_code=204)
