"""What one running hub shares between requests, kept on `app.state.hub`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from argon2 import PasswordHasher
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kiosk.hub.db import get_db
from kiosk.hub.settings import HubSettings
from kiosk.hub.signaling.switchboard import Switchboard


@dataclass(frozen=True)
class HubState:
    settings: HubSettings
    engine: Engine
    sessions: sessionmaker[Session]
    hasher: PasswordHasher
    # Verified against when the username is unknown, so both failures cost the same time.
    dummy_hash: str
    switchboard: Switchboard

    def now(self) -> datetime:
        return self.settings.clock()


def get_state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state


StateDep = Annotated[HubState, Depends(get_state)]
DbDep = Annotated[Session, Depends(get_db)]
