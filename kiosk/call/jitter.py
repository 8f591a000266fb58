"""A video jitter buffer that hands a frame on as soon as its last packet arrives.

aiortc's `JitterBuffer` releases a frame only when the first packet of the
*next* frame arrives, so every received frame waits one frame interval of the
lawyer's camera (42 ms at 24 fps) before it is decoded: measured as most of the
gap between the kiosk's and Chromium's glass-to-glass latency (P3). RTP marks
the last packet of a video frame with the marker bit (RFC 7741 for VP8); a
frame whose packets from the buffer's origin up to a marked one are all there
is complete.

Installed like the encoders in `policy.py`: aiortc keeps the buffer in the
private `_RTCRtpReceiver__jitter_buffer`, made in the receiver's constructor,
used from the first packet. If a future aiortc renames it, `install` logs a
warning and aiortc's own buffer works as before; `tests/call/test_jitter.py`
fails on it.
"""

from __future__ import annotations

import logging
from typing import Any

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpreceiver import RTCRtpReceiver

log = logging.getLogger(__name__)

_BUFFER_ATTR = "_RTCRtpReceiver__jitter_buffer"
VIDEO_CAPACITY = 512  # what aiortc uses for video


class MarkerJitterBuffer(JitterBuffer):
    """Video only (no prefetch): a frame leaves at its marked packet, or as aiortc would."""

    def __init__(self, capacity: int = VIDEO_CAPACITY) -> None:
        super().__init__(capacity=capacity, is_video=True)

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        origin = self._origin
        if origin is None:
            return None
        packets: list[Any] = []
        timestamp: int | None = None
        for count in range(self.capacity):
            packet = self._packets[(origin + count) % self.capacity]
            if packet is None:
                return None  # a gap: wait for the packet (NACK) or for the buffer to move on
            if timestamp is None:
                timestamp = packet.timestamp
            elif packet.timestamp != timestamp:
                # The next frame began without a marker on this one (a lost marked
                # packet's frame was cut short): what aiortc would hand on.
                return self._take(packets, timestamp, count)
            packets.append(packet)
            if packet.marker:
                return self._take(packets, timestamp, count + 1)
        return None

    def _take(self, packets: list[Any], timestamp: int, count: int) -> JitterFrame:
        frame = JitterFrame(data=b"".join(p._data for p in packets), timestamp=timestamp)
        self.remove(count)
        return frame


def install(receiver: RTCRtpReceiver) -> bool:
    """Give a video receiver the marker-aware buffer; before its first packet."""
    current = getattr(receiver, _BUFFER_ATTR, None)
    if not isinstance(current, JitterBuffer):
        log.warning("aiortc's RTCRtpReceiver has no %s: its own jitter buffer stays",
                    _BUFFER_ATTR)
        return False
    if current._origin is not None:
        log.warning("the receiver has had packets already: its jitter buffer stays")
        return False
    setattr(receiver, _BUFFER_ATTR, MarkerJitterBuffer(current.capacity))
    return True


def installed(receiver: RTCRtpReceiver) -> bool:
    return isinstance(getattr(receiver, _BUFFER_ATTR, None), MarkerJitterBuffer)
