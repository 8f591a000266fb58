"""The first administrator of a real (not demo) hub: made from the command line.

Nobody can log in to an empty database, so the bureau's technician creates an
administrator on the server itself; that person then manages everything else
in the console.
"""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from kiosk.domain import AccountRole
from kiosk.domain.models import LawyerAccountIn
from kiosk.hub.auth import make_hasher
from kiosk.hub.db import make_engine, make_sessionmaker, migrate
from kiosk.hub.tables import AccountRow


class AdminError(ValueError):
    pass


def set_admin(db_url: str, username: str, password: str) -> bool:
    """Create the administrator, or reset their password; True if created."""
    try:
        # The same rules as a lawyer's login: a plain username, a password of 10+ characters.
        TypeAdapter(LawyerAccountIn).validate_python({"username": username, "password": password})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise AdminError(f"{first['loc'][0]}: {first['msg']}") from None
    engine = make_engine(db_url)
    try:
        migrate(engine)
        hasher = make_hasher(fast=False)
        with make_sessionmaker(engine)() as db:
            account = db.scalar(select(AccountRow).where(AccountRow.username == username))
            if account is not None and account.role != AccountRole.ADMIN.value:
                raise AdminError(f"username: {username!r} is a lawyer's login")
            created = account is None
            if account is None:
                account = AccountRow(username=username, role=AccountRole.ADMIN.value)
                db.add(account)
            account.password_hash = hasher.hash(password)
            db.commit()
            return created
    finally:
        engine.dispose()
