"""A lawyer's own view: who they are, their shifts, whether they take calls now."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends

from kiosk.domain import AvailabilityUpdate, DutyShift, Expert
from kiosk.hub import convert
from kiosk.hub.auth import LawyerDep
from kiosk.hub.availability import set_availability as log_availability
from kiosk.hub.errors import error_responses
from kiosk.hub.queries import list_shifts, shifts_overlapping
from kiosk.hub.ranges import TimeRange, time_range
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import DutyShiftRow

router = APIRouter(prefix="/v1/me", tags=["me"], responses=error_responses(401, 403))

# Long enough for a quarter's subsidy claim, short enough to bound one answer.
MAX_SHIFT_LIST_SPAN = timedelta(days=366)


@router.get("")
def me(lawyer: LawyerDep, state: StateDep) -> Expert:
    return convert.expert(lawyer.expert, state.switchboard.presence)


@router.get("/shifts", responses=error_responses(422))
def my_shifts(
    lawyer: LawyerDep,
    db: DbDep,
    window: Annotated[TimeRange, Depends(time_range(MAX_SHIFT_LIST_SPAN))],
) -> list[DutyShift]:
    query = shifts_overlapping(window.start, window.end).where(
        DutyShiftRow.expert_id == lawyer.expert.id
    )
    return [convert.shift(row) for row in list_shifts(db, query)]


@router.put("/availability", responses=error_responses(422))
def set_availability(
    body: AvailabilityUpdate, lawyer: LawyerDep, db: DbDep, state: StateDep
) -> Expert:
    log_availability(db, lawyer.expert, body.availability, state.now())
    db.commit()
    state.switchboard.nudge()  # ring them for waiting calls, or stop ringing them
    return convert.expert(lawyer.expert, state.switchboard.presence)
