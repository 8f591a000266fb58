"""The record desk: the outbox and its uploader on the loop thread, and a call's events in it.

`RecordDesk` opens the outbox after the first frame (the keyring and SQLite
are not a cold start's business), runs the uploader for as long as the kiosk
runs, and reports both to the maintenance view-model. `CallRecorder` stands
between a `Consultation` and the call desk: each call event that belongs in
the session record is appended to the outbox before the event goes on to the
screen, in the order the call made them.

asyncio is imported where it is used: this module loads before the first frame.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from kiosk.ui.bridge import AsyncBridge, BridgeClosed

if TYPE_CHECKING:
    import asyncio

    from kiosk.call import CallEvent
    from kiosk.outbox import ConsultationLog, Outbox, OutboxHealth, Uploader, UploadStatus
    from kiosk.outbox.upload import RecordSink
    from kiosk.ui.vm.maintenance import MaintenanceViewModel

log = logging.getLogger(__name__)


class RecordDesk(QObject):
    def __init__(
        self,
        bridge: AsyncBridge,
        data_dir: Path,
        sink: Callable[[], RecordSink | None],
        maintenance: MaintenanceViewModel,
        parent: QObject | None = None,
    ) -> None:
        """`sink` is called on the loop thread before each upload (the hub link comes late)."""
        super().__init__(parent)
        self._bridge = bridge
        self._data_dir = data_dir
        self._sink = sink
        self._maintenance = maintenance
        self._outbox: Outbox | None = None
        self._uploader: Uploader | None = None
        self._opened: asyncio.Future[Outbox] | None = None  # loop thread
        maintenance.retryRequested.connect(self.retry)
        maintenance.releaseParkedRequested.connect(self.release_parked)

    @property
    def outbox_file(self) -> Path:
        from kiosk.outbox.store import OUTBOX_FILE

        return self._data_dir / OUTBOX_FILE

    def start(self) -> None:
        """After the first frame, with the loop running."""
        load_outbox()
        with contextlib.suppress(BridgeClosed):
            self._bridge.submit(self.outbox(), on_error=self._open_failed)

    async def outbox(self) -> Outbox:
        """The open outbox (loop thread); the first caller opens it, the others wait for it."""
        import asyncio

        if self._opened is None:
            self._opened = asyncio.get_running_loop().create_future()
            try:
                outbox = await self._open()
            except BaseException as exc:
                self._opened.set_exception(exc)
                self._opened.exception()  # retrieved: a later caller re-raises it
                self._opened = None  # the next call tries again
                raise
            self._opened.set_result(outbox)
        return await asyncio.shield(self._opened)

    async def start_log(self) -> ConsultationLog:
        from kiosk.outbox import ConsultationLog

        outbox = await self.outbox()
        return ConsultationLog(outbox, on_clock_jump=self._clock_jumped)

    def retry(self) -> None:
        """The technician's "send now"."""
        if self._uploader is not None:
            self._submit(_poke(self._uploader))

    def release_parked(self) -> None:
        outbox = self._outbox
        if outbox is not None:
            self._submit(outbox.unpark())

    async def aclose(self) -> None:
        uploader, self._uploader = self._uploader, None
        if uploader is not None:
            await uploader.aclose()
        outbox, self._outbox = self._outbox, None
        if outbox is not None:
            await outbox.aclose()

    # --- loop thread ---------------------------------------------------------------------

    async def _open(self) -> Outbox:
        import asyncio

        from kiosk.outbox import Outbox, Uploader, load_sealer

        sealer = await asyncio.to_thread(load_sealer, self._data_dir / "keys" / "outbox.key")
        outbox = Outbox(self._data_dir, sealer, on_health=self._health_changed)
        health = await outbox.open()
        self._health_changed(health)
        uploader = Uploader(outbox, self._sink, on_status=self._status_changed)
        uploader.start()
        self._outbox, self._uploader = outbox, uploader
        log.info("outbox open: %d events waiting, key in %s", health.pending, sealer.where)
        return outbox

    def _health_changed(self, health: OutboxHealth) -> None:
        self._bridge.post(self._maintenance.set_outbox, health)

    def _status_changed(self, status: UploadStatus) -> None:
        self._bridge.post(self._maintenance.set_upload, status)

    def _clock_jumped(self, seconds: float) -> None:
        self._bridge.post(self._maintenance.clock_jumped, seconds)

    # --- Qt thread -----------------------------------------------------------------------

    def _open_failed(self, error: BaseException) -> None:
        log.critical("the outbox cannot open: %r", error)
        self._maintenance.outbox_failed(str(error))

    def _submit(self, coro: Any) -> None:
        try:
            self._bridge.submit(coro, on_error=lambda e: log.error("records: %r", e))
        except BridgeClosed:
            coro.close()


