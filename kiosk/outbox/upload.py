"""Sends the outbox to the hub, oldest consultation first, each consultation's events in order.

An event leaves the outbox only when the hub's answer names it (the hub
answers after its commit). Trouble on the way — no network, a timeout, a 5xx,
a body that is not the hub's — is waited out with full-jitter exponential
backoff, never shorter than the hub's Retry-After. A refusal that will not
change (a 4xx other than 408/409/425/429) sets that consultation aside in the
outbox, where a technician sees it, and the queue goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from kiosk.api.errors import HubError, HubProblem
from kiosk.domain.records import MAX_EVENTS_PER_UPLOAD, RecordAck, RecordEvent
from kiosk.outbox.outbox import Batch, Outbox
from kiosk.outbox.store import OutboxUnavailable

log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 300.0  # a hub back after an outage hears from every terminal within minutes
MAX_RETRY_AFTER_S = 3600.0
# Consultations in flight at once: one's round trip to the hub overlaps the other's disk work.
LANES = 2
HEALTH_EVERY_S = 1.0  # a hub asking for longer is wrong; ask again within the hour


class RecordSink(Protocol):
    """What the uploader needs of the hub's client (`kiosk.api.client.HubClient`)."""

    async def put_record(self, consultation_id: UUID, events: list[RecordEvent]) -> RecordAck: ...


class UploadState(StrEnum):
    IDLE = "idle"  # nothing to send
    SENDING = "sending"
    WAITING = "waiting"  # backing off after trouble
    NO_LINK = "no_link"  # not enrolled yet: nothing to send with


@dataclass(frozen=True)
class UploadStatus:
    state: UploadState = UploadState.IDLE
    sent_events: int = 0  # since the kiosk started
    last_success_at: float | None = None  # wall clock
    last_error: str = ""
    next_attempt_in_s: float | None = None


def full_jitter(attempt: int, *, first: float = FIRST_BACKOFF_S, cap: float = MAX_BACKOFF_S,
                rng: Callable[[float, float], float] = random.uniform) -> float:
    """AWS's "full jitter": anywhere up to the exponential step, so terminals do not march."""
    # 2 ** 1024 does not fit a float (OverflowError), and a week offline makes that many
    # attempts: the exponent stops short of it, far past any cap.
    return rng(0.0, min(cap, first * 2.0 ** min(max(attempt - 1, 0), 1000)))


