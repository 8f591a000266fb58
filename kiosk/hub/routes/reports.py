"""The subsidy report: the whole month for the bureau, a lawyer's own line for the lawyer."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Response

from kiosk.domain import AccountRole
from kiosk.domain.reports import SubsidyReport
from kiosk.hub.auth import StaffDep
from kiosk.hub.errors import error_responses
from kiosk.hub.ranges import Month, month_or_current
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.subsidy import report_csv, subsidy_report

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=error_responses(401, 403))


def _report(who: StaffDep, db: DbDep, state: StateDep, month: Month) -> SubsidyReport:
    assert who.account is not None
    # A lawyer sees the figures they are paid by, not their colleagues' nor the villages'.
    own = who.account.expert_id if who.account.role == AccountRole.LAWYER.value else None
    return subsidy_report(db, month, state.settings.time_zone, state.now(), expert_id=own)


@router.get("/subsidy", responses=error_responses(422))
def subsidy(
    who: StaffDep,
    db: DbDep,
    state: StateDep,
    month: Annotated[Month, Depends(month_or_current)],
) -> SubsidyReport:
    return _report(who, db, state, month)


@router.get(
    "/subsidy.csv",
    response_class=Response,
    responses={
        **error_responses(422),
        200: {
            "description": "The same report as CSV (UTF-8 with a byte-order mark).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
)
def subsidy_csv(
    who: StaffDep,
    db: DbDep,
    state: StateDep,
    month: Annotated[Month, Depends(month_or_current)],
) -> Response:
    report = _report(who, db, state, month)
    ascii_name = f"subsidy-{month.label}.csv"
    chinese_name = quote(f"补贴报表-{month.label}.csv")
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            # filename* for browsers (a Chinese name), filename for anything older.
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{chinese_name}"
            ),
        },
    )
