"""Who is on duty when: what kiosks poll, so it answers 304 when nothing changed."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy import exists, select
from sqlalchemy.orm import contains_eager

from kiosk.domain import ExpertGroup, Schedule, ServiceCode
from kiosk.hub import convert
from kiosk.hub.auth import AnyDep
from kiosk.hub.errors import error_responses
from kiosk.hub.queries import list_shifts, shifts_overlapping
from kiosk.hub.ranges import TimeRange, time_range
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import DutyShiftRow, ExpertRow, ExpertServiceRow

router = APIRouter(prefix="/v1", tags=["schedule"])

MAX_SCHEDULE_SPAN = timedelta(days=31)
# Kiosks must ask again every time, but may reuse the body when the ETag still matches.
CACHE_CONTROL = "private, no-cache"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


@router.get(
    "/schedule",
    response_model=Schedule,
    responses={
        **error_responses(401, 403, 422),
        304: {"description": "Not modified: the `If-None-Match` ETag is still current."},
    },
)
def schedule(
    _who: AnyDep,
    db: DbDep,
    state: StateDep,
    window: Annotated[TimeRange, Depends(time_range(MAX_SCHEDULE_SPAN))],
    service: Annotated[ServiceCode | None, Query()] = None,
    group: Annotated[ExpertGroup | None, Query()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    query = (
        shifts_overlapping(window.start, window.end)
        .join(DutyShiftRow.expert)
        .where(ExpertRow.deleted_at.is_(None))
        .options(contains_eager(DutyShiftRow.expert))
    )
    if group is not None:
        query = query.where(ExpertRow.expert_group == group.value)
    if service is not None:
        query = query.where(
            exists(
                select(ExpertServiceRow.expert_id).where(
                    ExpertServiceRow.expert_id == ExpertRow.id,
                    ExpertServiceRow.service == service.value,
                )
            )
        )
    presence, now = state.switchboard.presence, state.now()
    entries = [convert.schedule_entry(row, presence, now) for row in list_shifts(db, query)]
    body = Schedule(range_from=window.start, range_to=window.end, entries=entries)
    content = body.model_dump_json().encode()
    etag = etag_of(content)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)
