"""The call desk: a resident's call button becomes a consultation on the loop thread.

The view-models never see the call package: this module makes the
`Consultation` (aiortc, on the asyncio thread) when the visit reaches the call
screen, turns its events into plain view-model changes on the Qt thread, and
turns the resident's taps (cancel, hang up, mute, the document still, the
callback number) into coroutines. The signaling socket is opened as soon as the
kiosk has its hub link (`open_signal`), kept for every call, and closes with
the kiosk: over it the hub says who can be called now (`presence`), which the
schedule shows within seconds rather than at its next refresh.

Events and frames of a call that has ended are dropped: each call has a
number, and what arrives for an older number is stale.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from PySide6.QtCore import QObject, QTimer

from kiosk.ui.bridge import AsyncBridge, BridgeClosed
from kiosk.ui.vm.call import CallPhase, Notice, Quality
from kiosk.ui.vm.fallback import FallbackReason
from kiosk.ui.vm.root import KioskViewModel

if TYPE_CHECKING:
    from kiosk.call import CallEvent, CallSettings, Consultation, FrameSlot, SignalClient
    from kiosk.domain.consultations import CallbackRequest
    from kiosk.domain.signaling import IceServers
    from kiosk.outbox import ConsultationLog
    from kiosk.ui.records import CallRecorder, RecordDesk

log = logging.getLogger(__name__)

# How many one-second stats samples the quality words follow: one bad second
# should not flash "poor" at a resident.
QUALITY_WINDOW = 3

# Each new picture redraws the whole window, and without a GPU that is most of a call's
# CPU. While the lawyer's picture flows, the self view's newest frame waits in its slot
# for the lawyer's next one and both are drawn in one redraw; it waits at most this long:
# more than the lawyer's frames are apart at 20 fps (50 ms), so it nearly always meets
# one, and less than the camera's are at 15 fps (67 ms), so the next never replaces it
# and the self view keeps the camera's rate whatever the lawyer's.
SELF_VIEW_WAIT_MS = 60
# The lawyer's picture flows while its last frame was shown less than this long ago;
# otherwise (waiting, connecting, audio only, a stalled line) the self view shows each
# frame as it comes.
REMOTE_FLOWING_S = 0.25


class TerminalClient(Protocol):
    """What a call needs of the hub's REST client (`kiosk.api.client.HubClient`)."""

    base_url: str
    token: str | None

    async def ice_servers(self) -> IceServers: ...

    async def request_callback(self, consultation_id: UUID, phone: str) -> CallbackRequest: ...


class NoHubClient(RuntimeError):
    """The kiosk has no link to the hub yet (not enrolled, or still starting)."""


def quality_of(recv_kbps: float, fps_in: float, rtt_ms: float | None) -> Quality:
    """The lawyer's picture and voice as this terminal receives them, in three words."""
    slow = rtt_ms is not None and rtt_ms > 600
    if fps_in >= 10 and recv_kbps >= 200 and not (rtt_ms is not None and rtt_ms > 300):
        return Quality.GOOD
    if fps_in >= 4 and recv_kbps >= 80 and not slow:
        return Quality.FAIR
    return Quality.POOR


_ORDER = (Quality.POOR, Quality.FAIR, Quality.GOOD)


