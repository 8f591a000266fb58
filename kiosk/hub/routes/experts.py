"""The bureau's experts and their lawyer logins (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import delete, select

from kiosk.domain import AccountRole, Availability, Expert, ExpertIn, LawyerAccountIn
from kiosk.hub import convert
from kiosk.hub.auth import AdminDep
from kiosk.hub.availability import set_availability
from kiosk.hub.errors import error_responses, field_error
from kiosk.hub.queries import live_expert, lock_expert
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import AccountRow, DutyShiftRow, ExpertRow, ExpertServiceRow, WebSessionRow

router = APIRouter(prefix="/v1/experts", tags=["experts"], responses=error_responses(401, 403))


def _apply(row: ExpertRow, body: ExpertIn) -> None:
    row.name = body.name
    row.expert_group = body.group.value
    row.organisation = body.organisation
    wanted = {s.value for s in body.services}
    row.services = [s for s in row.services if s.service in wanted]
    have = {s.service for s in row.services}
    row.services.extend(ExpertServiceRow(service=s) for s in sorted(wanted - have))


@router.get("")
def list_experts(_admin: AdminDep, db: DbDep, state: StateDep) -> list[Expert]:
    rows = db.scalars(
        select(ExpertRow).where(ExpertRow.deleted_at.is_(None)).order_by(ExpertRow.id)
    )
    presence = state.switchboard.presence
    return [convert.expert(row, presence) for row in rows]


@router.post("", status_code=201, responses=error_responses(422))
def create_expert(body: ExpertIn, _admin: AdminDep, db: DbDep, state: StateDep) -> Expert:
    row = ExpertRow(services=[])
    _apply(row, body)
    db.add(row)
    # New experts start away: they say they are at their desk by setting themselves available.
    set_availability(db, row, Availability.AWAY, state.now())
    db.commit()
    return convert.expert(row)


@router.put("/{expert_id}", responses=error_responses(404, 422))
def update_expert(
    expert_id: int, body: ExpertIn, _admin: AdminDep, db: DbDep, state: StateDep
) -> Expert:
    row = live_expert(db, expert_id)
    _apply(row, body)
    db.commit()
    state.switchboard.nudge()  # their services may have changed
    return convert.expert(row, state.switchboard.presence)


@router.delete("/{expert_id}", status_code=204, responses=error_responses(404, 422))
def delete_expert(expert_id: int, _admin: AdminDep, db: DbDep, state: StateDep) -> Response:
    now = state.now()
    row = live_expert(db, expert_id)
    lock_expert(db, expert_id)
    # Past shifts stay as subsidy evidence; the one under way ends now; later ones go.
    db.execute(
        delete(DutyShiftRow)
        .where(DutyShiftRow.expert_id == expert_id, DutyShiftRow.starts_at >= now)
        .execution_options(synchronize_session=False)
    )
    for shift in db.scalars(
        select(DutyShiftRow).where(
            DutyShiftRow.expert_id == expert_id,
            DutyShiftRow.starts_at < now,
            DutyShiftRow.ends_at > now,
        )
    ):
        shift.ends_at = now
    if row.account is not None:
        db.delete(row.account)
    row.deleted_at = now
    set_availability(db, row, Availability.AWAY, now)
    db.commit()
    state.switchboard.nudge()
    return Response(status_code=204)


@router.put("/{expert_id}/account", status_code=204, responses=error_responses(404, 409, 422))
def set_account(
    expert_id: int, body: LawyerAccountIn, _admin: AdminDep, db: DbDep, state: StateDep
) -> Response:
    row = live_expert(db, expert_id)
    holder = db.scalar(select(AccountRow).where(AccountRow.username == body.username))
    if holder is not None and holder.expert_id != expert_id:
        raise field_error(409, "username", "is taken by another account")
    account = row.account
    if account is None:
        account = AccountRow(role=AccountRole.LAWYER.value, expert_id=expert_id)
        db.add(account)
    else:
        # A reset password must also end every session opened with the old one.
        db.execute(
            delete(WebSessionRow)
            .where(WebSessionRow.account_id == account.id)
            .execution_options(synchronize_session=False)
        )
    account.username = body.username
    account.password_hash = state.hasher.hash(body.password)
    db.commit()
    return Response(status_code=204)
