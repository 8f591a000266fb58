"""The outbox for the asyncio loop: the SQLite file on a thread of its own.

Each append returns once the event is on disk (the caller moves the UI on
after that). All file work runs on one worker thread, in the order it was
asked for, so the loop (and the call's media on it) never waits for an fsync.

A full disk does not lose an event: a reserve file made in advance is given
up to make room; if even that is not enough, events wait in memory, in order,
and are written as soon as the disk takes them; the maintenance screen says so
from the first failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from kiosk.domain.records import CallbackRequested, RecordEvent
from kiosk.outbox.seal import SealBroken, Sealer
from kiosk.outbox.store import (
    OUTBOX_FILE,
    NewEvent,
    OutboxStore,
    OutboxUnavailable,
    StoredEvent,
    StoreStatus,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

RESERVE_FILE = "outbox.reserve"
RESERVE_BYTES = 4 * 1024 * 1024  # some thousands of events: days of a busy terminal
RETRY_UNSAVED_S = 15.0

_EVENT: TypeAdapter[RecordEvent] = TypeAdapter(RecordEvent)


@dataclass(frozen=True)
class OutboxHealth:
    """What the maintenance screen shows of the outbox."""

    pending: int = 0
    consultations: int = 0
    oldest_appended_at: float | None = None
    parked: int = 0
    set_aside: tuple[str, ...] = ()
    unsaved: int = 0  # events only in memory: the disk refused them
    disk_full: bool = False
    reserve_used: bool = False
    key_where: str = ""
    problem: str = ""  # the last write error, for a technician

    @property
    def needs_attention(self) -> bool:
        return bool(self.parked or self.set_aside or self.unsaved or self.disk_full
                    or self.reserve_used or self.problem)


@dataclass(frozen=True)
class Batch:
    consultation_id: UUID
    events: list[RecordEvent]
    stored: list[StoredEvent]


class Outbox:
    def __init__(
        self,
        data_dir: Path,
        sealer: Sealer,
        *,
        on_health: Callable[[OutboxHealth], None] | None = None,
        reserve_bytes: int = RESERVE_BYTES,
    ) -> None:
        self.path = data_dir / OUTBOX_FILE
        self._reserve = data_dir / RESERVE_FILE
        self._reserve_bytes = reserve_bytes
        self._sealer = sealer
        self._on_health = on_health
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
        self._store: OutboxStore | None = None
        self._unsaved: list[NewEvent] = []
        self._retry: asyncio.Task[None] | None = None
        self._reserve_tried_at = 0.0
        self._writing = asyncio.Lock()  # the retry and a new append must not write one batch twice
        self._health = OutboxHealth(key_where=sealer.where)
        # Set on every append: the uploader waits on it when the queue is empty.
        self.appended = asyncio.Event()

    @property
    def health(self) -> OutboxHealth:
        return self._health

    async def open(self) -> OutboxHealth:
        self._store = await self._run(OutboxStore, self.path)
        reserve = await self._run(self._keep_reserve)
        self._set_health(reserve_used=not reserve)
        return await self.refresh_health()

    async def aclose(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
        if self._unsaved:
            # Last chance before the process goes: the disk may have room now.
            with contextlib.suppress(OutboxUnavailable):
                await self._write_unsaved()
        store, self._store = self._store, None
        if store is not None:
            await self._run(store.close)
        self._pool.shutdown(wait=True)

    # --- the keeper's side ---------------------------------------------------------------

    async def append(self, consultation_id: UUID, events: list[RecordEvent]) -> bool:
        """Keep these events; True when they are on disk, False when only in memory (for now)."""
        self._unsaved.extend(self._encode(consultation_id, e) for e in events)
        try:
            await self._write_unsaved()
        except OutboxUnavailable as exc:
            log.error("outbox: %d events wait in memory: %s", len(self._unsaved), exc)
            self._set_health(unsaved=len(self._unsaved), disk_full=exc.disk_full, problem=str(exc))
            if self._retry is None or self._retry.done():
                self._retry = asyncio.create_task(self._retry_unsaved(), name="outbox retry")
            return False
        finally:
            self.appended.set()
        return True

    # --- the uploader's side --------------------------------------------------------------

    async def next_batch(self, limit: int, exclude: frozenset[UUID] = frozenset()) -> Batch | None:
        # A loop, not a recursion: after a lost key a long run of unreadable consultations
        # would exhaust the stack and end the uploader.
        while True:
            stored = await self._run(self._require().next_batch, limit, exclude)
            if not stored:
                return None
            events: list[RecordEvent] = []
            for item in stored:
                try:
                    events.append(self._decode(item))
                except (SealBroken, ValidationError, ValueError) as exc:
                    # Unreadable now is unreadable later: set the consultation aside, go on.
                    await self.park(item.consultation_id,
                                    f"event {item.event_id} unreadable: {exc}")
                    break
            else:
                return Batch(stored[0].consultation_id, events, stored)

    async def acknowledge(self, batch: Batch, event_ids: set[UUID]) -> int:
        store = self._require()
        gone = await self._run(store.acknowledge, sorted(event_ids, key=str))
        if any(s.sealed and s.event_id in event_ids for s in batch.stored):
            await self._run(store.purge_freed_pages)
        return gone

    async def park(self, consultation_id: UUID, reason: str) -> int:
        log.error("outbox: setting aside consultation %s: %s", consultation_id, reason)
        moved = await self._run(self._require().park, consultation_id, reason)
        await self.refresh_health()
        return moved

    async def unpark(self) -> int:
        moved = await self._run(self._require().unpark)
        self.appended.set()
        await self.refresh_health()
        return moved

    async def pending(self) -> list[StoredEvent]:
        return await self._run(self._require().pending)

    async def refresh_health(self) -> OutboxHealth:
        status: StoreStatus = await self._run(self._require().status)
        self._set_health(
            pending=status.pending, consultations=status.consultations,
            oldest_appended_at=status.oldest_appended_at, parked=status.parked,
            set_aside=status.set_aside, unsaved=len(self._unsaved),
        )
        return self._health

    # --- inside ----------------------------------------------------------------------------

    def _encode(self, consultation_id: UUID, event: RecordEvent) -> NewEvent:
        body = event.model_dump_json().encode()
        sealed = isinstance(event, CallbackRequested)
        if sealed:
            body = self._sealer.seal(body)
        return NewEvent(consultation_id, event.id, event.seq, body, sealed)

    def _decode(self, item: StoredEvent) -> RecordEvent:
        body = self._sealer.open(item.body) if item.sealed else item.body
        return _EVENT.validate_json(body)

    async def _write_unsaved(self) -> None:
        async with self._writing:
            batch = list(self._unsaved)
            if not batch:
                return
            try:
                await self._run(self._require().append, batch)
            except OutboxUnavailable as exc:
                if not exc.disk_full or not await self._run(self._give_up_reserve):
                    raise
                self._set_health(reserve_used=True)
                await self._run(self._require().append, batch)  # room made: try once more
            del self._unsaved[: len(batch)]
            if self._health.reserve_used and time.monotonic() - self._reserve_tried_at > 60:
                # Keep a reserve again for the next time, once the disk has room for it;
                # trying costs a large write, so not with every event.
                self._reserve_tried_at = time.monotonic()
                reserve = await self._run(self._keep_reserve)
                self._set_health(reserve_used=not reserve)
        if self._health.unsaved or self._health.disk_full:
            self._set_health(unsaved=len(self._unsaved), disk_full=False)

    async def _retry_unsaved(self) -> None:
        while self._unsaved:
            await asyncio.sleep(RETRY_UNSAVED_S)
            try:
                await self._write_unsaved()
            except OutboxUnavailable as exc:
                self._set_health(unsaved=len(self._unsaved), disk_full=exc.disk_full,
                                 problem=str(exc))
                continue
            log.info("outbox: the events that waited in memory are on disk")
            reserve = await self._run(self._keep_reserve)
            self._set_health(problem="", reserve_used=not reserve)
            self.appended.set()

    def _keep_reserve(self) -> bool:
        """Worker thread: make the reserve file if missing; False when the disk has no room."""
        if self._reserve.exists() and self._reserve.stat().st_size >= self._reserve_bytes:
            return True
        try:
            with open(self._reserve, "wb") as handle:
                handle.write(b"\0" * self._reserve_bytes)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            log.warning("outbox: no room for the reserve file yet: %s", exc)
            with contextlib.suppress(OSError):
                self._reserve.unlink()
            return False
        return True

    def _give_up_reserve(self) -> bool:
        """Worker thread: delete the reserve to make room; False when there was none."""
        try:
            self._reserve.unlink()
        except FileNotFoundError:
            return False
        log.error("outbox: the disk is full; the reserve file was given up to keep records")
        return True

    def _set_health(self, **changes: Any) -> None:
        new = replace(self._health, **changes)
        if new != self._health:
            self._health = new
            if self._on_health is not None:
                self._on_health(new)

    def _require(self) -> OutboxStore:
        if self._store is None:
            raise OutboxUnavailable("the outbox is not open")
        return self._store

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args))
