"""The read loop of one signaling socket: parse, hand to the switchboard, refuse what is wrong.

Nothing a peer sends closes its socket except silence (4408) and too many
refused messages (4429); nothing it sends can crash the hub. A console tab's
socket also has a heartbeat: the hub pings it, and a tab that answers no ping
for a while is closed (4408) at once, so a lawyer whose network went stops
counting as reachable. Only a `pong` answers: a tab whose network lets it send
but not receive (a browser's "offline" mode does that) still sends its own pings.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocket

from kiosk.domain.signaling import MAX_SDP, Error, Ping, Pong
from kiosk.hub.settings import HubSettings
from kiosk.hub.signaling.connections import (
    INTERNAL_ERROR,
    SILENT,
    TOO_MANY_REFUSED,
    UNAUTHORISED,
    Connection,
)
from kiosk.hub.signaling.switchboard import Refused, Switchboard

log = logging.getLogger(__name__)

M = TypeVar("M")
# The largest message is an offer or answer: the SDP, JSON-escaped, plus a few fields.
MAX_FRAME = MAX_SDP + MAX_SDP // 4 + 1_000
_NAME = 40  # at most this much of a sender's `type` is echoed back


@dataclass(frozen=True)
class Heartbeat:
    interval: float  # seconds between the hub's pings
    timeout: float  # a socket that answered none for this long is closed


class Bad(Exception):
    def __init__(self, detail: str, refused: str | None, consultation_id: UUID | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.refused = refused
        self.consultation_id = consultation_id


def parse(adapter: TypeAdapter[M], text: str) -> M:
    """One message, or `Bad` naming as much as could be read of what was wrong."""
    try:
        raw: Any = json.loads(text)
    except ValueError:
        raise Bad("Malformed JSON.", None, None) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise Bad("A message is a JSON object with a string `type`.", None, None)
    kind = raw["type"][:_NAME]
    consultation_id = _uuid(raw.get("consultation_id"))
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        if first["type"] == "union_tag_invalid":
            raise Bad(f"Unknown message type {kind!r}.", kind, consultation_id) from None
        where = ".".join(str(p) for p in first["loc"][1:]) or "message"
        raise Bad(f"Invalid {kind}: {where}: {first['msg']}.", kind, consultation_id) from None


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None


async def run(
    websocket: WebSocket,
    conn: Connection,
    switchboard: Switchboard,
    settings: HubSettings,
    adapter: TypeAdapter[M],
    handle: Callable[[M], Awaitable[None]],
    attach: Callable[[], Awaitable[None]],
    still_valid: Callable[[], Awaitable[bool]],
    heartbeat: Heartbeat | None = None,
) -> None:
    """Attach, read until the peer goes, falls silent, misses the heartbeat, is refused too
    often or loses its credentials (checked again every `signal_reauth_interval`); then
    detach."""
    conn.start()
    try:
        try:
            await attach()
        except Exception:
            log.exception("%s: cannot attach", conn)
            conn.close(INTERNAL_ERROR, "hub error")
            return
        watchers = [asyncio.ensure_future(_read(websocket, conn, settings, adapter, handle,
                                                still_valid))]  # fmt: skip
        if heartbeat is not None:
            watchers.append(asyncio.ensure_future(_beat(conn, heartbeat)))
        try:
            await asyncio.wait(watchers, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Whichever ended first, the other stops: a reader still waiting for a peer
            # that stopped answering would hold up the detach for a whole idle timeout.
            for watcher in watchers:
                watcher.cancel()
            for result in await asyncio.gather(*watchers, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("%s: the socket's reader failed", conn, exc_info=result)
    finally:
        await switchboard.detach(conn)
        await conn.aclose()


async def _read(
    websocket: WebSocket,
    conn: Connection,
    settings: HubSettings,
    adapter: TypeAdapter[M],
    handle: Callable[[M], Awaitable[None]],
    still_valid: Callable[[], Awaitable[bool]],
) -> None:
    idle = settings.signal_idle_timeout.total_seconds()
    reauth = settings.signal_reauth_interval.total_seconds()
    checked = time.monotonic()
    while not conn.closing:
        try:
            event = await asyncio.wait_for(websocket.receive(), idle)
        except TimeoutError:
            log.info("%s silent for %.0f s: closing", conn, idle)
            conn.close(SILENT, "silent")
            return
        if event["type"] == "websocket.disconnect":
            return
        if time.monotonic() - checked > reauth:
            checked = time.monotonic()
            if not await still_valid():
                log.info("%s: credentials revoked or expired: closing", conn)
                conn.close(UNAUTHORISED, "credentials no longer valid")
                return
        await _one(conn, event, adapter, handle)


async def _beat(conn: Connection, heartbeat: Heartbeat) -> None:
    ping = Ping()
    while not conn.closing:
        await asyncio.sleep(heartbeat.interval)
        silent = time.monotonic() - conn.answered
        if silent > heartbeat.timeout:
            log.info("%s answered no heartbeat for %.0f s: closing", conn, silent)
            conn.close(SILENT, "no answer to the heartbeat")
            return
        conn.send(ping)


async def _one(
    conn: Connection,
    event: Mapping[str, Any],
    adapter: TypeAdapter[M],
    handle: Callable[[M], Awaitable[None]],
) -> None:
    text = event.get("text")
    try:
        if text is None:
            raise Bad("Only JSON text frames are accepted.", None, None)
        if len(text) > MAX_FRAME:
            raise Bad(f"Message too large (more than {MAX_FRAME} characters).", None, None)
        message = parse(adapter, text)
        if isinstance(message, Pong):
            conn.answered = time.monotonic()
        refused, consultation_id = _names(message)
        try:
            await handle(message)
        except Refused as exc:
            if not exc.counts:
                conn.send(Error(detail=exc.detail, refused=refused))
                return
            raise Bad(exc.detail, refused, consultation_id) from None
    except Bad as bad:
        log.info("%s: refused %s: %s", conn, bad.refused or "message", bad.detail)
        conn.send(
            Error(detail=bad.detail, refused=bad.refused, consultation_id=bad.consultation_id)
        )
        if conn.refused():
            log.warning("%s: too many refused messages: closing", conn)
            conn.close(TOO_MANY_REFUSED, "too many refused messages")
    except SQLAlchemyError:
        log.exception("%s: the database failed", conn)
        conn.send(Error(detail="The hub could not store this just now; try again."))
    except Exception:
        log.exception("%s: unexpected failure", conn)
        conn.send(Error(detail="The hub failed to handle this message."))


def _names(message: object) -> tuple[str | None, UUID | None]:
    kind = getattr(message, "type", None)
    consultation_id = getattr(message, "consultation_id", None)
    return (
        kind if isinstance(kind, str) else None,
        consultation_id if isinstance(consultation_id, UUID) else None,
    )
