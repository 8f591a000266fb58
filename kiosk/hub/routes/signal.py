"""The two signaling WebSockets: one per terminal, one per lawyer's console tab."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket

from kiosk.domain.signaling import FROM_CONSOLE, FROM_TERMINAL, FromConsole, FromTerminal
from kiosk.hub.auth import Principal, Role, principal_of
from kiosk.hub.signaling import sockets
from kiosk.hub.signaling.calls import Place
from kiosk.hub.signaling.connections import UNAUTHORISED, WRONG_ROLE, Connection
from kiosk.hub.state import HubState

log = logging.getLogger(__name__)

router = APIRouter(tags=["signaling"])


def _state(websocket: WebSocket) -> HubState:
    state: HubState = websocket.app.state.hub
    return state


def _who(state: HubState, websocket: WebSocket) -> Principal | None:
    with state.sessions() as db:
        return principal_of(websocket, db, state.now())


def same_origin(websocket: WebSocket) -> bool:
    """The page that opened the socket is the hub's own (no cross-site WebSocket hijacking)."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


async def _refuse(websocket: WebSocket, code: int, why: str) -> None:
    client = websocket.client.host if websocket.client else "unknown"
    log.info("signal socket from %s refused (%s): %s", client, code, why)
    # Accept first: a close code can only travel over an open socket.
    await websocket.accept()
    await websocket.close(code, why)


@router.websocket("/v1/signal/terminal")
async def terminal_socket(websocket: WebSocket) -> None:
    state = _state(websocket)
    who = await asyncio.to_thread(_who, state, websocket)
    if who is None:
        await _refuse(websocket, UNAUTHORISED, "authentication required")
        return
    if who.role is not Role.TERMINAL or who.terminal is None:
        await _refuse(websocket, WRONG_ROLE, "this socket is for terminals")
        return
    row = who.terminal
    terminal_id = row.id
    place = Place(row.county, row.town, row.village, row.site_name)
    await websocket.accept()
    switchboard = state.switchboard
    conn = Connection(websocket, f"terminal {terminal_id}", state.settings.refusal_limit)

    async def attach() -> None:
        await switchboard.attach_terminal(conn, terminal_id, place)

    async def handle(message: FromTerminal) -> None:
        await switchboard.from_terminal(conn, terminal_id, message)

    async def still_valid() -> bool:  # re-enrolment revokes the token
        again = await asyncio.to_thread(_who, state, websocket)
        return again is not None and again.terminal is not None and again.terminal.id == terminal_id

    await sockets.run(
        websocket, conn, switchboard, state.settings, FROM_TERMINAL, handle, attach, still_valid
    )


@router.websocket("/v1/signal/console")
async def console_socket(websocket: WebSocket) -> None:
    state = _state(websocket)
    if not same_origin(websocket):
        await _refuse(websocket, WRONG_ROLE, "cross-origin or missing Origin")
        return
    who = await asyncio.to_thread(_who, state, websocket)
    if who is None:
        await _refuse(websocket, UNAUTHORISED, "authentication required")
        return
    account = who.account
    if who.role is not Role.LAWYER or account is None or account.expert_id is None:
        await _refuse(websocket, WRONG_ROLE, "this socket is for lawyers")
        return
    expert_id = account.expert_id
    await websocket.accept()
    switchboard = state.switchboard
    conn = Connection(websocket, f"expert {expert_id}", state.settings.refusal_limit)

    async def attach() -> None:
        await switchboard.attach_expert(conn, expert_id)

    async def handle(message: FromConsole) -> None:
        await switchboard.from_expert(conn, expert_id, message)

    async def still_valid() -> bool:  # logged out, expired, or the login was removed
        again = await asyncio.to_thread(_who, state, websocket)
        return (
            again is not None
            and again.role is Role.LAWYER
            and again.account is not None
            and again.account.expert_id == expert_id
        )

    settings = state.settings
    heartbeat = sockets.Heartbeat(
        settings.console_heartbeat.total_seconds(), settings.console_timeout.total_seconds()
    )
    await sockets.run(
        websocket, conn, switchboard, settings, FROM_CONSOLE, handle, attach, still_valid,
        heartbeat,
    )  # fmt: skip