class Uploader:
    def __init__(
        self,
        outbox: Outbox,
        sink: Callable[[], RecordSink | None],
        *,
        batch_size: int = MAX_EVENTS_PER_UPLOAD,
        on_status: Callable[[UploadStatus], None] | None = None,
        backoff: Callable[[int], float] = full_jitter,
        idle_poll_s: float = 60.0,
        lanes: int = LANES,
    ) -> None:
        """`sink` is asked before each upload: the hub link comes after enrolment."""
        self._outbox = outbox
        self._sink = sink
        self._batch_size = batch_size
        self._on_status = on_status
        self._backoff = backoff
        self._idle_poll_s = idle_poll_s
        self._status = UploadStatus()
        self._task: asyncio.Task[None] | None = None
        self._poke = asyncio.Event()
        self._lanes = max(1, lanes)
        self._in_flight: set[UUID] = set()
        self._claiming = asyncio.Lock()
        self._health_at = 0.0
        self._failures = 0  # in a row, over all lanes
        self._hold_until = 0.0  # monotonic: no lane sends before this

    @property
    def status(self) -> UploadStatus:
        return self._status

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="record uploader")

    def poke(self) -> None:
        """Try now (the network came back, a technician asked): the backoff is cut short."""
        self._poke.set()

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self) -> int:
        """Send until the outbox is empty or the hub fails once; the number of events sent."""
        sent = 0
        while True:
            sink = self._sink()
            if sink is None:
                return sent
            batch = await self._outbox.next_batch(self._batch_size)
            if batch is None:
                return sent
            sent += await self._send(sink, batch)

    # --- inside ----------------------------------------------------------------------------

    async def _run(self) -> None:
        lanes = [asyncio.create_task(self._lane(), name=f"record upload lane {n}")
                 for n in range(self._lanes)]
        try:
            await asyncio.gather(*lanes)
        finally:
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    async def _lane(self) -> None:
        """Sends one consultation at a time; the lanes never hold the same consultation."""
        while True:
            sink = self._sink()
            if sink is None:
                self._set(state=UploadState.NO_LINK, next_attempt_in_s=None)
                await self._wait(self._idle_poll_s)
                continue
            await self._held()
            async with self._claiming:
                batch = await self._outbox.next_batch(self._batch_size,
                                                      frozenset(self._in_flight))
                if batch is not None:
                    self._in_flight.add(batch.consultation_id)
            if batch is None:
                await self._idle()
                continue
            self._set(state=UploadState.SENDING, next_attempt_in_s=None)
            try:
                await self._send(sink, batch)
            except Exception as exc:
                # The outbox refusing to write (a full disk: the hub's acknowledgement cannot
                # be kept) is waited out like the hub: the events stay, and are sent again.
                # So is anything unforeseen: a task ended here would stop every upload, unseen,
                # until the kiosk restarts.
                if not isinstance(exc, HubError | OutboxUnavailable):
                    log.exception("records upload: unexpected failure")
                # One count for all lanes: the hub is in trouble, not a lane.
                self._failures += 1
                delay = self._backoff(self._failures)
                retry_after = exc.retry_after_s if isinstance(exc, HubError) else None
                if retry_after is not None:
                    delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
                log.warning("records upload failed (%s); next try in %.1f s", exc, delay)
                self._set(state=UploadState.WAITING, last_error=str(exc),
                          next_attempt_in_s=round(delay, 1))
                # Every lane holds: the hub's Retry-After is for this terminal, not a lane.
                self._hold_until = max(self._hold_until, time.monotonic() + delay)
                continue
            finally:
                self._in_flight.discard(batch.consultation_id)
            self._failures = 0

    async def _held(self) -> None:
        """Wait out the backoff all lanes share; a poke ends it."""
        while (left := self._hold_until - time.monotonic()) > 0:
            if await self._wait(left):
                self._hold_until = 0.0

    async def _idle(self) -> None:
        """Nothing this lane may send: wait for an append (or a poke)."""
        self._outbox.appended.clear()
        if self._in_flight:
            # Another lane is sending; what it leaves is for whoever looks next.
            await self._wait_for_append()
            return
        # Looked again after the clear: an append in between is not missed, and a
        # consultation another lane just put back (after a failure) is not idleness.
        if await self._outbox.next_batch(1) is not None:
            return
        await self._outbox.refresh_health()
        self._health_at = time.monotonic()
        self._set(state=UploadState.IDLE, next_attempt_in_s=None)
        await self._wait_for_append()

    async def _send(self, sink: RecordSink, batch: Batch) -> int:
        try:
            ack = await sink.put_record(batch.consultation_id, batch.events)
        except HubError as exc:
            if not exc.lasting:
                raise
            await self._outbox.park(batch.consultation_id, f"the hub refused: {exc}")
            return 0
        held = set(ack.stored) | set(ack.already_had)
        sent_ids = {e.id for e in batch.events}
        if not held >= sent_ids:
            missing = len(sent_ids - held)
            log.error("the hub acknowledged %d of %d events of %s; the rest stay",
                      len(sent_ids & held), len(sent_ids), batch.consultation_id)
            if not held & sent_ids:
                raise HubError(HubProblem.BAD_ANSWER,
                               f"the hub acknowledged none of {missing} events")
        await self._outbox.acknowledge(batch, held & sent_ids)
        if ack.flags:
            log.info("the hub flags consultation %s: %s", batch.consultation_id,
                     ", ".join(f.value for f in ack.flags))
        count = len(held & sent_ids)
        self._set(sent_events=self._status.sent_events + count, last_success_at=time.time(),
                  last_error="")
        if time.monotonic() - self._health_at >= HEALTH_EVERY_S:
            # Counting the queue costs a scan of it: once a second is plenty for a screen.
            self._health_at = time.monotonic()
            await self._outbox.refresh_health()
        return count

    async def _wait_for_append(self) -> None:
        appended = asyncio.ensure_future(self._outbox.appended.wait())
        poked = asyncio.ensure_future(self._poke.wait())
        try:
            await asyncio.wait({appended, poked}, timeout=self._idle_poll_s,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            appended.cancel()
            poked.cancel()
            self._poke.clear()

    async def _wait(self, seconds: float) -> bool:
        """Sleep; True when cut short by a poke."""
        poked = False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._poke.wait()
                poked = True
        self._poke.clear()
        return poked

    def _set(self, **changes: object) -> None:
        new = replace(self._status, **changes)  # type: ignore[arg-type]
        if new == self._status:
            return
        if new.state != self._status.state:
            log.info("records upload: %s -> %s", self._status.state, new.state)
        self._status = new
        if self._on_status is not None:
            self._on_status(new)

