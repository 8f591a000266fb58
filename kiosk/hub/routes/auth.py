"""Login, logout and the current session of lawyers and admins."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete, select

from kiosk.domain import AccountRole, LoginRequest, SessionInfo
from kiosk.hub import throttle
from kiosk.hub.auth import (
    StaffDep,
    clear_session_cookies,
    client_address,
    new_token,
    set_session_cookies,
    token_digest,
    verify_password,
)
from kiosk.hub.errors import ApiError, error_responses
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import AccountRow, WebSessionRow

router = APIRouter(prefix="/v1/auth", tags=["auth"])

WRONG_LOGIN = "Wrong username or password."


def session_info(account: AccountRow, csrf_token: str) -> SessionInfo:
    expert = account.expert
    return SessionInfo(
        username=account.username,
        role=AccountRole(account.role),
        display_name=expert.name if expert is not None else account.username,
        expert_id=account.expert_id,
        csrf_token=csrf_token,
    )


@router.post("/login", responses=error_responses(401, 422, 429))
def login(
    body: LoginRequest, request: Request, response: Response, db: DbDep, state: StateDep
) -> SessionInfo:
    settings = state.settings
    now = state.now()
    # Keyed by the name as typed, whether or not it exists, so the throttle tells nothing.
    user_key = f"user:{body.username.lower()}"
    address_key = f"addr:{client_address(request)}"
    throttle.refuse_if_blocked(db, (user_key, address_key), now)

    account = db.scalar(select(AccountRow).where(AccountRow.username == body.username))
    # An unknown user still costs one argon2 verification, so timing does not tell either.
    stored = account.password_hash if account is not None else state.dummy_hash
    if not verify_password(state.hasher, stored, body.password) or account is None:
        throttle.record_failure(db, user_key, settings.throttle_user, now)
        throttle.record_failure(db, address_key, settings.throttle_address, now)
        db.commit()
        raise ApiError(401, WRONG_LOGIN)

    throttle.forget(db, user_key)
    if state.hasher.check_needs_rehash(account.password_hash):
        account.password_hash = state.hasher.hash(body.password)
    db.execute(
        delete(WebSessionRow)
        .where(WebSessionRow.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    token, csrf_token = new_token(), new_token()
    db.add(
        WebSessionRow(
            token_hash=token_digest(token),
            csrf_token=csrf_token,
            account_id=account.id,
            created_at=now,
            expires_at=now + settings.session_lifetime,
        )
    )
    db.commit()
    set_session_cookies(response, settings, token, csrf_token)
    return session_info(account, csrf_token)


@router.post("/logout", status_code=204, responses=error_responses(401, 403))
def logout(who: StaffDep, db: DbDep, state: StateDep) -> Response:
    if who.session is not None:
        db.delete(who.session)
        db.commit()
    response = Response(status_code=204)
    clear_session_cookies(response, state.settings)
    return response


@router.get("/session", responses=error_responses(401, 403))
def current_session(who: StaffDep) -> SessionInfo:
    assert who.account is not None and who.session is not None
    return session_info(who.account, who.session.csrf_token)
