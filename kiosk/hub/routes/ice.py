"""ICE servers for a terminal's or a lawyer's peer connection (STUN, TURN credentials)."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.domain.signaling import IceServers
from kiosk.hub.auth import CallPartyDep
from kiosk.hub.errors import error_responses
from kiosk.hub.ice import ice_servers
from kiosk.hub.state import StateDep

router = APIRouter(prefix="/v1", tags=["signaling"])


@router.get("/ice-servers", responses=error_responses(401, 403))
def get_ice_servers(who: CallPartyDep, state: StateDep) -> IceServers:
    if who.terminal is not None:
        principal = f"terminal-{who.terminal.id}"
    else:
        assert who.account is not None
        principal = f"expert-{who.account.expert_id}"
    return ice_servers(state.settings, principal, state.now())
