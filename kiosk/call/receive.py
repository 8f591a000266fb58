"""The video receive path of the kiosk's peer: NACKs that are repeated, frames never stuck.

aiortc's `RTCRtpReceiver._handle_rtp_packet` asks for a lost packet once, when
the gap is first seen (a lost NACK or a lost retransmission is never asked for
again), hands on at most one frame per packet, and waits on a hole until 512
packets have piled up behind it (see `jitter.py`). For video receivers only,
`install(receiver, rtt)` replaces that method on the instance with
`VideoReceivePath.handle`, which does what aiortc does (a REMB, RTX unwrapping,
depayloading, RTCP statistics, the decoder queue) but:

* NACKs a missing packet at once and again every `nack_every(rtt)` until it
  comes, up to `NACK_TRIES` times, as libwebrtc's NACK module does;
* keeps frames in `jitter.FrameBuffer`, which hands on every whole frame and
  gives up on a hole after `give_up_after(rtt)`, then asks for a key frame
  (PLI), again every `pli_every(rtt)` while none has come; so too when the call's
  first key frame never came whole;
* sends the REMB that `queue_watch.py` sets from the queue it sees in front of the
  village's downlink, in place of aiortc's estimate, and at once when it drops.

`rtt` is a callable: the round trip the peer's own sender measures from the
other side's receiver reports (the same path), or None before the first.

aiortc keeps what this needs in private, name-mangled attributes of the
receiver. If a future aiortc renames one, `install` logs a warning and leaves
aiortc's own handling; `tests/call/test_peer.py` fails on it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiortc.codecs import depayload, is_rtx
from aiortc.rtcrtpreceiver import RTCRtpReceiver, StreamStatistics
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, pack_remb_fci, unwrap_rtx

from kiosk.call.jitter import FrameBuffer, frame_start_of
from kiosk.call.patch import installed_on, replace_method
from kiosk.call.queue_watch import QueueWatch

log = logging.getLogger(__name__)

RttSource = Callable[[], float | None]
# Before the first receiver report: the thinnest village link's round trip with its queue
# (P4, 256 kbit/s: 450-560 ms in a call's first seconds). Less gave a hole up too early
# (725 ms) and cost a key frame the link could hardly carry.
DEFAULT_RTT_S = 0.5
# A lost request (or its retransmission) is asked for again sooner than that before the
# round trip is known, as libwebrtc's receivers assume 100 ms: P4 at 1 Mbit/s (84 ms round
# trip, known 2 s into the call), a repeat after 0.65 s froze the picture for 417 ms. Asked
# again before the sender resends, the request is dropped, no more.
ASK_AGAIN_RTT_S = 0.2
NACK_TRIES = 6
_KEEPER = "_kiosk_receive_path"
TICK_S = 0.02
_PRIVATE = ("codecs", "decoder_queue", "decoder_error", "decoder_thread", "remote_streams",
            "rtx_ssrc", "timestamp_mapper", "remote_bitrate_estimator", "rtcp_ssrc", "kind")


def nack_every(rtt: float) -> float:
    """Ask again once the last request's retransmission is overdue, and not before the
    sender will resend: libwebrtc resends a packet at most once per its own round-trip
    estimate, which it takes from our reports and which a queue moves by 100-200 ms on a
    thin link; asked again sooner, the request is dropped (P4, 256 kbit/s: holes given up
    after two requests, about one a call)."""
    return max(rtt * 1.2 + 0.01, rtt + 0.15)


def give_up_after(rtt: float) -> float:
    """Three requests' worth of waiting, then a key frame: it costs more than the wait (on a
    thin link a 640x480 key frame takes most of a second to come)."""
    return min(2.5, 2 * nack_every(rtt) + rtt + 0.1)


def pli_every(rtt: float) -> float:
    return max(0.3, rtt + 0.15)


def _private(receiver: RTCRtpReceiver, name: str) -> Any:
    return getattr(receiver, f"_RTCRtpReceiver__{name}")


class VideoReceivePath:
    def __init__(self, receiver: RTCRtpReceiver, rtt: RttSource) -> None:
        self.receiver = receiver
        self._rtt = rtt
        self.buffer: FrameBuffer | None = None  # made with the first packet's codec
        self._asked: dict[int, tuple[float, int]] = {}  # seq -> (last NACK, times asked)
        self._media_ssrc: int | None = None
        self._codec: Any = None  # the media codec of the last packet (RTX unwrapped)
        self._last_pli = 0.0
        self._tick: asyncio.TimerHandle | None = None
        self.queue = QueueWatch()
        self._ssrcs: dict[int, int] = {}  # the sender's SSRCs -> last arrival (ms), for REMB
        self.nacks_sent = 0
        self.missing_seen = 0  # packets found missing (asked for at least once)
        self.plis_sent = 0
        self.frames_out = 0

    def rtt(self, unknown: float = DEFAULT_RTT_S) -> float:
        value = self._rtt()
        return unknown if value is None or value <= 0 else value

    # --- aiortc's handler, with our buffer and NACKs -------------------------------------------

    async def handle(self, packet: Any, arrival_time_ms: int) -> None:
        r = self.receiver
        if not r._enabled:
            return
        size = len(packet.payload) + packet.padding_size
        self._ssrcs[packet.ssrc] = arrival_time_ms
        if self.queue.packet(arrival_time_ms, packet.extensions.abs_send_time, size):
            await self._send_remb(arrival_time_ms)
        codecs = _private(r, "codecs")
        codec = codecs.get(packet.payload_type)
        if codec is None:
            return
        streams = _private(r, "remote_streams")
        if packet.ssrc not in streams:
            streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        streams[packet.ssrc].add(packet)
        if is_rtx(codec):
            original = _private(r, "rtx_ssrc").get(packet.ssrc)
            apt = codec.parameters.get("apt")
            if original is None or len(packet.payload) < 2 or not isinstance(apt, int) \
                    or apt not in codecs:
                return
            packet = unwrap_rtx(packet, payload_type=apt, ssrc=original)
            codec = codecs[apt]
        try:
            packet._data = depayload(codec, packet.payload) if packet.payload else b""
        except ValueError:
            return
        if self.buffer is None:
            self.buffer = FrameBuffer(frame_start_of(codec.name))
        self._media_ssrc = packet.ssrc
        self._codec = codec
        now = time.monotonic()
        released = self.buffer.add(packet, now)
        self._asked.pop(packet.sequence_number, None)
        want_key = released.want_key_frame
        decoder_error = _private(r, "decoder_error")
        if decoder_error.is_set():
            decoder_error.clear()
            want_key = True  # RFC 4585 6.3.1.1: the decoder lost the picture
        self._to_decoder(codec, released.frames)
        await self._ask(now, want_key)
        self._schedule()

    async def _send_remb(self, now_ms: int) -> None:
        """What the downlink's queue says (queue_watch.py), if REMB was agreed on (aiortc
        made its estimator then) and once our RTCP has an SSRC."""
        rtcp_ssrc = _private(self.receiver, "rtcp_ssrc")
        rate = self.queue.rate_bps
        if rtcp_ssrc is None or rate is None \
                or _private(self.receiver, "remote_bitrate_estimator") is None:
            return
        for ssrc, seen in list(self._ssrcs.items()):
            if now_ms - seen > 5000:
                del self._ssrcs[ssrc]  # a stream replaced (a restarted sender)
        fci = pack_remb_fci(rate, sorted(self._ssrcs))
        await self.receiver._send_rtcp(RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc,
                                                      media_ssrc=0, fci=fci))

    def _to_decoder(self, codec: Any, frames: list[Any]) -> None:
        if not frames or not _private(self.receiver, "decoder_thread"):
            return
        mapper = _private(self.receiver, "timestamp_mapper")
        queue = _private(self.receiver, "decoder_queue")
        for frame in frames:
            frame.timestamp = mapper.map(frame.timestamp)
            queue.put((codec, frame))
        self.frames_out += len(frames)

    # --- NACK and PLI -------------------------------------------------------------------------

    async def _ask(self, now: float, want_key: bool) -> None:
        buffer, ssrc = self.buffer, self._media_ssrc
        if buffer is None or ssrc is None:
            return
        rtt = self.rtt(ASK_AGAIN_RTT_S)
        due = []
        missing = set(buffer.missing())
        for seq in list(self._asked):
            if seq not in missing:
                del self._asked[seq]  # came, or given up with the hole
        for seq in sorted(missing):
            last, times = self._asked.get(seq, (0.0, 0))
            if times < NACK_TRIES and now - last >= nack_every(rtt):
                self._asked[seq] = (now, times + 1)
                due.append(seq)
                if times == 0:
                    self.missing_seen += 1
        if due:
            self.nacks_sent += 1
            await self.receiver._send_rtcp_nack(ssrc, due)
        # a key frame costs the link most of a second: not asked for again on a guess
        again = buffer.wants_key_frame and now - self._last_pli >= pli_every(self.rtt())
        if (want_key and now - self._last_pli >= 0.1) or again:
            self._last_pli = now
            self.plis_sent += 1
            await self.receiver._send_rtcp_pli(ssrc)

    def _schedule(self) -> None:
        buffer = self.buffer
        busy = buffer is not None and (buffer.missing_at_head or bool(self._asked)
                                       or buffer.wants_key_frame)
        if busy and self._tick is None:
            self._tick = asyncio.get_running_loop().call_later(TICK_S, self._on_tick)

    def _on_tick(self) -> None:
        self._tick = None
        task = asyncio.ensure_future(self._tick_once())
        task.add_done_callback(_log_failure)

    async def _tick_once(self) -> None:
        buffer = self.buffer
        if buffer is None:
            return
        now = time.monotonic()
        released = buffer.expire(now, give_up_after(self.rtt()))
        if self._codec is not None:
            self._to_decoder(self._codec, released.frames)
        await self._ask(now, released.want_key_frame)
        self._schedule()

    def summary(self) -> str:
        buffer = self.buffer
        skips = 0 if buffer is None else buffer.skips
        dropped = 0 if buffer is None else buffer.dropped_frames
        return (f"{self.frames_out} frames to the decoder, {self.nacks_sent} NACKs, "
                f"{self.plis_sent} PLIs, {skips} holes given up, {dropped} frames dropped "
                f"waiting for a key frame, {self.queue.backoffs} backoffs for the downlink's "
                "queue")

    def close(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("video receive path: a tick failed", exc_info=task.exception())


def install(receiver: RTCRtpReceiver, rtt: RttSource) -> VideoReceivePath | None:
    """Our receive path on a video receiver, before its first packet; None (aiortc's own
    stays) if aiortc's internals are not where they were expected."""
    missing = [name for name in _PRIVATE if not hasattr(receiver, f"_RTCRtpReceiver__{name}")]
    if missing or not callable(getattr(receiver, "_send_rtcp_nack", None)):
        log.warning("aiortc's RTCRtpReceiver lacks %s: its own video receive path stays",
                    ", ".join(missing) or "_send_rtcp_nack")
        return None
    if _private(receiver, "kind") != "video":
        return None
    existing = installed(receiver)
    if existing is not None:
        return existing
    path = VideoReceivePath(receiver, rtt)
    return replace_method(receiver, "_handle_rtp_packet", path.handle, _KEEPER, path)


def installed(receiver: RTCRtpReceiver) -> VideoReceivePath | None:
    return installed_on(receiver, _KEEPER, VideoReceivePath)
