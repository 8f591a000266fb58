"""Who is calling: terminals by bearer token, lawyers and admins by session cookie.

Role checks live in the `require_*` dependencies; a route states its audience
by the one it depends on, so the audience is visible where the route is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from kiosk.hub.errors import ApiError
from kiosk.hub.settings import HubSettings
from kiosk.hub.state import DbDep, StateDep
from kiosk.hub.tables import AccountRow, ExpertRow, TerminalRow, WebSessionRow

SESSION_COOKIE = "kiosk_session"
CSRF_COOKIE = "kiosk_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Role(StrEnum):
    TERMINAL = "terminal"
    LAWYER = "lawyer"
    ADMIN = "admin"


def make_hasher(fast: bool) -> PasswordHasher:
    if fast:
        # The smallest parameters argon2 accepts: for test suites only.
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def verify_password(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request: Request) -> str:
    # Behind the bureau's TLS proxy uvicorn has already replaced this with X-Forwarded-For.
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Principal:
    role: Role
    terminal: TerminalRow | None = None
    account: AccountRow | None = None
    session: WebSessionRow | None = None


@dataclass(frozen=True)
class Lawyer:
    account: AccountRow
    expert: ExpertRow


def _principal(request: HTTPConnection, db: Session, now: datetime) -> Principal | None:
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        terminal = db.scalar(
            select(TerminalRow).where(TerminalRow.token_hash == token_digest(token))
        )
        return None if terminal is None else Principal(Role.TERMINAL, terminal=terminal)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    session = db.scalar(
        select(WebSessionRow).where(
            WebSessionRow.token_hash == token_digest(cookie), WebSessionRow.expires_at > now
        )
    )
    if session is None:
        return None
    account = session.account
    return Principal(Role(account.role), account=account, session=session)


def _authorise(request: Request, db: Session, now: datetime, *allowed: Role) -> Principal:
    principal = _principal(request, db, now)
    if principal is None:
        headers = {"WWW-Authenticate": "Bearer"} if Role.TERMINAL in allowed else None
        raise ApiError(401, "Authentication required.", headers=headers)
    if principal.role not in allowed:
        names = ", ".join(str(r) for r in allowed)
        raise ApiError(403, f"This needs the role: {names}.")
    if principal.session is not None and request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), principal.session.csrf_token.encode()):
            raise ApiError(403, f"Missing or wrong {CSRF_HEADER} header.")
    return principal


def principal_of(connection: HTTPConnection, db: Session, now: datetime) -> Principal | None:
    """Who opened a connection that has no route dependencies (a WebSocket), or None."""
    return _principal(connection, db, now)


def require_terminal(request: Request, db: DbDep, state: StateDep) -> TerminalRow:
    principal = _authorise(request, db, state.now(), Role.TERMINAL)
    assert principal.terminal is not None
    return principal.terminal


def require_lawyer(request: Request, db: DbDep, state: StateDep) -> Lawyer:
    principal = _authorise(request, db, state.now(), Role.LAWYER)
    account = principal.account
    assert account is not None and account.expert is not None
    return Lawyer(account=account, expert=account.expert)


def require_admin(request: Request, db: DbDep, state: StateDep) -> AccountRow:
    principal = _authorise(request, db, state.now(), Role.ADMIN)
    assert principal.account is not None
    return principal.account


def require_staff(request: Request, db: DbDep, state: StateDep) -> Principal:
    """A lawyer or an admin, by session."""
    return _authorise(request, db, state.now(), Role.LAWYER, Role.ADMIN)


def require_call_party(request: Request, db: DbDep, state: StateDep) -> Principal:
    """A terminal or a lawyer: the two ends of a video consultation."""
    return _authorise(request, db, state.now(), Role.TERMINAL, Role.LAWYER)


def require_any(request: Request, db: DbDep, state: StateDep) -> Principal:
    return _authorise(request, db, state.now(), Role.TERMINAL, Role.LAWYER, Role.ADMIN)


TerminalDep = Annotated[TerminalRow, Depends(require_terminal)]
LawyerDep = Annotated[Lawyer, Depends(require_lawyer)]
AdminDep = Annotated[AccountRow, Depends(require_admin)]
StaffDep = Annotated[Principal, Depends(require_staff)]
AnyDep = Annotated[Principal, Depends(require_any)]
CallPartyDep = Annotated[Principal, Depends(require_call_party)]


def set_session_cookies(
    response: Response, settings: HubSettings, token: str, csrf_token: str
) -> None:
    max_age = int(settings.session_lifetime.total_seconds())
    # The CSRF cookie is readable by the console's script, which echoes it in X-CSRF-Token.
    for name, value, http_only in ((SESSION_COOKIE, token, True), (CSRF_COOKIE, csrf_token, False)):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            samesite="strict",
            secure=settings.secure_cookies,
            httponly=http_only,
        )


def clear_session_cookies(response: Response, settings: HubSettings) -> None:
    for name, http_only in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(
            name, path="/", samesite="strict", secure=settings.secure_cookies, httponly=http_only
        )
