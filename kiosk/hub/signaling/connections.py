"""One open signaling socket: a bounded outbox drained by its own task, and a refusal count.

The switchboard never awaits a peer: it queues messages here, so a slow or
stalled tab cannot hold up anyone else's call.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass

from pydantic import BaseModel
from starlette.websockets import WebSocket

log = logging.getLogger(__name__)

# Close codes (docs/signaling.md).
UNAUTHORISED = 4401
WRONG_ROLE = 4403
SILENT = 4408
TOO_MANY_REFUSED = 4429
TOO_SLOW = 4413  # the outbox overflowed: the peer does not read
INTERNAL_ERROR = 1011

REFUSAL_WINDOW_S = 60.0
OUTBOX_SIZE = 200
_ids = itertools.count(1)


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


class Connection:
    def __init__(self, websocket: WebSocket, who: str, refusal_limit: int) -> None:
        self.id = next(_ids)
        self.who = who  # "terminal 3", "expert 7": for the log
        self.websocket = websocket
        self.refusal_limit = refusal_limit
        self.opened = time.monotonic()
        self.answered = self.opened  # the last `pong` heard (the console's heartbeat)
        self.closing = False
        self._outbox: asyncio.Queue[str | _Close] = asyncio.Queue(OUTBOX_SIZE)
        self._refusals: deque[float] = deque()
        self._writer: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.who}>"

    def start(self) -> None:
        self._writer = asyncio.create_task(self._drain(), name=f"signal-writer-{self.id}")

    def send(self, message: BaseModel) -> None:
        if self.closing:
            return
        try:
            self._outbox.put_nowait(message.model_dump_json())
        except asyncio.QueueFull:
            log.warning("%s does not read its messages: closing", self)
            self._abort(TOO_SLOW, "too slow")

    def close(self, code: int, reason: str) -> None:
        """Close after the messages already queued (an `error` before a 4429, say)."""
        if self.closing:
            return
        self.closing = True
        try:
            self._outbox.put_nowait(_Close(code, reason))
        except asyncio.QueueFull:
            self._abort(code, reason)

    def refused(self) -> bool:
        """Count one refused message; True when this socket has now refused too many."""
        now = time.monotonic()
        self._refusals.append(now)
        while self._refusals and self._refusals[0] < now - REFUSAL_WINDOW_S:
            self._refusals.popleft()
        return len(self._refusals) > self.refusal_limit

    async def aclose(self, flush_s: float = 2.0) -> None:
        """Stop the writer, after it has sent a requested close (within `flush_s`)."""
        writer = self._writer
        if writer is None or writer.done():
            self.closing = True
            return
        if self.closing:
            done, _ = await asyncio.wait({writer}, timeout=flush_s)
            if done:
                return
        self.closing = True
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer

    def _abort(self, code: int, reason: str) -> None:
        self.closing = True
        while not self._outbox.empty():
            self._outbox.get_nowait()
        self._outbox.put_nowait(_Close(code, reason))

    async def _drain(self) -> None:
        try:
            while True:
                item = await self._outbox.get()
                if isinstance(item, _Close):
                    await self.websocket.close(item.code, item.reason)
                    return
                await self.websocket.send_text(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the peer went away mid-send: the reader notices too
            log.info("%s: send failed: %s", self, exc)
            self.closing = True
