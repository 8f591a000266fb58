"""One video consultation from the resident's tap to the end: the call state machine.

    idle -> requested -> queued -> accepted -> connecting -> connected
         -> (reconnecting -> connected)* -> ended | fallback | failed

* `start()` sends `call.request` (again whenever the signaling link comes back
  while nobody has accepted: the hub treats a replay of the same id as a no-op)
  and opens the camera and microphone (the resident sees themself while waiting).
  A link that comes back during a call sends `call.resume` (this call, its offers
  so far): the hub, restarted or not, goes on with it or says how it ended.
* `call.cancel` and `call.hangup` carry when they happened (`at`) and wait for the
  link if it is down, so a hub that was away ends the call when it really ended.
* No `call.accepted` within `no_answer_timeout_s` (90 s): `call.cancel`, FALLBACK.
  No `call.queued` either within `hub_answer_timeout_s` (15 s): the same, sooner;
  the hub or the network is down (FALLBACK with `no_answer`, never having queued).
* `call.accepted`: a peer connection, a complete `sdp.offer` (attempt 1); the
  answer is applied; CONNECTED when ICE and DTLS are up.
* No media for `media_lost_after_s`: RECONNECTING, the same peer connection
  kept: a village link that drops for a few seconds carries the same ICE pair
  when it comes back, and media flows again within a round trip (a new peer
  connection costs the signaling, ICE and DTLS round trips, and the audio of
  them). Media back: CONNECTED again. Still none after `media_rebuild_after_s`,
  a failed ICE/DTLS, or no connection within `connect_timeout_s` of an offer: a
  new peer connection for the same consultation and `sdp.offer` with attempt
  + 1 (TURN transport may change with it, see `ice.py`). After `max_attempts`
  (3): `call.hangup` with `media_lost`, FALLBACK.
* `hang_up()` (the resident) or `call.ended` (the lawyer or the hub): ENDED once a
  conversation took place, else FALLBACK (the resident still needs help: 12348).
  A hub `error` refusing our `call.request`: FAILED.

All inputs (hub messages, link changes, peer events, timers, the resident's
commands) are handled one at a time by one task, so no two transitions race.
The state changes only in `_set_state`, which logs `old -> new` and emits one
`StateChanged`; `on_event` also gets every peer, policy and device event.

A device that fails (`DeviceFallback`: camera, microphone or speaker) is also told to
the lawyer as a `device.status` on the `document` data channel; the latest failure
of each kind is kept and handed to every new peer connection, which sends it when
its channel opens. `report_document_failure` tells the lawyer at once that a still
asked for cannot be taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import av

from kiosk.call.events import (
    CallEvent,
    CallState,
    DeviceFallback,
    DeviceKind,
    EventSink,
    ExpertJoined,
    MediaLost,
    MediaRestored,
    PeerState,
    PeerStateChanged,
    QueueMoved,
    StateChanged,
    discard,
)
from kiosk.call.frames import FrameSlot
from kiosk.call.hardware import VP8_SOFTWARE, VideoCodecChoice, video_codec_choice_async
from kiosk.call.ice import TurnPreference, plan_ice_servers, turn_choices
from kiosk.call.ladder import SendLadder, build_steps
from kiosk.call.peer import ConsultationPeer, PeerError
from kiosk.call.policy import BitratePolicy
from kiosk.call.reach import TIMEOUT_S as REACH_TIMEOUT_S
from kiosk.call.reach import reachable
from kiosk.call.settings import CallSettings
from kiosk.call.signal_client import SignalClient
from kiosk.call.sources import AudioSink, AudioSource, SourceState, VideoSource, open_speaker
from kiosk.domain.codes import ServiceCode
from kiosk.domain.signaling import (
    Accepted,
    Answer,
    CallCancel,
    CallRequest,
    CallResume,
    Ended,
    EndReason,
    Error,
    ExpertBrief,
    HangUp,
    IceServer,
    IceServers,
    Offer,
    Party,
    Pong,
    Presence,
    Queued,
    ToTerminal,
)

log = logging.getLogger(__name__)

CODEC_WAIT_S = 3.0  # the most an offer waits for the start-up probe of the video codec
REACH_WAIT_S = REACH_TIMEOUT_S + 0.5  # ... and for the TURN transports to answer

# called for every attempt: TURN credentials expire (`ttl_s`)
IceProvider = Callable[[], Awaitable[IceServers | Sequence[IceServer]]]

_WAITING = (CallState.REQUESTED, CallState.QUEUED)
_IN_CALL = (CallState.ACCEPTED, CallState.CONNECTING, CallState.CONNECTED, CallState.RECONNECTING)
# hub reasons after which the resident is offered the hotline rather than "thank you"
_FALLBACK_REASONS = (
    EndReason.NO_ANSWER, EndReason.ALL_BUSY, EndReason.NOBODY_ON_DUTY, EndReason.MEDIA_LOST,
    EndReason.HUB_RESTARTED,  # the lawyer never came back after the hub restarted: cut off
)


@dataclass(frozen=True)
class _HubMessage:
    message: ToTerminal


@dataclass(frozen=True)
class _Link:
    up: bool


@dataclass(frozen=True)
class _PeerEvent:
    generation: int
    event: CallEvent


@dataclass(frozen=True)
class _Command:
    name: str


_Input = _HubMessage | _Link | _PeerEvent | _Command


class Consultation:
    """One call. `async with Consultation(...) as call:` or `start()` ... `aclose()`."""

    def __init__(
        self,
        signal: SignalClient,
        service: ServiceCode,
        *,
        expert_id: int | None = None,
        settings: CallSettings | None = None,
        ice_servers: IceProvider | Sequence[IceServer] = (),
        on_event: EventSink = discard,
        remote_video: FrameSlot[av.VideoFrame] | None = None,
        local_video: FrameSlot[av.VideoFrame] | None = None,
        remote_audio: AudioSink | None = None,
        turn_preference: TurnPreference | None = None,
        consultation_id: UUID | None = None,
        video_source: VideoSource | None = None,
        audio_source: AudioSource | None = None,
        cpu_load: Callable[[], float | None] | None = None,
    ) -> None:
        """`cpu_load`: the busy share the send ladder reads (default: the machine's)."""
        self.settings = settings or CallSettings()
        self.consultation_id = consultation_id or uuid.uuid4()
        self.service = service
        self.expert_id = expert_id
        self._signal = signal
        self._ice = ice_servers
        self._caller_on_event = on_event
        # every event passes `_observe` on its way to the caller (devices, peers, policy)
        self._on_event: EventSink = self._observe
        self._device_faults: dict[DeviceKind, DeviceFallback] = {}
        self.remote_video: FrameSlot[av.VideoFrame] = remote_video or FrameSlot()
        self._remote_audio = remote_audio
        self._turn = turn_preference or TurnPreference(self.settings.turn_transport)
        s = self.settings
        self.video = video_source or VideoSource(
            s.camera, width=s.width, height=s.height, fps=s.fps, on_event=self._on_event,
            preview=local_video, stall_after_s=s.device_stall_s,
            still_size=(s.still_width, s.still_height),
        )
        self.audio = audio_source or AudioSource(
            s.microphone, on_event=self._on_event, stall_after_s=s.device_stall_s
        )
        self.policy = BitratePolicy(s.policy, on_event=self._on_event)
        # one ladder for the consultation: a new attempt starts at the step the last one
        # had found, not at full size on a machine already known to be short of CPU
        self.ladder = SendLadder(
            build_steps(self.video.width, self.video.height, self.video.fps, s.ladder),
            s.ladder, on_event=self._on_event,
        )
        self.state = CallState.IDLE
        self.attempt = 0
        self.expert: ExpertBrief | None = None
        self.peer: ConsultationPeer | None = None
        self.ever_connected = False
        self.end_reason: EndReason | None = None
        self.ended_by: Party | None = None
        self.requested_at: datetime | None = None
        self.history: list[tuple[float, CallState]] = []
        self._turn_used: Any = None
        self._inputs: asyncio.Queue[_Input] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._released: asyncio.Future[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._finished = asyncio.Event()
        self._no_answer_at: float | None = None
        self._hub_answer_by: float | None = None
        self._ice_early: asyncio.Future[Sequence[IceServer]] | None = None
        self._reach_early: asyncio.Future[None] | None = None
        self._codec_early: asyncio.Future[VideoCodecChoice] | None = None
        self._connect_by: float | None = None
        self._rebuild_by: float | None = None  # media lost: a new peer connection then
        self._generation = 0
        self._cpu_load = cpu_load

    # --- the one place the state changes --------------------------------------------------

    def _set_state(self, new: CallState, *, reason: EndReason | None = None,
                   by: Party | None = None, detail: str = "") -> None:
        old = self.state
        if old == new or old.finished:
            return
        self.state = new
        self.history.append((time.monotonic(), new))
        if new.finished:
            self.end_reason, self.ended_by = reason, by
            self._finished.set()
        if new == CallState.CONNECTED:
            self.ever_connected = True
        extra = ", ".join(x for x in (
            reason and f"reason {reason}", by and f"by {by}", detail) if x)
        log.info("consultation %s: %s -> %s%s", self.consultation_id, old, new,
                 f" ({extra})" if extra else "")
        self._on_event(StateChanged(self.consultation_id, old, new, self.attempt,
                                    reason, by, detail))

    # --- the resident's side ----------------------------------------------------------------

    async def __aenter__(self) -> Consultation:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Ask the hub for an expert; returns at once, the rest comes as events."""
        if self.state != CallState.IDLE:
            raise RuntimeError(f"start() in state {self.state}")
        self._unsubscribe = self._signal.subscribe(
            lambda message: self._inputs.put_nowait(_HubMessage(message)),
            lambda up: self._inputs.put_nowait(_Link(up)),
        )
        self.requested_at = datetime.now(UTC)
        self._no_answer_at = time.monotonic() + self.settings.no_answer_timeout_s
        self._hub_answer_by = time.monotonic() + self.settings.hub_answer_timeout_s
        self._set_state(CallState.REQUESTED)
        await self._send_request()
        self._prefetch_ice()
        self._prefetch_codec()
        self._task = asyncio.create_task(self._run(), name=f"consultation {self.consultation_id}")

    async def hang_up(self) -> None:
        """The resident ends the call (or gives up waiting)."""
        if self._task is None or self.state.finished:
            return
        self._inputs.put_nowait(_Command("hang_up"))
        await self.wait_finished()

    async def wait_finished(self, timeout: float | None = None) -> CallState:
        async with asyncio.timeout(timeout):
            await self._finished.wait()
        return self.state

    def set_muted(self, muted: bool) -> None:
        """The resident's microphone: silence is sent while muted."""
        if self.audio.muted != muted:
            log.info("consultation %s: microphone %s", self.consultation_id,
                     "muted" if muted else "on")
            self.audio.muted = muted

    async def capture_still(self, quality: int = 90) -> bytes:
        """A JPEG of the resident's camera now (`CameraUnavailable` if it is not working)."""
        return await self.video.snapshot_jpeg(quality)

    async def report_document_failure(self, reason: str) -> None:
        """The still the lawyer asked for cannot be taken (`capture_still` failed): say so
        now (`document.error`) rather than after the console's timeout. Does nothing
        without an open `document` channel."""
        peer = self.peer
        if peer is not None and peer.send_document_error(reason):
            log.info("consultation %s: told the lawyer the document failed (%s)",
                     self.consultation_id, reason)
        else:
            log.info("consultation %s: the document failed (%s); no channel to tell the lawyer",
                     self.consultation_id, reason)

    async def send_document(self, jpeg: bytes) -> None:
        """Send a still to the lawyer over the `document` channel of the current connection."""
        peer = self.peer
        if peer is None or self.state != CallState.CONNECTED:
            raise PeerError(f"no connection to send a document on (state {self.state})")
        await peer.send_document(jpeg)

    async def aclose(self) -> None:
        """Hang up if still in a call, then release the peer, the camera and the microphone."""
        task = self._task
        if task is not None and not task.done() and not self.state.finished:
            self._inputs.put_nowait(_Command("hang_up"))
            with contextlib.suppress(TimeoutError):
                await self.wait_finished(15)
        if task is not None and not task.done():
            # let the actor release things itself; cancel only a stuck one
            try:
                async with asyncio.timeout(15):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            except Exception:
                pass
        await self._release()

    # --- devices ---------------------------------------------------------------------------

    def _observe(self, event: CallEvent) -> None:
        if isinstance(event, DeviceFallback):
            self._device_failed(event)
        self._caller_on_event(event)

    def _device_failed(self, event: DeviceFallback) -> None:
        """Keep the latest failure of each kind for the lawyer; tell the current peer now."""
        self._device_faults[event.kind] = event
        log.info("consultation %s: %s %s failed (%s); the lawyer is told, the call goes on "
                 "with %s", self.consultation_id, event.kind, event.device, event.reason,
                 event.substitute)
        if self.peer is not None:
            self.peer.send_device_status(event.kind, working=False, substitute=event.substitute)

    def _tell_devices(self, peer: ConsultationPeer) -> None:
        """A new peer: every device problem so far, sent when its channel opens."""
        # sources passed to __init__ report to the caller's sink, not through `_observe`
        for source in (self.video, self.audio):
            if source.state == SourceState.FALLBACK and source.kind not in self._device_faults:
                self._device_faults[source.kind] = DeviceFallback(
                    source.kind, source.spec, source.failure or "", source.substitute)
        for fault in self._device_faults.values():
            peer.send_device_status(fault.kind, working=False, substitute=fault.substitute)

    # --- the actor -----------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            await self.video.start()
            await self.audio.start()
            if self._remote_audio is None:
                self._remote_audio = open_speaker(self.settings.speaker, self._on_event)
            while not self.state.finished:
                deadline = min((d for d in (self._no_answer_at, self._hub_answer_by,
                                            self._connect_by, self._rebuild_by)
                                if d is not None), default=None)
                timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    async with asyncio.timeout(timeout):  # never wait_for: see sources.py
                        item = await self._inputs.get()
                except TimeoutError:
                    await self._on_timer()
                    continue
                await self._handle(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("consultation %s crashed", self.consultation_id)
            self._set_state(CallState.FAILED, detail=f"internal error: {exc!r}")
        finally:
            await self._release()

    async def _release(self) -> None:
        """Once, however many callers: unsubscribe, close the peer and the devices."""
        if self._released is None:
            self._released = asyncio.ensure_future(self._do_release())
        await asyncio.shield(self._released)

    async def _do_release(self) -> None:
        early, self._ice_early = self._ice_early, None
        if early is not None:
            early.cancel()  # nobody answered: the credentials are not needed
        if self._reach_early is not None:
            self._reach_early.cancel()
        if self._codec_early is not None:
            # the probe itself runs on and caches its answer for the next call
            self._codec_early.cancel()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self._close_peer()
        await self.video.aclose()
        await self.audio.aclose()
        self.remote_video.clear()
        if self._remote_audio is not None:
            self._remote_audio.close()

    async def _on_timer(self) -> None:
        now = time.monotonic()
        hub_silent = self._hub_answer_by is not None and now >= self._hub_answer_by
        if hub_silent:
            self._hub_answer_by = None
        if (self._no_answer_at is not None and now >= self._no_answer_at) or (
            hub_silent and self.state == CallState.REQUESTED
        ):
            self._no_answer_at = None
            if self.state in _WAITING:
                await self._signal.send(CallCancel(consultation_id=self.consultation_id,
                                                   at=datetime.now(UTC)), keep=True)
                self._set_state(CallState.FALLBACK, reason=EndReason.NO_ANSWER,
                                by=Party.TERMINAL,
                                detail="the hub did not answer" if hub_silent
                                else f"no answer in {self.settings.no_answer_timeout_s:g} s")
        if self._rebuild_by is not None and now >= self._rebuild_by:
            self._rebuild_by = None
            if self.state == CallState.RECONNECTING:
                await self._retry(f"no media for {self.settings.media_rebuild_after_s:g} s")
        if self._connect_by is not None and now >= self._connect_by:
            self._connect_by = None
            if self.state in (CallState.CONNECTING, CallState.RECONNECTING):
                await self._retry(f"no connection within {self.settings.connect_timeout_s:g} s")

    async def _handle(self, item: _Input) -> None:
        if isinstance(item, _HubMessage):
            await self._on_hub(item.message)
        elif isinstance(item, _Link):
            if item.up and self.state in _WAITING:
                await self._send_request()
            elif item.up and self.state in _IN_CALL:
                # The hub may have restarted: it must hear that this call still goes on.
                await self._signal.send(CallResume(consultation_id=self.consultation_id,
                                                   attempt=self.attempt))
        elif isinstance(item, _PeerEvent):
            if item.generation == self._generation:
                await self._on_peer(item.event)
        elif item.name == "hang_up":
            await self._hang_up()

    async def _send_request(self) -> None:
        assert self.requested_at is not None
        await self._signal.send(CallRequest(
            consultation_id=self.consultation_id, service=self.service,
            expert_id=self.expert_id, requested_at=self.requested_at,
        ))

    async def _hang_up(self) -> None:
        now = datetime.now(UTC)
        if self.state in _WAITING:
            await self._signal.send(CallCancel(consultation_id=self.consultation_id, at=now),
                                    keep=True)
            self._set_state(CallState.ENDED, reason=EndReason.CANCELLED, by=Party.TERMINAL,
                            detail="the resident gave up waiting")
        elif self.state in _IN_CALL:
            await self._signal.send(HangUp(consultation_id=self.consultation_id, at=now),
                                    keep=True)
            self._set_state(CallState.ENDED, reason=EndReason.HUNG_UP, by=Party.TERMINAL)

    # --- the hub's side ------------------------------------------------------------------

    async def _on_hub(self, message: ToTerminal) -> None:
        if isinstance(message, Error):
            if message.consultation_id not in (None, self.consultation_id):
                return
            log.warning("consultation %s: the hub refused %s: %s", self.consultation_id,
                        message.refused, message.detail)
            if message.refused == "call.request" and self.state in _WAITING:
                self._set_state(CallState.FAILED, detail=f"refused: {message.detail}")
            return
        if isinstance(message, Pong | Presence):
            return  # the link's business, and the schedule's, not this call's
        if message.consultation_id != self.consultation_id:
            log.info("consultation %s: ignored %s for %s", self.consultation_id, message.type,
                     message.consultation_id)
            return
        if isinstance(message, Queued):
            if self.state in _WAITING:
                self._set_state(CallState.QUEUED)
                self._on_event(QueueMoved(self.consultation_id, message.position,
                                          message.estimated_wait_s, tuple(message.ringing)))
        elif isinstance(message, Accepted):
            if self.state in _WAITING:
                self.expert = message.expert
                self._no_answer_at = None
                self._on_event(ExpertJoined(self.consultation_id, message.expert))
                self._set_state(CallState.ACCEPTED)
                await self._connect(1)
        elif isinstance(message, Answer):
            await self._on_answer(message)
        elif isinstance(message, Ended):
            self._on_ended(message)

    async def _on_answer(self, message: Answer) -> None:
        peer = self.peer
        if message.attempt != self.attempt or peer is None or peer.state != PeerState.OFFERED:
            log.info("consultation %s: ignored the answer of attempt %d (now %d)",
                     self.consultation_id, message.attempt, self.attempt)
            return
        try:
            await peer.accept_answer(message.sdp)
        except PeerError as exc:
            await self._retry(str(exc))

    def _on_ended(self, message: Ended) -> None:
        if self.state.finished:
            return
        reason = message.reason
        if reason in _FALLBACK_REASONS or not self.ever_connected:
            self._set_state(CallState.FALLBACK, reason=reason, by=message.by)
        else:
            self._set_state(CallState.ENDED, reason=reason, by=message.by)

    # --- peer connections ----------------------------------------------------------------

    def _prefetch_ice(self) -> None:
        """Ask for the first attempt's ICE servers while the lawyers' consoles ring.

        Fetched after `call.accepted` they cost a round trip to the hub between
        the lawyer's tap and the offer (P1); TURN credentials live for hours
        (`ttl_s`), so ones fetched a minute early are still good.
        """
        if callable(self._ice) and self._ice_early is None:
            self._ice_early = asyncio.ensure_future(self._fetch_ice())
        if self._reach_early is None and self.settings.turn_transport == "auto":
            self._reach_early = asyncio.ensure_future(self._probe_turn(self._ice_early))

    async def _probe_turn(self, servers: asyncio.Future[Sequence[IceServer]] | None) -> None:
        """Which TURN transports get out of here, asked while the consoles ring (reach.py)."""
        found = await reachable(turn_choices(
            await asyncio.shield(servers) if servers is not None else self._static_ice()))
        self._turn.reachable = frozenset(found) if found else None

    def _static_ice(self) -> Sequence[IceServer]:
        return () if callable(self._ice) else self._ice

    async def _turn_probed(self) -> None:
        """The first offer waits for the probe: on a link where UDP gets out it answers
        within a round trip; where it does not, a few seconds beat an attempt's 20."""
        probe = self._reach_early
        if probe is None or probe.done():
            return
        with contextlib.suppress(TimeoutError, Exception):
            async with asyncio.timeout(REACH_WAIT_S):
                await asyncio.shield(probe)

    def _prefetch_codec(self) -> None:
        """What this terminal sends (hardware.py), probed while the consoles ring.

        Once per process: `kiosk run` has probed at start-up, and the first call of a
        process that did not waits here, off the loop, rather than at the offer.
        """
        if self._codec_early is None:
            self._codec_early = asyncio.ensure_future(
                video_codec_choice_async(self.settings.video_encoder)
            )

    async def _video_codec(self) -> VideoCodecChoice:
        self._prefetch_codec()
        assert self._codec_early is not None
        try:
            async with asyncio.timeout(CODEC_WAIT_S):
                return await asyncio.shield(self._codec_early)
        except TimeoutError:
            # A driver that hangs costs the probe up to 10 s a candidate; a resident
            # waiting for a lawyer should not. The probe goes on for the next call.
            log.warning("consultation %s: the video codec probe has not answered in %.0f s: "
                        "VP8 for this call", self.consultation_id, CODEC_WAIT_S)
            return VP8_SOFTWARE

    async def _ice_servers(self) -> Sequence[IceServer]:
        early, self._ice_early = self._ice_early, None
        if early is not None:
            return await early
        return await self._fetch_ice()

    async def _fetch_ice(self) -> Sequence[IceServer]:
        if not callable(self._ice):
            return self._ice
        try:
            async with asyncio.timeout(10):
                servers = await self._ice()
            return servers.ice_servers if isinstance(servers, IceServers) else servers
        except Exception as exc:
            log.warning("consultation %s: no ICE servers from the hub (%s); host candidates "
                        "only", self.consultation_id, exc)
            return ()

    async def _connect(self, attempt: int) -> None:
        """A new peer connection and its offer, for `attempt`."""
        await self._close_peer()
        self.attempt = attempt
        self._generation += 1
        generation = self._generation
        self._set_state(CallState.CONNECTING if attempt == 1 else CallState.RECONNECTING,
                        detail=f"attempt {attempt}")
        ice_servers = await self._ice_servers()
        if attempt == 1:
            await self._turn_probed()
        servers, turn = plan_ice_servers(
            ice_servers, attempt=attempt, preference=self._turn,
            relay_only=self.settings.relay_only,
        )
        self._turn_used = turn
        log.info("consultation %s: attempt %d via %s", self.consultation_id, attempt,
                 turn.uri if turn else "no TURN")

        def forward(event: CallEvent) -> None:
            self._on_event(event)
            if isinstance(event, PeerStateChanged | MediaLost | MediaRestored):
                self._inputs.put_nowait(_PeerEvent(generation, event))

        video_codec = await self._video_codec()
        self.peer = ConsultationPeer(
            f"{self.consultation_id}#{attempt}",
            video=self.video, audio=self.audio, ice_servers=servers,
            relay_only=self.settings.relay_only, policy=self.policy, ladder=self.ladder,
            remote_video=self.remote_video, remote_audio=self._remote_audio,
            on_event=forward, consultation_id=self.consultation_id,
            media_lost_after_s=self.settings.media_lost_after_s,
            stats_interval_s=self.settings.stats_interval_s, video_codec=video_codec,
            cpu_load=self._cpu_load,
        )
        self._tell_devices(self.peer)
        try:
            sdp = await self.peer.create_offer()
        except Exception as exc:
            log.warning("consultation %s: offer failed: %r", self.consultation_id, exc)
            self._connect_by = time.monotonic()  # the timer moves on to the next attempt
            return
        self._connect_by = time.monotonic() + self.settings.connect_timeout_s
        await self._signal.send(Offer(consultation_id=self.consultation_id, sdp=sdp,
                                      attempt=attempt))

    async def _on_peer(self, event: CallEvent) -> None:
        if isinstance(event, PeerStateChanged):
            if event.new == PeerState.CONNECTED and self.state in (
                CallState.CONNECTING, CallState.RECONNECTING
            ):
                self._connect_by = self._rebuild_by = None
                self._set_state(CallState.CONNECTED, detail=f"attempt {self.attempt}")
                self._remember_turn()
            elif event.new == PeerState.FAILED and self.state in _IN_CALL:
                await self._retry(event.detail or "peer connection failed")
        elif isinstance(event, MediaLost) and self.state == CallState.CONNECTED:
            # Keep the peer: the link may come back with the same ICE pair (module doc).
            wait = max(0.0, self.settings.media_rebuild_after_s - event.silent_s)
            self._rebuild_by = time.monotonic() + wait
            self._set_state(CallState.RECONNECTING,
                            detail=f"no media for {event.silent_s:.1f} s; waiting {wait:.0f} s "
                                   "before a new connection")

    def _remember_turn(self) -> None:
        peer, turn = self.peer, self._turn_used
        pair = peer.selected_pair() if peer is not None else None
        if turn is not None and pair is not None and pair.local_candidate.type == "relay":
            self._turn.worked(turn.transport)

    async def _retry(self, why: str) -> None:
        if self.attempt >= self.settings.max_attempts:
            await self._close_peer()
            await self._signal.send(
                HangUp(consultation_id=self.consultation_id, reason=EndReason.MEDIA_LOST,
                       at=datetime.now(UTC)),
                keep=True,
            )
            self._set_state(CallState.FALLBACK, reason=EndReason.MEDIA_LOST, by=Party.TERMINAL,
                            detail=f"{why}; gave up after {self.attempt} attempts")
            return
        log.info("consultation %s: %s; attempt %d", self.consultation_id, why, self.attempt + 1)
        await self._connect(self.attempt + 1)

    async def _close_peer(self) -> None:
        peer, self.peer = self.peer, None
        self._connect_by = self._rebuild_by = None
        if peer is not None:
            await peer.aclose()
