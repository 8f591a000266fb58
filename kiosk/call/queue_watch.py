"""A cap on the bitrate the kiosk asks the lawyer's browser for, from the queue it sees.

The lawyer's browser sends to the kiosk at what our receiver-estimated maximum
bitrate (REMB) allows: aiortc has no transport-wide feedback, so the browser's
own delay-based control is off and REMB is all it has. aiortc's estimator reacts
late: measured on the emulated 256 kbit/s link (P4), the queue in front of the
village's downlink reached 480 ms in a call's first seconds (Chromium in the
kiosk's place, with transport-wide feedback: under 190 ms), and the lawyer's
picture ran as late as that.

`QueueWatch` (pure, clock in ms passed in) reads each video packet's
abs-send-time (the sender's clock) and arrival: the one-way delay less the least
seen in the last `window_ms` is how long the packet queued. Once the queue
stays over `high_ms` the cap drops to `backoff` times what actually arrived in
the last second, at most every `react_ms`; under `low_ms` it climbs
`climb_per_s` a second until it no longer binds. What is sent is the smaller of
aiortc's estimate and the cap.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

log = logging.getLogger(__name__)

_AST_WRAP = 1 << 24  # abs-send-time: 24 bits of 1/2^18 s, wrapping every 64 s
_AST_PER_MS = (1 << 18) / 1000


@dataclass(frozen=True)
class QueueSettings:
    window_ms: int = 10_000
    high_ms: float = 80.0
    low_ms: float = 30.0
    backoff: float = 0.85
    react_ms: int = 300
    climb_per_s: float = 0.08
    # The lawyer's audio, which this watch does not see (it reads the video receiver) but
    # which the browser counts in the REMB it obeys: Opus and its headers.
    audio_bps: int = 45_000


class QueueWatch:
    def __init__(self, settings: QueueSettings | None = None) -> None:
        self.settings = settings or QueueSettings()
        self.cap_bps: int | None = None
        self._send_ms: float | None = None  # the sender's clock, unwrapped
        self._last_ast: int | None = None
        self._delays: deque[tuple[int, float]] = deque()  # (arrival, one-way delay)
        self._bytes: deque[tuple[int, int]] = deque()  # (arrival, size) for the last second
        self._reacted_at = -1_000_000
        self._climbed_at: int | None = None
        self.queue_ms = 0.0
        self.backoffs = 0

    def packet(self, arrival_ms: int, abs_send_time: int | None, size: int) -> bool:
        """One packet; True when the cap went down (send a REMB at once)."""
        self._bytes.append((arrival_ms, size))
        while self._bytes and self._bytes[0][0] <= arrival_ms - 1000:
            self._bytes.popleft()
        if abs_send_time is None:
            return False
        if self._last_ast is None or self._send_ms is None:
            self._send_ms = abs_send_time / _AST_PER_MS
        else:
            step = (abs_send_time - self._last_ast) % _AST_WRAP
            if step < _AST_WRAP // 2:  # not a reordered, earlier packet
                self._send_ms += step / _AST_PER_MS
            else:
                return False
        self._last_ast = abs_send_time
        delay = arrival_ms - self._send_ms
        self._delays.append((arrival_ms, delay))
        while self._delays and self._delays[0][0] < arrival_ms - self.settings.window_ms:
            self._delays.popleft()
        self.queue_ms = delay - min(d for _, d in self._delays)
        return self._decide(arrival_ms)

    def incoming_bps(self) -> int:
        return sum(size for _, size in self._bytes) * 8

    def _decide(self, now_ms: int) -> bool:
        s = self.settings
        if self.queue_ms > s.high_ms and now_ms - self._reacted_at >= s.react_ms:
            incoming = self.incoming_bps()
            if incoming <= 0:
                return False
            cap = int(s.backoff * (incoming + s.audio_bps))
            if self.cap_bps is None or cap < self.cap_bps:
                self._reacted_at = now_ms
                self._climbed_at = None
                self.backoffs += 1
                log.info("downlink queue %.0f ms: asking for at most %d kbit/s (receiving %d)",
                         self.queue_ms, cap // 1000, incoming // 1000)
                self.cap_bps = cap
                return True
        elif self.queue_ms < s.low_ms and self.cap_bps is not None:
            if self._climbed_at is None:
                self._climbed_at = now_ms
            elif now_ms - self._climbed_at >= 1000:
                self.cap_bps = int(self.cap_bps * (1 + s.climb_per_s))
                self._climbed_at = now_ms
        return False

    def limit(self, estimate_bps: int) -> int:
        return estimate_bps if self.cap_bps is None else min(estimate_bps, self.cap_bps)
