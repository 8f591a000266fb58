"""One aiortc RTCPeerConnection of one consultation.

The kiosk offers (`create_offer`, complete: aiortc gathers every candidate
first, there is no trickle) and applies the lawyer's answer (`accept_answer`);
`answer()` plays the other side for tests and tools. A consultation that loses
media closes its peer and builds a new one (aiortc has no ICE restart).

What the peer does for the UI:

* remote video frames, decoded yuv420p `av.VideoFrame`s, go into a
  `FrameSlot` (latest frame only); remote audio into an `AudioSink`;
* every second a `MediaStats` event (bitrate each way, fps, frames decoded and
  dropped, packets lost, RTT, relay or not, the policy's target and estimate);
* `MediaLost` once no RTP of any kind arrived for `media_lost_after_s`, and
  `MediaRestored` if it comes back;
* the `document` data channel (`send_document`, `DocumentRequested`), which also
  carries the kiosk's device notes for the lawyer (`send_device_status`: sent when
  the channel opens, or at once if it is open) and `send_document_error`.

Its own state (`PeerState`) changes only in `_set_state`, which logs
`old -> new` and emits one `PeerStateChanged`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import av
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc import sdp as aiortc_sdp
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from kiosk.call import level, playout, receive, resend, tail_probe
from kiosk.call.document import LABEL, DocumentChannel
from kiosk.call.events import (
    DeviceKind,
    DocumentReceived,
    DocumentRequested,
    DocumentSent,
    EventSink,
    FirstFrame,
    MediaLost,
    MediaRestored,
    MediaStats,
    PeerState,
    PeerStateChanged,
    PolicyMode,
    discard,
)
from kiosk.call.frames import FrameSlot
from kiosk.call.hardware import (
    VideoCodecChoice,
    VideoEncoder,
    decode_with,
    make_video_encoder,
    negotiated_mime,
    prefer_codec,
    sending_choice,
)
from kiosk.call.ladder import CpuMeter, SendLadder, SendStep, build_steps
from kiosk.call.playout import PlayoutPolicy
from kiosk.call.policy import (
    AdaptiveOpusEncoder,
    AdaptiveVp8Encoder,
    BitratePolicy,
    install_encoder,
)
from kiosk.call.screen import HeldFrames
from kiosk.call.sources import AudioSink, AudioSource, NullAudioSink, VideoSource, VideoTap

log = logging.getLogger(__name__)


def candidate_summary(sdp: str) -> str:
    """What kinds of ICE candidates an SDP holds ("2 host (1 mDNS), 1 relay"): a technician
    reading the log of a call that did not connect wants to know what there was to try."""
    kinds: dict[str, int] = {}
    hidden = 0
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            fields = line.split()
            kind = fields[7] if len(fields) > 7 else "?"
            kinds[kind] = kinds.get(kind, 0) + 1
            hidden += len(fields) > 4 and fields[4].endswith(".local")
    if not kinds:
        return "no candidates"
    text = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"{text} ({hidden} behind mDNS names)" if hidden else text


class PeerError(Exception):
    """A step of the offer/answer failed (bad SDP, closed peer)."""


class ConsultationPeer:
    """One peer connection. Use `async with` or call `aclose()`."""

    def __init__(
        self,
        name: str,
        *,
        video: VideoSource | None = None,
        audio: AudioSource | None = None,
        ice_servers: Sequence[RTCIceServer] = (),
        relay_only: bool = False,
        policy: BitratePolicy | None = None,
        ladder: SendLadder | None = None,
        cpu_load: Callable[[], float | None] | None = None,
        remote_video: FrameSlot[av.VideoFrame] | None = None,
        remote_audio: AudioSink | None = None,
        on_event: EventSink = discard,
        consultation_id: UUID | None = None,
        media_lost_after_s: float = 5.0,
        stats_interval_s: float = 1.0,
        video_codec: VideoCodecChoice | None = None,
    ) -> None:
        """`video_codec`: what this terminal would send (`hardware.py`); None is VP8."""
        self.name = name
        self.consultation_id = consultation_id
        self._on_event = on_event
        self._video_source = video
        self._audio_source = audio
        self.policy = policy or BitratePolicy(on_event=on_event)
        self.ladder = ladder or SendLadder(
            build_steps(video.width, video.height, video.fps) if video is not None
            else build_steps(640, 480, 15),
            on_event=on_event,
        )
        # the machine's busy share since the last stats tick (a test passes its own reading)
        self._cpu_load = cpu_load or CpuMeter().sample
        self._cpu_busy: float | None = None
        self.remote_video = remote_video if remote_video is not None else FrameSlot()
        self.remote_audio = remote_audio if remote_audio is not None else NullAudioSink()
        self.media_lost_after_s = media_lost_after_s
        self.stats_interval_s = stats_interval_s
        self.relay_only = relay_only
        self.state = PeerState.NEW
        self.pc = RTCPeerConnection(
            RTCConfiguration(
                # never None: aiortc would use Google's STUN server
                iceServers=list(ice_servers),
                iceTransportPolicy=(
                    RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
                ),
                bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
            )
        )
        self.pc.on("connectionstatechange", self._on_connection_state)
        self.pc.on("track", self._on_track)
        self.pc.on("datachannel", self._on_datachannel)
        self.document: DocumentChannel | None = None
        # ours (kind -> working, substitute), told again whenever a document channel opens
        self._device_status: dict[DeviceKind, tuple[bool, str | None]] = {}
        # the other side's, as it told us (the answering side: a Python console, tests)
        self.remote_devices: dict[DeviceKind, tuple[bool, str | None]] = {}
        self.document_errors: list[str] = []
        self._video_tap: VideoTap | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._started_at: float | None = None
        self._connected_at: float | None = None
        self._last_media_at: float | None = None
        self.first_frame_s: float | None = None
        self.frames_decoded = 0
        self.audio_frames = 0
        self.video_codec = video_codec
        # Known once the descriptions are applied: what is really sent, and by what.
        self.sending: VideoCodecChoice | None = None
        self.video_encoder: VideoEncoder | None = None
        self._video_sender: RTCRtpSender | None = None
        self.last_stats: MediaStats | None = None
        self._closed = False
        self._prev: tuple[float, int, int, int, int] | None = None
        # how long the lawyer's browser, and our own screen, hold a frame (playout.py)
        self.playout_there = PlayoutPolicy(f"{name}: the other side", browser=True)
        self.playout_here = PlayoutPolicy(f"{name}: our screen")
        self.screen = HeldFrames(self._show, self._repair_expected)
        self.policy.listeners.append(self._on_policy)
        self.ladder.listeners.append(self._on_step)

    # --- state ---------------------------------------------------------------------------

    def _set_state(self, new: PeerState, detail: str = "") -> None:
        old = self.state
        if old == new or old == PeerState.CLOSED:
            return
        self.state = new
        log.info("peer %s: %s -> %s%s", self.name, old, new, f" ({detail})" if detail else "")
        self._on_event(PeerStateChanged(self.name, old, new, detail))

    def _on_connection_state(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            now = time.monotonic()
            self._connected_at = now
            if self._last_media_at is None:
                self._last_media_at = now
            self._set_state(PeerState.CONNECTED)
        elif state == "failed":
            self._set_state(PeerState.FAILED, "ICE or DTLS failed")
        elif state == "closed" and not self._closed:
            self._set_state(PeerState.FAILED, "closed by the transport")

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=f"{self.name} {name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("peer %s: %s crashed", self.name, task.get_name(),
                      exc_info=task.exception())

    # --- media out -------------------------------------------------------------------------

    def _add_media(self, offering: bool) -> None:
        if self._video_source is not None:
            self._video_tap = self._video_source.track()
            self._on_step(self.ladder.step)
            if self.policy.video_frozen:
                self._video_tap.freeze()
            if offering:
                transceiver = self.pc.addTransceiver(self._video_tap, direction="sendrecv")
                prefer_codec(transceiver, self.video_codec)
                sender = transceiver.sender
            else:
                sender = self.pc.addTrack(self._video_tap)
            # Its encoder waits for the negotiation (`_install_video_encoder`).
            self._video_sender = sender
            # No retransmission of what nobody waits for any more (resend.py).
            resend.install(sender, self.rtt_s, lambda: self.policy.target_bps)
            # A frame's lost last packet is asked for at once, not a frame later.
            tail_probe.install(sender)
        elif offering:
            prefer_codec(self.pc.addTransceiver("video", direction="recvonly"), self.video_codec)
        if self._audio_source is not None:
            audio_tap = self._audio_source.track()
            sender = (
                self.pc.addTransceiver(audio_tap, direction="sendrecv").sender
                if offering else self.pc.addTrack(audio_tap)
            )
            settings = self.policy.settings
            install_encoder(
                sender, AdaptiveOpusEncoder(settings.audio_bps, settings.opus_complexity)
            )
        elif offering:
            self.pc.addTransceiver("audio", direction="recvonly")
        if self.video_codec is not None:
            # H.264 from the other side on the decoder the probe tried (hardware.py)
            decode_with(self.video_codec)
        # Frames leave the jitter buffer whole and at once, lost packets are asked for
        # again, a hole is given up for a key frame (see receive.py and jitter.py).
        for transceiver in self.pc.getTransceivers():
            if transceiver.kind == "video":
                receive.install(transceiver.receiver, self.rtt_s)
        # The other side shows our video as soon as it is decoded; audio is not
        # lip-synced to it (see playout.py).
        playout.install(self.pc)
        # The level sent with each audio packet, from a sample of the frame (see level.py).
        level.install()

    def _install_video_encoder(self) -> None:
        """Our encoder for the codec the descriptions settled on, before the first frame.

        Called once both descriptions are applied and before the DTLS handshake can
        start the sender: the answer may have refused the H.264 we offered, or (when
        we answer) the offer may have put H.264 first.
        """
        sender = self._video_sender
        if sender is None or self.video_encoder is not None:
            return
        transceiver = self._transceiver_of(sender)
        mime = None if transceiver is None else negotiated_mime(transceiver)
        if mime is None:
            return  # aiortc's own encoder for whatever it negotiated
        self.sending = sending_choice(mime, self.video_codec)
        encoder = make_video_encoder(self.sending, self.policy)
        if install_encoder(sender, encoder):
            self.video_encoder = encoder
            log.info("peer %s: sending %s", self.name, self.sending.describe())

    @property
    def vp8(self) -> AdaptiveVp8Encoder | None:
        """The video encoder when it is VP8."""
        encoder = self.video_encoder
        return encoder if isinstance(encoder, AdaptiveVp8Encoder) else None

    def _transceiver_of(self, sender: RTCRtpSender) -> RTCRtpTransceiver | None:
        return next((t for t in self.pc.getTransceivers() if t.sender is sender), None)

    def _on_policy(self, mode: PolicyMode) -> None:
        if self._video_tap is None:
            return
        if mode == PolicyMode.AUDIO_ONLY:
            self._video_tap.freeze()
        else:
            self._video_tap.unfreeze()

    def _on_step(self, step: SendStep) -> None:
        if self._video_tap is not None:
            self._video_tap.send_at(step.width, step.height, step.fps)

    # --- offer / answer --------------------------------------------------------------------

    async def create_offer(self) -> str:
        """The complete offer (all candidates), for `sdp.offer`."""
        if self.state != PeerState.NEW:
            raise PeerError(f"offer from a peer in state {self.state}")
        self._started_at = time.monotonic()
        self._add_media(offering=True)
        self._attach_document(self.pc.createDataChannel(LABEL, ordered=True))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self._start_stats()
        self._set_state(PeerState.OFFERED,
                        f"gathered in {time.monotonic() - self._started_at:.2f} s")
        return str(self.pc.localDescription.sdp)

    async def accept_answer(self, sdp: str) -> None:
        if self.state != PeerState.OFFERED:
            raise PeerError(f"answer for a peer in state {self.state}")
        log.info("peer %s: the answer offers %s", self.name, candidate_summary(sdp))
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        except Exception as exc:
            raise PeerError(f"the answer was refused: {exc}") from exc
        # In this same step: the sender starts only after ICE and DTLS, which need awaits.
        self._install_video_encoder()
        self._set_state(PeerState.ANSWERED)
        await self._add_bundled_candidates(sdp)

    async def _add_bundled_candidates(self, sdp: str) -> None:
        """Every candidate of the other side's description, whichever section holds it.

        aiortc (1.16) with one bundled transport keeps the candidates of only the last
        media section it reads; Chromium writes its candidates into the first section
        only. So aiortc never tried the lawyer's browser's addresses: calls connected
        only because the browser's own checks reached us (peer-reflexive), which a
        village NAT that lets only TCP to port 443 out never lets in, and the call never
        connected there. aioice ignores an address it already holds.
        """
        mid = next((t.mid for t in self.pc.getTransceivers() if t.mid is not None), None)
        if mid is None:
            return
        try:
            description = aiortc_sdp.SessionDescription.parse(sdp)
        except ValueError:
            return  # aiortc accepted it a moment ago; nothing more to find
        for media in description.media:
            for candidate in media.ice_candidates:
                candidate.sdpMid = mid
                try:
                    await self.pc.addIceCandidate(candidate)
                except ValueError as exc:
                    log.info("peer %s: candidate %s refused: %s", self.name, candidate, exc)

    async def answer(self, offer_sdp: str) -> str:
        """The other side (tests, tools): take an offer, return the complete answer."""
        if self.state != PeerState.NEW:
            raise PeerError(f"answer from a peer in state {self.state}")
        self._started_at = time.monotonic()
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:
            raise PeerError(f"the offer was refused: {exc}") from exc
        self._add_media(offering=False)
        self._install_video_encoder()
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self._start_stats()
        self._set_state(PeerState.ANSWERED)
        return str(self.pc.localDescription.sdp)

    # --- media in --------------------------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._spawn(self._receive_video(track), "video in")
        elif track.kind == "audio":
            self._spawn(self._receive_audio(track), "audio in")

    def _media_arrived(self) -> None:
        self._last_media_at = time.monotonic()
        if self.state == PeerState.MEDIA_LOST:
            self._set_state(PeerState.CONNECTED, "media is back")
            self._on_event(MediaRestored(self.name))

    async def _receive_video(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.VideoFrame):
                    continue
                if frame.format.name != "yuv420p":
                    frame = frame.reformat(format="yuv420p")
                self.frames_decoded += 1
                self._media_arrived()
                self.screen.add(frame, self.playout_here.delay_ms / 1000)

    def _repair_expected(self, now: float) -> float | None:
        """When the frames behind the held ones are expected (monotonic), if they wait for a
        retransmission (as long as most such waits took lately, or a round trip) or for a
        key frame (not known: infinity); None if nothing is awaited."""
        expected = None
        for path in self._receive_paths():
            buffer = path.buffer
            if buffer is None:
                continue
            if buffer.wants_key_frame:
                at = math.inf
            elif buffer.gap_since is not None:
                at = buffer.gap_since + (buffer.repair_wait_ms(now) / 1000 or path.rtt())
                if now >= at:  # overdue: a retransmission was lost too, the next is not known
                    at = math.inf
            else:
                continue
            expected = at if expected is None else max(expected, at)
        return expected

    def _show(self, frame: av.VideoFrame) -> None:
        """A frame on the screen (`HeldFrames` shows none once closed, with the peer)."""
        if self.first_frame_s is None and self._started_at is not None:
            self.first_frame_s = time.monotonic() - self._started_at
            log.info("peer %s: first remote frame %dx%d after %.3f s", self.name,
                     frame.width, frame.height, self.first_frame_s)
            self._on_event(FirstFrame(self.name, self.first_frame_s, frame.width, frame.height))
        self.remote_video.put(frame)

    async def _receive_audio(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.AudioFrame):
                    continue
                self.audio_frames += 1
                self._media_arrived()
                self.remote_audio.write(frame)

    # --- document ---------------------------------------------------------------------------

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        if channel.label == LABEL:
            self._attach_document(channel)
        else:
            log.warning("peer %s: ignored data channel %r", self.name, channel.label)

    def _attach_document(self, channel: RTCDataChannel) -> None:
        self.document = DocumentChannel(
            channel,
            on_request=lambda: self._on_event(DocumentRequested(self.consultation_id, self.name)),
            on_still=lambda mime, data: self._on_event(DocumentReceived(self.name, mime, data)),
            on_status=self._remote_status,
            on_error=self._remote_document_error,
            on_open=self._document_opened,
        )
        if self.document.is_open:
            self._document_opened()

    def _document_opened(self) -> None:
        for kind in self._device_status:
            self._send_status(kind)

    def send_device_status(self, kind: DeviceKind, *, working: bool,
                           substitute: str | None = None) -> None:
        """Tell the other side whether a device of ours works (`device.status`).

        Sent at once if the `document` channel is open, else when it opens; the latest
        status of each kind is kept and sent again if the channel reopens. Never raises.
        """
        self._device_status[kind] = (working, substitute)
        if self.document is not None and self.document.is_open:
            self._send_status(kind)

    def _send_status(self, kind: DeviceKind) -> None:
        working, substitute = self._device_status[kind]
        if self.document is None:
            return
        try:
            self.document.send_status(kind, working=working, substitute=substitute)
        except Exception as exc:
            log.warning("peer %s: could not tell the other side about the %s: %r",
                        self.name, kind, exc)
            return
        log.info("peer %s: told the other side the %s is %s", self.name, kind,
                 "working" if working else f"not working ({substitute or 'no substitute'})")

    def send_document_error(self, reason: str) -> bool:
        """`document.error`: the still asked for cannot be taken. False if no open channel."""
        if self.document is None or not self.document.is_open:
            return False
        try:
            self.document.send_error(reason)
        except Exception as exc:
            log.warning("peer %s: could not send a document error: %r", self.name, exc)
            return False
        return True

    def _remote_status(self, kind: DeviceKind, working: bool, substitute: str | None) -> None:
        log.info("peer %s: the other side's %s is %s", self.name, kind,
                 "working" if working else f"not working ({substitute or 'no substitute'})")
        self.remote_devices[kind] = (working, substitute)

    def _remote_document_error(self, reason: str) -> None:
        log.info("peer %s: the other side could not take the document: %s", self.name, reason)
        self.document_errors.append(reason)

    async def send_document(self, data: bytes, mime: str = "image/jpeg") -> None:
        if self.document is None:
            raise PeerError("no document channel yet")
        await self.document.send_still(data, mime)
        self._on_event(DocumentSent(self.consultation_id, self.name, len(data)))

    async def request_document(self) -> None:
        if self.document is None:
            raise PeerError("no document channel yet")
        await self.document.request()

    # --- stats and the media watchdog ------------------------------------------------------

    def _start_stats(self) -> None:
        self._spawn(self._stats_loop(), "stats")

    async def _stats_loop(self) -> None:
        while True:
            await asyncio.sleep(self.stats_interval_s)
            self.policy.tick()
            self._cpu_busy = self._cpu_load()
            if self._video_tap is not None:
                self.ladder.tick(self._cpu_busy, self.policy.target_bps)
            try:
                await self._sample()
            except Exception:
                log.warning("peer %s: stats failed", self.name, exc_info=True)
            self._watch_media()

    def _watch_media(self) -> None:
        if self.state != PeerState.CONNECTED or self._last_media_at is None:
            return
        silent = time.monotonic() - self._last_media_at
        if silent >= self.media_lost_after_s:
            self._set_state(PeerState.MEDIA_LOST, f"no media for {silent:.1f} s")
            self._on_event(MediaLost(self.name, silent))

    def _follow_the_link(self, now: float, rtt: float | None, video_lost: int,
                         jitter_there_ms: float) -> None:
        """The playout delays from the losses each way: the other side's receiver reports
        and NACKs for our video (RFC 3550's jitter is a mean deviation: about a third of how late
        the late frames come), our receive path's holes and frames for theirs."""
        # A packet the lawyer's browser got back by retransmission is not in its reports'
        # loss count, yet its frame came a round trip late: the NACKs count too.
        guard = None if self._video_sender is None else resend.installed(self._video_sender)
        nacked = 0 if guard is None else guard.requested
        changed = self.playout_there.observe(
            now, rtt, video_lost + nacked, 3 * jitter_there_ms,
            repair_ms=None if guard is None else guard.repair_wait_ms(now))
        if changed and self._video_sender is not None:
            extension = playout.installed(self._video_sender)
            if extension is not None:
                extension.set_delay(*self.playout_there.extension_range())
        paths = self._receive_paths()
        missing = sum(path.missing_seen for path in paths)
        repair = max((p.buffer.repair_wait_ms(now) for p in paths if p.buffer), default=0.0)
        self.playout_here.observe(now, rtt, missing, self.screen.clock.lateness_ms(now),
                                  repair_ms=repair)

    def _receive_paths(self) -> list[receive.VideoReceivePath]:
        paths = (receive.installed(t.receiver) for t in self.pc.getTransceivers())
        return [path for path in paths if path is not None]

    def rtt_s(self) -> float | None:
        """The round trip our senders measure from the other side's receiver reports."""
        for transceiver in self.pc.getTransceivers():
            rtt = getattr(transceiver.sender, "_RTCRtpSender__rtt", None)
            if isinstance(rtt, float) and rtt > 0:
                return rtt
        return None

    def selected_pair(self) -> Any | None:
        """aioice's nominated candidate pair (private API, read-only, for stats)."""
        for transceiver in self.pc.getTransceivers():
            transport = transceiver.receiver.transport
            if transport is None:
                continue
            connection = getattr(transport.transport, "_connection", None)
            nominated = getattr(connection, "_nominated", None)
            if nominated:
                return next(iter(nominated.values()))
        return None

    async def _sample(self) -> None:
        now = time.monotonic()
        report = await self.pc.getStats()
        sent = received = lost = video_lost = 0
        rtt: float | None = None
        video_jitter = 0  # RTP units (90 kHz) of the lawyer's browser's estimate
        for stats in report.values():
            kind = getattr(stats, "type", "")
            if kind == "transport":
                sent += stats.bytesSent
                received += stats.bytesReceived
            elif kind == "remote-inbound-rtp":
                lost += max(0, stats.packetsLost)
                if stats.kind == "video":
                    video_lost += max(0, stats.packetsLost)
                    video_jitter = max(video_jitter, stats.jitter or 0)
                if stats.roundTripTime is not None and (stats.kind == "video" or rtt is None):
                    rtt = stats.roundTripTime
        self._follow_the_link(now, rtt, video_lost, video_jitter / 90)
        fps_out = self._video_tap.sent if self._video_tap is not None else 0
        prev = self._prev
        self._prev = (now, sent, received, self.frames_decoded, fps_out)
        if prev is None:
            return
        dt = max(now - prev[0], 1e-3)
        pair = self.selected_pair()
        local_type = None if pair is None else pair.local_candidate.type
        estimate = self.policy.estimate_bps
        stats = MediaStats(
            peer=self.name,
            at=now,
            send_kbps=(sent - prev[1]) * 8 / dt / 1000,
            recv_kbps=(received - prev[2]) * 8 / dt / 1000,
            fps_in=(self.frames_decoded - prev[3]) / dt,
            fps_out=(fps_out - prev[4]) / dt,
            frames_decoded=self.frames_decoded,
            frames_dropped=self.remote_video.dropped,
            packets_lost=lost,
            rtt_ms=None if rtt is None else rtt * 1000,
            relay=None if pair is None else local_type == "relay",
            local_candidate=local_type,
            target_kbps=(
                (self.policy.target_bps / 1000) if self.video_encoder is not None else None
            ),
            estimate_kbps=None if estimate is None else estimate / 1000,
            policy=self.policy.mode,
            media_silent_s=(
                0.0 if self._last_media_at is None else max(0.0, now - self._last_media_at)
            ),
            send_step=str(self.ladder.step) if self._video_tap is not None else None,
            cpu_busy=self._cpu_busy,
        )
        self.last_stats = stats
        self._on_event(stats)

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> ConsultationPeer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.screen.close()  # nothing of the resident's call is kept
        for path in self._receive_paths():
            path.close()
            log.info("peer %s: video received: %s", self.name, path.summary())
        guard = None if self._video_sender is None else resend.installed(self._video_sender)
        if guard is not None:
            log.info("peer %s: video sent: %s", self.name, guard.summary())
        with contextlib.suppress(ValueError):
            self.policy.listeners.remove(self._on_policy)
        with contextlib.suppress(ValueError):
            self.ladder.listeners.remove(self._on_step)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            async with asyncio.timeout(10):
                await self.pc.close()
        except Exception:
            log.warning("peer %s: close did not finish cleanly", self.name, exc_info=True)
        self._set_state(PeerState.CLOSED)