def load_outbox() -> None:
    """Import what opening the outbox loads (SQLite, cryptography's native module, the
    keyring and what it pulls in) on the Qt thread.

    Loaded on another thread while QML loads a plugin, a native module's import
    deadlocked: that thread held the GIL waiting for the dynamic loader's lock, which
    the Qt thread held while its plugin waited for the GIL.
    """
    import keyring  # noqa: F401

    import kiosk.outbox  # noqa: F401


async def _poke(uploader: Uploader) -> None:
    uploader.poke()


class CallRecorder:
    """One call's events into its record, then on to `forward`, in order (loop thread)."""

    def __init__(self, record: ConsultationLog, forward: Callable[[CallEvent], None]) -> None:
        import asyncio

        self.record = record
        self._forward = forward
        self._queue: asyncio.Queue[CallEvent | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name=f"record {record.consultation_id}")
        self._audio_only = False
        self._relay: bool | None = None
        self._last_stats_at: float | None = None

    def feed(self, event: CallEvent) -> None:
        """The consultation's `on_event` (loop thread): never blocks the call."""
        self._queue.put_nowait(event)

    async def aclose(self) -> None:
        """After the call: what is queued is recorded and forwarded first."""
        self._queue.put_nowait(None)
        await self._task

    async def _run(self) -> None:
        while (event := await self._queue.get()) is not None:
            try:
                await self.note(event)
            except Exception:
                # The record must not take the call down; the outbox reports its own trouble.
                log.exception("consultation %s: recording %r failed",
                              self.record.consultation_id, event)
            self._forward(event)

    async def note(self, event: CallEvent) -> None:
        from kiosk.call import events as ev
        from kiosk.domain.records import fallback_reason
        from kiosk.domain.signaling import EndReason, Party

        record = self.record
        if isinstance(event, ev.QueueMoved):
            if not record.has("ringing"):
                await record.ringing(event.position)
        elif isinstance(event, ev.ExpertJoined):
            if not record.has("answered"):
                expert = event.expert
                await record.answered(expert.id, expert.group, expert.name)
        elif isinstance(event, ev.MediaStats):
            seconds = 1.0 if self._last_stats_at is None else event.at - self._last_stats_at
            self._last_stats_at = event.at
            if event.relay is not None:
                self._relay = event.relay
            record.tally.sample(seconds=min(max(seconds, 0.0), 5.0), send_kbps=event.send_kbps,
                                recv_kbps=event.recv_kbps, fps_in=event.fps_in,
                                relay=event.relay, audio_only=self._audio_only)
        elif isinstance(event, ev.PolicyChanged):
            self._audio_only = event.new == ev.PolicyMode.AUDIO_ONLY
        elif isinstance(event, ev.StateChanged):
            new = event.new
            if new == ev.CallState.QUEUED and not record.has("ringing"):
                await record.ringing(0)
            elif new == ev.CallState.CONNECTED:
                if not record.has("media_connected"):
                    await record.media_connected(self._relay)
                else:
                    await record.reconnected(event.attempt)
            elif new == ev.CallState.ENDED:
                await record.ended(event.by or Party.TERMINAL, event.reason or EndReason.HUNG_UP)
            elif new in (ev.CallState.FALLBACK, ev.CallState.FAILED):
                await record.fallback(fallback_reason(
                    event.reason, failed=new == ev.CallState.FAILED, rang=record.has("ringing")
                ))

