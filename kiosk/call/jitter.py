"""The kiosk's video jitter buffer: whole frames out as soon as they are whole, never stuck.

aiortc's `JitterBuffer` hands on one frame per arriving packet, only when the
first packet of the *next* frame arrives, and waits for a missing packet until
512 more have come. Measured on an emulated village link (P4): a packet whose
retransmission never arrived blocked every later frame for 6 to 17 s, and after
such a stall the backlog left one frame per packet, so on a 256 kbit/s link it
never drained and the lawyer's picture ran 1-3 s late for the rest of the call.

`FrameBuffer` (pure; the clock is passed in):

* a frame leaves with its last packet (RTP's marker bit), and every frame that
  is whole leaves at once, in order (after a retransmission fills a gap, all the
  frames behind it);
* a gap at the head waits for its retransmission (NACK, `receive.py`) until
  `give_up_s` after it was seen; then the buffer skips to the next key frame it
  holds, or drops what it holds and waits for one, and asks for one (PLI):
  frames after a lost one cannot be decoded without it;
* after a second or more with no packet at all (the link was down), a hole is
  given up at once: what was lost in an outage will not come back in time;
* while it waits for a key frame it drops the frames that are not one, and
  anything that does not begin at a frame's first packet.

`FrameStart` tells a frame's first packet and a key frame for VP8 (RFC 7741's
payload descriptor and the VP8 frame tag) and H.264 (RFC 6184's NAL headers).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.jitterbuffer import JitterFrame

from kiosk.call import seqnum

log = logging.getLogger(__name__)

CAPACITY = 512  # packets held at most, as aiortc's video buffer
# Silence this long, then packets after a hole: an outage, not a lost packet.
OUTAGE_S = 1.0


class Packet(Protocol):
    """What the buffer reads of an aiortc `RtpPacket` (after depayloading: `_data`)."""

    sequence_number: int
    timestamp: int
    marker: int
    payload: bytes


@dataclass(frozen=True)
class FrameStart:
    """Whether a packet begins a frame, and a key frame; by codec."""

    starts: Callable[[Any], bool]
    key: Callable[[Any], bool]


def _vp8_descriptor(packet: Any) -> tuple[VpxPayloadDescriptor, bytes] | None:
    try:
        return VpxPayloadDescriptor.parse(packet.payload)
    except (ValueError, IndexError):
        return None


def _vp8_starts(packet: Any) -> bool:
    parsed = _vp8_descriptor(packet)
    return parsed is not None and bool(parsed[0].partition_start) and parsed[0].partition_id == 0


def _vp8_key(packet: Any) -> bool:
    parsed = _vp8_descriptor(packet)
    if parsed is None:
        return False
    descriptor, data = parsed
    # the frame tag's lowest bit is 0 on a key frame (RFC 6386, 9.1)
    return (bool(descriptor.partition_start) and descriptor.partition_id == 0 and bool(data)
            and data[0] & 0x01 == 0)


_H264_STAP_A, _H264_FU_A = 24, 28
_H264_KEY_NALS = {5, 7}  # an IDR slice, or the sequence parameter set sent before one


def _h264_nals(payload: bytes) -> tuple[bool, set[int]]:
    """(whether a NAL unit begins in this packet, the types of those that begin)."""
    if not payload:
        return False, set()
    kind = payload[0] & 0x1F
    if kind == _H264_FU_A:
        if len(payload) < 2 or not payload[1] & 0x80:
            return False, set()
        return True, {payload[1] & 0x1F}
    if kind == _H264_STAP_A:
        types, at = set(), 1
        while at + 2 < len(payload):
            size = int.from_bytes(payload[at:at + 2], "big")
            if size == 0 or at + 2 + size > len(payload):
                break
            types.add(payload[at + 2] & 0x1F)
            at += 2 + size
        return bool(types), types
    return 0 < kind < 24, {kind}


VP8 = FrameStart(starts=_vp8_starts, key=_vp8_key)
H264 = FrameStart(starts=lambda p: _h264_nals(p.payload)[0],
                  key=lambda p: bool(_h264_nals(p.payload)[1] & _H264_KEY_NALS))
ANY = FrameStart(starts=lambda p: True, key=lambda p: True)  # an unknown codec: trust order


def frame_start_of(codec_name: str) -> FrameStart:
    return {"VP8": VP8, "H264": H264}.get(codec_name.upper(), ANY)


@dataclass
class Released:
    """What one `add` or `expire` gave: frames to decode, in order, and whether to ask the
    sender for a key frame."""

    frames: list[JitterFrame] = field(default_factory=list)
    want_key_frame: bool = False


class FrameBuffer:
    def __init__(self, frame_start: FrameStart = VP8, capacity: int = CAPACITY) -> None:
        self.frame_start = frame_start
        self.capacity = capacity
        self._packets: dict[int, Any] = {}  # extended sequence number -> packet
        self._origin: int | None = None  # the next packet a frame can begin with
        self._highest: int | None = None
        self.gap_since: float | None = None  # when a hole at the head was first seen
        self.waiting_for_key = True  # until the first key frame, and after a skip
        self.skips = 0
        self.dropped_frames = 0
        self.dropped_packets = 0  # heads that did not begin a frame
        self._last_arrival: float | None = None
        self._handed_on: int | None = None  # the RTP timestamp of the last frame handed on
        # (when, how long) a hole at the head waited for its retransmission
        self.repairs: deque[tuple[float, float]] = deque(maxlen=64)

    # --- sequence numbers ---------------------------------------------------------------------

    @property
    def wants_key_frame(self) -> bool:
        """Waiting for a key frame that will not come by itself: after a hole was given up,
        or when the call's first one was lost (DTLS-SRTP drops what arrives before its keys
        are ready) and only later frames came. A sender sends the next one when asked."""
        return self.waiting_for_key and (
            self.skips > 0 or self.dropped_frames > 0 or self.dropped_packets > 0)

    @property
    def missing_at_head(self) -> bool:
        return self.gap_since is not None

    def repair_wait_ms(self, now: float, window_s: float = 20.0, share: float = 0.8) -> float:
        """How long the picture waited for a retransmission lately (`share` of the holes
        filled in the last `window_s`), in ms; 0 when none was."""
        waits = sorted(wait for at, wait in self.repairs if now - at < window_s)
        return waits[min(len(waits) - 1, int(share * len(waits)))] * 1000 if waits else 0.0

    def held(self) -> int:
        return len(self._packets)

    def missing(self) -> list[int]:
        """16-bit sequence numbers missing between the head and the highest packet held."""
        if self._origin is None or self._highest is None:
            return []
        return [ext & 0xFFFF for ext in range(self._origin, self._highest)
                if ext not in self._packets]

    # --- packets in, frames out ---------------------------------------------------------------

    def add(self, packet: Any, now: float) -> Released:
        ext = seqnum.extend(packet.sequence_number, self._highest)
        if self._origin is None:
            self._origin = ext
        if ext < self._origin or ext in self._packets:
            return Released()  # a duplicate, or a retransmission of what was given up
        released = Released()
        silence = 0.0 if self._last_arrival is None else now - self._last_arrival
        self._last_arrival = now
        if silence >= OUTAGE_S and self._highest is not None and ext > self._highest + 1:
            # Nothing came for a while and then a jump: the link was down. What was lost
            # in it will not come back in time; waiting and asking would only hold the
            # picture longer. Straight to a key frame.
            log.info("video buffer: %d packets lost in %.1f s of silence: asking for a key "
                     "frame", ext - self._highest - 1, silence)
            released = self._skip(now)
            released.want_key_frame = True
            self._origin = ext  # the hole is behind us: the next frame may begin here
        self._packets[ext] = packet
        if self._highest is None or ext > self._highest:
            self._highest = ext
        more = self._release(now)
        released.frames += more.frames
        released.want_key_frame |= more.want_key_frame
        if self._highest - self._origin >= self.capacity:
            log.info("video buffer full (%d packets): skipping to a key frame", self.held())
            more = self._skip(now)
            released.frames += more.frames
            released.want_key_frame = True
        return released

    def expire(self, now: float, give_up_s: float) -> Released:
        """Give up on the hole at the head once it has waited `give_up_s`."""
        if self.gap_since is None or now - self.gap_since < give_up_s:
            return Released()
        log.info("video buffer: a packet missing for %.0f ms: skipping to a key frame",
                 (now - self.gap_since) * 1000)
        released = self._skip(now)
        released.want_key_frame = True
        return released

    def _skip(self, now: float) -> Released:
        """Past the hole: to the first key frame held, or past everything held."""
        self.skips += 1
        assert self._origin is not None and self._highest is not None
        keys = sorted(ext for ext, p in self._packets.items()
                      if ext > self._origin and self.frame_start.key(p))
        target = keys[0] if keys else self._highest + 1
        for ext in [e for e in self._packets if e < target]:
            del self._packets[ext]
        self._origin = target
        self.waiting_for_key = True
        self.gap_since = None
        return self._release(now)

    def _release(self, now: float) -> Released:
        out = Released()
        while True:
            frame = self._take_frame()
            if frame is None:
                break
            if isinstance(frame, JitterFrame):
                out.frames.append(frame)
        hole = bool(self._packets) and (self._origin not in self._packets
                                        or self._head_incomplete())
        if not hole:
            if self.gap_since is not None and out.frames:
                # a hole filled by a retransmission: how long the picture waited for it
                self.repairs.append((now, now - self.gap_since))
            self.gap_since = None
        elif self.gap_since is None:
            self.gap_since = now
        return out

    def _head_incomplete(self) -> bool:
        """The head's frame has a hole (its first packet is here, a later one is not)."""
        assert self._origin is not None
        ext = self._origin
        timestamp = self._packets[ext].timestamp
        while ext in self._packets:
            packet = self._packets[ext]
            if packet.timestamp != timestamp or packet.marker:
                return False
            ext += 1
        return self._highest is not None and ext <= self._highest

    def _take_frame(self) -> JitterFrame | _Dropped | None:
        """The whole frame at the head, removed; `_DROPPED` if one was thrown away,
        `_PADDING` for padding or a packet of the frame handed on before."""
        origin = self._origin
        if origin is None or origin not in self._packets:
            return None
        first = self._packets[origin]
        if not first.payload or (first.timestamp == self._handed_on
                                 and not self.frame_start.starts(first)):
            # Padding, or a packet of the frame just handed on (the sender's probe after a
            # frame, tail_probe.py): it holds a place in the sequence, so that a lost packet
            # before it is noticed, and no more.
            del self._packets[origin]
            self._origin = origin + 1
            return _PADDING
        if not self.frame_start.starts(first):
            # the head is the middle of a frame whose first packet was given up
            del self._packets[origin]
            self._origin = origin + 1
            self.dropped_packets += 1
            return _DROPPED
        packets, ext = [], origin
        while ext in self._packets:
            packet = self._packets[ext]
            if packet.timestamp != first.timestamp:
                break  # the next frame began without a marker on this one: it ends here
            packets.append(packet)
            ext += 1
            if packet.marker:
                break
        else:
            return None  # a hole inside the frame, or its last packet has not come
        for done in range(origin, ext):
            del self._packets[done]
        self._origin = ext
        key = self.frame_start.key(first)
        if self.waiting_for_key and not key:
            self.dropped_frames += 1
            return _DROPPED
        self.waiting_for_key = False
        self._handed_on = first.timestamp
        return JitterFrame(data=b"".join(p._data for p in packets), timestamp=first.timestamp)


class _Dropped:
    pass


_DROPPED = _Dropped()
_PADDING = _Dropped()