class CallDesk(QObject):
    def __init__(
        self,
        bridge: AsyncBridge,
        root: KioskViewModel,
        settings: CallSettings,
        client: Callable[[], TerminalClient | None],
        parent: QObject | None = None,
        *,
        records: RecordDesk | None = None,
    ) -> None:
        """`client` is called on the loop thread, for each call (the hub link comes late).

        With `records`, every event of a call is in its session record before the
        screen shows it, and the rating and the callback number go there too.
        """
        super().__init__(parent)
        self._records = records
        # Loop thread only: the record of the current (or last) call and its recorder.
        self._record: ConsultationLog | None = None
        self._recorder: CallRecorder | None = None
        self._bridge = bridge
        self._root = root
        self._vm = root.call_vm
        self._settings = settings
        self._client = client
        self._number = 0  # of the current call; events of older ones are stale
        # Set and cleared on the Qt thread; its methods are called on the loop thread.
        self._call: Consultation | None = None
        self._active = False
        self._hang_up_pending = False
        self._talked = False
        self._queued = False
        self._last_id: UUID | None = None  # of the call a callback number belongs to
        self._levels: deque[Quality] = deque(maxlen=QUALITY_WINDOW)
        self._audio_only = False
        self._signal: SignalClient | None = None  # loop thread only
        self._slots: tuple[FrameSlot[Any], FrameSlot[Any]] | None = None  # remote, self view
        self._remote_shown: tuple[int, float] = (0, 0.0)  # call number, monotonic time
        self._self_view_due = QTimer(self, singleShot=True, interval=SELF_VIEW_WAIT_MS)
        self._self_view_due.timeout.connect(self._self_view_overdue)

        root.callStarted.connect(self.start)
        self._vm.cancelRequested.connect(self.hang_up)
        self._vm.hangUpRequested.connect(self.hang_up)
        self._vm.muteRequested.connect(self.set_muted)
        self._vm.documentDue.connect(self.send_document)
        root.fallback_vm.callbackRequested.connect(self.request_callback)
        root.rating_vm.rated.connect(self.rate)

    @property
    def active(self) -> bool:
        return self._active

    @property
    def consultation_id(self) -> UUID | None:
        """Of the current call, or of the last one (its callback belongs to it)."""
        return self._last_id

    # --- the resident's taps (Qt thread) ------------------------------------------------

    def start(self, service: str, expert_id: int) -> None:
        from kiosk.call.frames import FrameSlot
        from kiosk.ui.records import load_outbox

        load_outbox()  # a no-op after the first frame; see there why here

        if self._active:
            log.error("a call is already running; ignoring a second one")
            return
        self._number += 1
        number = self._number
        self._active, self._hang_up_pending = True, False
        self._talked = self._queued = self._audio_only = False
        self._levels.clear()
        # The slots' notify runs on the loop thread, once per drawable frame.
        remote: FrameSlot[Any] = FrameSlot(lambda: self._bridge.post(self._show, (number, 0)))
        local: FrameSlot[Any] = FrameSlot(lambda: self._bridge.post(self._show, (number, 1)))
        self._slots = (remote, local)
        try:
            self._bridge.submit(
                self._open(number, service, expert_id, remote, local),
                lambda call: self._opened(number, call),
                lambda error: self._open_failed(number, error),
            )
        except BridgeClosed:
            self._open_failed(number, BridgeClosed("the kiosk is shutting down"))

    def probe_video_codec(self) -> None:
        """Once, with the loop running: find what calls will send (kiosk/call/hardware.py),
        so the first call does not wait for the probe, and tell the maintenance screen."""

        async def probe() -> Any:
            from kiosk.call.hardware import video_codec_choice_async

            return await video_codec_choice_async(self._settings.video_encoder)

        with contextlib.suppress(BridgeClosed):
            self._bridge.submit(
                probe(), self._root.maintenance_vm.set_video_codec,
                lambda error: log.error("the video codec probe failed: %r", error),
            )

    def open_signal(self) -> None:
        """Open the signaling socket once the hub link exists (again: nothing happens)."""
        with contextlib.suppress(BridgeClosed):
            self._bridge.submit(
                self._ensure_signal(),
                on_error=lambda error: log.error("the signaling socket did not open: %r", error),
            )

    def hang_up(self) -> None:
        if not self._active:
            return
        call = self._call
        if call is None:
            self._hang_up_pending = True  # still being made: hang up once it is
            return
        self._submit(call.hang_up())

    def set_muted(self, muted: bool) -> None:
        call = self._call
        if call is not None:
            self._submit(_set_muted(call, muted))

    def send_document(self) -> None:
        call = self._call
        if call is None:
            self._vm.document_done(False)
            return
        number = self._number
        try:
            self._bridge.submit(
                _photograph(call),
                lambda _: self._document_done(number, True),
                lambda error: self._document_failed(number, error),
            )
        except BridgeClosed:
            self._vm.document_done(False)

    def request_callback(self, phone: str) -> None:
        fallback = self._root.fallback_vm
        try:
            self._bridge.submit(
                self._keep_callback(phone),
                lambda _: fallback.callback_result(True),
                lambda error: self._callback_failed(error),
            )
        except BridgeClosed:
            fallback.callback_result(False)

    def rate(self, score: int) -> None:
        rating = self._root.rating_vm
        with contextlib.suppress(BridgeClosed):
            self._bridge.submit(
                self._keep_rating(score),
                lambda _: rating.kept(),
                lambda error: log.error("the rating was not recorded: %r", error),
            )

    async def aclose(self) -> None:
        """For `AsyncBridge.close`: end a call still running, then the signaling socket."""
        call, self._call = self._call, None
        await self._end_call(call)
        if self._signal is not None:
            await self._signal.aclose()
            self._signal = None

    # --- the loop thread ----------------------------------------------------------------

    async def _open(
        self, number: int, service: str, expert_id: int,
        remote: FrameSlot[Any], local: FrameSlot[Any],
    ) -> Consultation:
        from kiosk.call import Consultation
        from kiosk.domain.codes import ServiceCode
        from kiosk.domain.records import FallbackReason as RecordedFallback

        await self._close_recorder()  # the last call's, if its end never came
        record = self._record = await self._start_record()
        if record is not None:
            await record.requested(ServiceCode(service), expert_id or None)
        client = self._client()
        if client is None or not client.token:
            if record is not None:
                await record.fallback(RecordedFallback.UNREACHABLE)
            raise NoHubClient("no hub link or no terminal token")
        def on_event(event: CallEvent) -> None:
            self._bridge.post(self._on_event, (number, event))

        if record is not None:
            from kiosk.ui.records import CallRecorder

            self._recorder = CallRecorder(record, on_event)
        feed = self._recorder.feed if self._recorder is not None else on_event
        signal = await self._ensure_signal()
        assert signal is not None
        call = Consultation(
            signal, ServiceCode(service), expert_id=expert_id or None,
            settings=self._settings, ice_servers=client.ice_servers, on_event=feed,
            remote_video=remote, local_video=local,
            consultation_id=record.consultation_id if record is not None else None,
        )
        try:
            await call.start()
        except Exception:
            if record is not None:
                await record.fallback(RecordedFallback.FAILED)
            raise
        return call

    async def _ensure_signal(self) -> SignalClient | None:
        """The terminal's signaling socket, opened on first need; None without a hub link."""
        if self._signal is not None:
            return self._signal
        client = self._client()
        if client is None or not client.token:
            return None
        from kiosk.call import SignalClient, signal_url
        from kiosk.domain.signaling import Presence

        def heard(message: object) -> None:
            if isinstance(message, Presence):
                self._bridge.post(self._root.apply_presence, frozenset(message.reachable))

        def link(up: bool) -> None:
            if not up:  # no live word now: the schedule's own flags count again
                self._bridge.post(self._root.apply_presence, None)

        self._signal = SignalClient(
            signal_url(client.base_url), client.token,
            on_event=lambda event: self._bridge.post(self._on_link_event, event),
        )
        self._signal.subscribe(heard, link)
        self._signal.start()
        return self._signal

    async def _start_record(self) -> ConsultationLog | None:
        if self._records is None:
            return None
        try:
            return await self._records.start_log()
        except Exception as exc:
            # The resident still gets the call; the maintenance screen already says why.
            log.error("no session record for this call: %r", exc)
            return None

    async def _close_recorder(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            await recorder.aclose()

    async def _keep_callback(self, phone: str) -> None:
        """Into the record (uploaded when the hub can be reached); straight to the hub
        only when this kiosk has no record to put it in."""
        record = self._record
        if record is not None:
            await record.callback(phone)
            log.info("callback number kept for consultation %s", record.consultation_id)
            return
        consultation_id = self._last_id
        client = self._client()
        if client is None or consultation_id is None:
            raise NoHubClient("no record and no hub link")
        await client.request_callback(consultation_id, phone)
        log.info("callback requested for consultation %s", consultation_id)

    async def _keep_rating(self, score: int) -> None:
        record = self._record
        if record is None:
            raise RuntimeError("no session record to rate")
        await record.rated(score)

    # --- results and events (Qt thread) -------------------------------------------------

    def _submit(self, coro: Any) -> None:
        with contextlib.suppress(BridgeClosed):
            self._bridge.submit(coro, on_error=lambda e: log.error("call command failed: %r", e))

    def _opened(self, number: int, call: Consultation) -> None:
        if number != self._number or not self._active:
            self._submit(call.aclose())  # ended before it was made
            return
        self._call = call
        self._last_id = call.consultation_id
        if self._hang_up_pending:
            self._hang_up_pending = False
            self._submit(call.hang_up())

    def _open_failed(self, number: int, error: BaseException) -> None:
        if number != self._number:
            return
        log.error("the call could not start: %r", error)
        self._call = None
        self._finish(FallbackReason.UNREACHABLE, talked=False, cancelled=False)

    def _show(self, item: tuple[int, int]) -> None:
        """A slot got a frame. The lawyer's is shown at once, with the self view's if one
        waits. The self view's waits for the lawyer's next frame while that picture flows
        (at most SELF_VIEW_WAIT_MS), and is shown at once while it does not."""
        number, which = item
        slots = self._slots
        if slots is None or number != self._number or not self._active:
            return
        remote, local = slots
        now = time.monotonic()
        if which == 0:
            frame = remote.take()
            if frame is not None:
                self._vm.remote.show(frame)
                self._remote_shown = (number, now)
            self._show_self_view(local)  # in the same turn of the event loop: one redraw
            return
        shown_number, shown_at = self._remote_shown
        if shown_number == number and now - shown_at < REMOTE_FLOWING_S:
            if not self._self_view_due.isActive():
                self._self_view_due.start()  # the frame stays in its slot, the newest kept
            return
        self._show_self_view(local)

    def _show_self_view(self, local: FrameSlot[Any]) -> None:
        self._self_view_due.stop()
        frame = local.take()
        if frame is not None:
            self._vm.local.show(frame)

    def _self_view_overdue(self) -> None:
        slots = self._slots
        if slots is not None and self._active:
            self._show_self_view(slots[1])

    def _on_link_event(self, event: CallEvent) -> None:
        from kiosk.call.events import LinkChanged

        if isinstance(event, LinkChanged) and self._active:
            self._vm.set_notice(Notice.NONE if event.up else Notice.LINK_DOWN)

    def _on_event(self, item: tuple[int, CallEvent]) -> None:
        from kiosk.call import events as ev

        number, event = item
        if number != self._number or not self._active:
            return
        vm = self._vm
        if isinstance(event, ev.StateChanged):
            self._on_state(event)
        elif isinstance(event, ev.QueueMoved):
            self._queued = True
            vm.set_queue(event.position, event.estimated_wait_s, len(event.ringing))
        elif isinstance(event, ev.ExpertJoined):
            vm.set_expert(event.expert.name, event.expert.group.value)
        elif isinstance(event, ev.MediaStats):
            self._levels.append(quality_of(event.recv_kbps, event.fps_in, event.rtt_ms))
            self._show_quality()
        elif isinstance(event, ev.PolicyChanged):
            self._audio_only = event.new == ev.PolicyMode.AUDIO_ONLY
            self._show_quality()
        elif isinstance(event, ev.DeviceFallback):
            if event.kind == "camera":
                vm.set_notice(Notice.CAMERA_FAILED)
            elif event.kind == "microphone":
                vm.set_notice(Notice.MICROPHONE_FAILED)
        elif isinstance(event, ev.DocumentRequested):
            vm.request_document()

    def _on_state(self, event: Any) -> None:
        from kiosk.call.events import CallState
        from kiosk.domain.records import fallback_reason

        new = event.new
        phase = {
            CallState.REQUESTED: CallPhase.WAITING,
            CallState.QUEUED: CallPhase.WAITING,
            CallState.ACCEPTED: CallPhase.CONNECTING,
            CallState.CONNECTING: CallPhase.CONNECTING,
            CallState.CONNECTED: CallPhase.TALKING,
            CallState.RECONNECTING: CallPhase.RECONNECTING,
        }.get(new)
        if new == CallState.CONNECTED:
            self._talked = True
        if phase is not None:
            if self._vm.current_phase != CallPhase.ENDING:
                self._vm.set_phase(phase)
            return
        if new == CallState.ENDED:
            self._finish(FallbackReason.NONE, talked=self._talked, cancelled=not self._talked)
            return
        # The same answer the session record keeps (kiosk/ui/records.py).
        why = fallback_reason(event.reason, failed=new == CallState.FAILED, rang=self._queued)
        if why.value == FallbackReason.NOBODY_ON_DUTY:
            # The schedule showed a call button the hub no longer backs (a lawyer left a
            # moment ago): fetch it now, so the resident going back sees no stale button.
            self._root.refresh_now()
        self._finish(FallbackReason(why.value), talked=False, cancelled=False)

    def _finish(self, reason: FallbackReason, *, talked: bool, cancelled: bool) -> None:
        self._active = False
        self._slots = None
        call, self._call = self._call, None
        # The camera and microphone go with the call; then what the recorder still holds.
        self._submit(self._end_call(call))
        if cancelled:
            self._root.call_cancelled()
        else:
            self._root.call_finished(talked=talked, reason=reason)

    def _show_quality(self) -> None:
        if self._audio_only:
            self._vm.set_quality(Quality.AUDIO_ONLY)
        elif self._levels:
            ranked = sorted(self._levels, key=_ORDER.index)
            self._vm.set_quality(ranked[len(ranked) // 2])

    def _document_done(self, number: int, ok: bool) -> None:
        if number == self._number:
            self._vm.document_done(ok)

    def _document_failed(self, number: int, error: BaseException) -> None:
        log.warning("the document still was not sent: %r", error)
        self._document_done(number, False)

    def _callback_failed(self, error: BaseException) -> None:
        log.warning("the callback request did not reach the hub: %r", error)
        self._root.fallback_vm.callback_result(False)


    async def _end_call(self, call: Consultation | None) -> None:
        if call is not None:
            await call.aclose()
        await self._close_recorder()
        if call is not None:
            from kiosk.memory import reclaim

            # What the call left in cycles, and the heap pages it freed (kiosk/memory.py).
            del call
            reclaim()


async def _set_muted(call: Consultation, muted: bool) -> None:
    call.set_muted(muted)


async def _photograph(call: Consultation) -> None:
    try:
        # Quality 80: a 1080p page stays legible at about half the bytes of 90, which a
        # thin uplink sends while the call goes on.
        still = await call.capture_still(quality=80)
    except Exception as exc:
        # The lawyer hears at once that no photograph is coming, and why.
        await call.report_document_failure(str(exc))
        raise
    await call.send_document(still)
