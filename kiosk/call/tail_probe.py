"""A probe packet after each video frame, so that a lost last packet is asked for at once.

A receiver learns that a packet is missing from the next packet's sequence number.
At 15 fps and the rates a village link carries, a frame is one or two packets, so
most lost packets are a frame's last one, and the next packet is the next frame's,
a frame's interval (67 ms) later. Measured (P4, 1 Mbit/s, 40 ms, 1 %, 2 calls):
four of the lawyer's five NACKs named a frame's last packet and reached us 150-166
ms after it was sent, the one inside a frame after 99 ms; the picture waited that
long for each, and the lawyer saw three freezes of 215-233 ms (P4 counts gaps over
200 ms), where Chromium in the kiosk's place, at 24 fps, sends its next packet
sooner.

So `PROBE_AFTER_S` after each frame's last packet, unless the next frame has begun,
the sender sends one small packet with the next sequence number, and a lost last
packet is asked for then. A padding-only packet is not enough: libwebrtc's receiver
takes its place in the sequence (`NotifyReceiverOfEmptyPacket`) but only buffers the
NACK it finds (`SendNack(..., buffering_allowed=true)`) until the next packet with a
payload (measured: NACKs as late as without it). The probe is therefore a packet of
the frame just sent, after its last: the frame's VP8 payload descriptor without the
start bit, one byte of data and no marker. libwebrtc's packet buffer keeps it until
the frame is decoded and never makes a frame of it (a frame needs its first packet,
and the frame before it ended at the marker); ours drops it (`jitter.FrameBuffer`: a
packet of a frame already handed on). It costs about 8 kbit/s at 15 fps, which the
bitrate policy keeps free (`PolicySettings.tail_probe_bps`). VP8 only: H.264 has no
such harmless packet.

aiortc numbers a sender's packets in a local variable of `RTCRtpSender._run_rtp`.
`install(sender)` replaces that method on the instance, before `send()` starts it,
with `FrameSender.run`: aiortc's loop (1.16) with the probe. It keeps what aiortc's
RTCP and retransmissions read (the history, the counts for sender reports) in the
sender's private, name-mangled attributes; if a future aiortc renames one, `install`
logs a warning and the sender runs aiortc's own loop; `tests/call/test_tail_probe.py`
fails on it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiortc import clock
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpsender import RTCRtpSender, random_sequence_number
from aiortc.rtp import RTP_HISTORY_SIZE, RtpPacket
from aiortc.utils import random32, uint16_add, uint32_add

from kiosk.call.patch import installed_on, replace_method

log = logging.getLogger(__name__)

# Late enough that a loss burst taking the last packet need not take the probe too;
# well before the next frame (67 ms at 15 fps).
PROBE_AFTER_S = 0.01
_PREFIX = "_RTCRtpSender__"
_KEEPER = "_kiosk_frame_sender"
_PRIVATE = ("rtp_started", "rtp_exited", "rtp_history", "rtp_header_extensions_map",
            "track", "encoder", "mid", "ntp_timestamp", "rtp_timestamp", "octet_count",
            "packet_count")


class FrameSender:
    """The RTP loop of one video sender (see the module docstring)."""

    def __init__(self, sender: RTCRtpSender, after_s: float = PROBE_AFTER_S) -> None:
        self.sender = sender
        self.after_s = after_s
        self.sequence_number = random_sequence_number()
        self.probes = 0
        self._timestamp = 0  # the last frame's, which its probe carries
        self._last_payload = b""  # the last frame's last packet's, whose descriptor it carries
        self._probe_timer: asyncio.TimerHandle | None = None
        self._probe_tasks: set[asyncio.Task[None]] = set()

    def _get(self, name: str) -> Any:
        return getattr(self.sender, _PREFIX + name)

    def _add(self, name: str, value: int) -> None:
        setattr(self.sender, _PREFIX + name, self._get(name) + value)

    def _packet(self, payload_type: int, timestamp: int) -> RtpPacket:
        packet = RtpPacket(payload_type=payload_type, sequence_number=self.sequence_number,
                           timestamp=timestamp)
        self.sequence_number = uint16_add(self.sequence_number, 1)
        packet.ssrc = self.sender._ssrc
        packet.extensions.abs_send_time = (clock.current_ntp_time() >> 14) & 0x00FFFFFF
        packet.extensions.mid = self._get("mid")
        return packet

    async def _send(self, packet: RtpPacket) -> None:
        # in the history, so that a lost one is resent as any packet is
        self._get("rtp_history")[packet.sequence_number % RTP_HISTORY_SIZE] = packet
        data = packet.serialize(self._get("rtp_header_extensions_map"))
        await self.sender.transport._send_rtp(data)

    async def run(self, codec: RTCRtpCodecParameters) -> None:
        """aiortc's `_run_rtp`, numbering packets in `sequence_number`, and a probe after
        each frame."""
        self._get("rtp_started").set()
        payload_type = codec.payloadType or 0  # always set for a negotiated codec
        probing = codec.mimeType.lower() == "video/vp8"
        timestamp_origin = random32()
        try:
            while True:
                if not self._get("track"):
                    await asyncio.sleep(0.02)
                    continue
                enc_frame = await self.sender._next_encoded_frame(codec)
                if enc_frame is None:
                    continue
                self._cancel_probe()
                timestamp = uint32_add(timestamp_origin, enc_frame.timestamp)
                last = len(enc_frame.payloads) - 1
                for i, payload in enumerate(enc_frame.payloads):
                    packet = self._packet(payload_type, timestamp)
                    packet.payload = payload
                    packet.marker = 1 if i == last else 0
                    await self._send(packet)
                    setattr(self.sender, _PREFIX + "ntp_timestamp", clock.current_ntp_time())
                    setattr(self.sender, _PREFIX + "rtp_timestamp", timestamp)
                    self._add("octet_count", len(payload))
                    self._add("packet_count", 1)
                if probing and enc_frame.payloads:
                    self._timestamp, self._last_payload = timestamp, enc_frame.payloads[-1]
                    self._probe_timer = asyncio.get_running_loop().call_later(
                        self.after_s, self._probe, payload_type)
        except (asyncio.CancelledError, ConnectionError, MediaStreamError):
            pass
        except Exception:
            # as aiortc: the exit must be set, or the sender's stop() waits for ever
            log.warning("video sender crashed", exc_info=True)
        finally:
            self._cancel_probe()
        track = self._get("track")
        if track:
            track.stop()
            setattr(self.sender, _PREFIX + "track", None)
        setattr(self.sender, _PREFIX + "encoder", None)
        self._get("rtp_exited").set()

    def _cancel_probe(self) -> None:
        if self._probe_timer is not None:
            self._probe_timer.cancel()
            self._probe_timer = None

    def _probe(self, payload_type: int) -> None:
        self._probe_timer = None
        payload = probe_payload(self._last_payload)
        if payload is None:
            return
        packet = self._packet(payload_type, self._timestamp)
        packet.payload = payload
        task = asyncio.ensure_future(self._send_probe(packet))
        self._probe_tasks.add(task)
        task.add_done_callback(self._probe_tasks.discard)

    async def _send_probe(self, packet: RtpPacket) -> None:
        try:
            await self._send(packet)
        except ConnectionError:
            return  # the transport closed: the loop ends too
        self.probes += 1


def probe_payload(last: bytes) -> bytes | None:
    """A packet's payload that continues the VP8 frame whose last payload was `last`: its
    descriptor, not a partition's start, and one byte (a payload with no data after the
    descriptor is not parsed at all). None if `last` is not VP8."""
    try:
        descriptor, _ = VpxPayloadDescriptor.parse(last)
    except (ValueError, IndexError):
        return None
    descriptor.partition_start = 0
    return bytes(descriptor) + b"\x00"


def install(sender: RTCRtpSender, after_s: float = PROBE_AFTER_S) -> FrameSender | None:
    """Before `send()`: the sender's loop becomes a `FrameSender`'s. None (aiortc's own loop
    runs) if aiortc's internals are not where they were expected."""
    existing = installed(sender)
    if existing is not None:
        return existing
    missing = [name for name in _PRIVATE if not hasattr(sender, _PREFIX + name)]
    if missing or not callable(getattr(sender, "_next_encoded_frame", None)):
        log.warning("aiortc's RTCRtpSender has no %s: no probe after a frame, a lost last "
                    "packet is asked for with the next frame", ", ".join(missing)
                    or "_next_encoded_frame")
        return None
    frame_sender = FrameSender(sender, after_s)
    return replace_method(sender, "_run_rtp", frame_sender.run, _KEEPER, frame_sender)


def installed(sender: RTCRtpSender) -> FrameSender | None:
    return installed_on(sender, _KEEPER, FrameSender)
