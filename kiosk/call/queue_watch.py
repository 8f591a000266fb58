"""The bitrate the kiosk asks the lawyer's browser for (REMB), from the queue it sees.

The lawyer's browser sends to the kiosk at what our receiver-estimated maximum
bitrate (REMB) allows: aiortc has no transport-wide feedback, so the browser's
own delay-based control is off and REMB is all it has. aiortc's own estimator
(an early libwebrtc port) does not serve a village link: measured on the
emulated 256 kbit/s link (P4), it let the queue in front of the village's
downlink reach 480 ms in a call's first seconds, and then stuck at 65 kbit/s for
the rest of the call (it held on every update), so the browser sent the kiosk
40-55 kbit/s of video: a few frames a second where the link had room for five
times that.

`QueueWatch` (pure, clock in ms passed in) reads each video packet's
abs-send-time (the sender's clock) and arrival: the one-way delay less the least
seen in the last `window_ms` is how long the packet queued. After `first_ms` it
asks for the video that arrives (the browser puts its audio on top); once every
packet of the last `standing_ms` queued more than `high_ms` it asks for `backoff`
times what arrived in the last second, less enough to drain that queue within
`drain_s`, at most every `react_ms`; under `low_ms` it climbs `climb_per_s` a
second, never more than `headroom` times what arrives (a browser with a still
picture does not fill what it is given). What arrived when the queue last stood
is the link's capacity as far as known (`capacity_bps`): near it the rate climbs
by `near_climb_bps` a second only, as libwebrtc's rate control does near its
link estimate. Measured at 400 kbit/s (P4): climbing 8 % a second up to the
queue and backing off from 80 ms made a saw of 8 s with the queue's p95 at
135-150 ms, against 40-70 ms for two Chromiums. The REMB goes out every
`remb_every_ms`, and at once when the rate drops.
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
    high_ms: float = 60.0
    low_ms: float = 30.0
    backoff: float = 0.85
    react_ms: int = 300
    climb_per_s: float = 0.08
    # Within `near` of the capacity the climb is additive; a link that carries `forget` times
    # more than it did has changed, and the capacity is forgotten.
    near: float = 0.85
    near_climb_bps: int = 8_000
    forget: float = 1.25
    headroom: float = 1.5
    # What queued is sent off within this much more, on top of the backoff.
    drain_s: float = 2.0
    remb_every_ms: int = 500
    floor_bps: int = 30_000  # the browser's own least for video
    # Until then the browser sends at its own start rate: a third of the village link more
    # than it carries, which queues 300 ms a second.
    first_ms: int = 500
    standing_ms: int = 200


class QueueWatch:
    def __init__(self, settings: QueueSettings | None = None) -> None:
        self.settings = settings or QueueSettings()
        self.rate_bps: int | None = None  # None until first_ms: the browser's own start
        self._send_ms: float | None = None  # the sender's clock, unwrapped
        self._last_ast: int | None = None
        # (arrival, one-way delay), the delays rising: the window's least is the first
        self._delays: deque[tuple[int, float]] = deque()
        self._bytes: deque[tuple[int, int]] = deque()  # (arrival, size) for the last second
        self._bytes_total = 0
        self._first_ms: int | None = None
        self._reacted_at = -1_000_000
        self._updated_at: int | None = None
        self._remb_at: int | None = None
        self._queues: deque[tuple[int, float]] = deque()  # (arrival, queue) lately
        self.queue_ms = 0.0
        self.backoffs = 0
        self.capacity_bps: int | None = None  # what arrived when the queue last stood

    @property
    def standing_ms(self) -> float:
        """The least any packet queued in the last `standing_ms`: a queue every packet
        waited in. A TCP relay (TURN over TLS) holds a few packets back behind a lost
        segment and then lets them go at once; that is no queue to back off for."""
        return min((q for _, q in self._queues), default=0.0)

    def packet(self, arrival_ms: int, abs_send_time: int | None, size: int) -> bool:
        """One packet; True when a REMB is due (the rate dropped, or it is time)."""
        if self._first_ms is None:
            self._first_ms = arrival_ms
        self._bytes.append((arrival_ms, size))
        self._bytes_total += size
        while self._bytes and self._bytes[0][0] <= arrival_ms - 1000:
            self._bytes_total -= self._bytes.popleft()[1]
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
        # The least delay of the window without a scan per packet: a delay that a later,
        # smaller one undercuts can never be the least again.
        while self._delays and self._delays[-1][1] >= delay:
            self._delays.pop()
        self._delays.append((arrival_ms, delay))
        while self._delays[0][0] < arrival_ms - self.settings.window_ms:
            self._delays.popleft()
        self.queue_ms = delay - self._delays[0][1]
        self._queues.append((arrival_ms, self.queue_ms))
        while self._queues and self._queues[0][0] < arrival_ms - self.settings.standing_ms:
            self._queues.popleft()
        dropped = self._decide(arrival_ms)
        if self.rate_bps is None:
            return False
        if dropped or self._remb_at is None \
                or arrival_ms - self._remb_at >= self.settings.remb_every_ms:
            self._remb_at = arrival_ms
            return True
        return False

    def incoming_bps(self, now_ms: int | None = None) -> int:
        """Video bits a second over the last second (or since the first packet, if less)."""
        bits = self._bytes_total * 8
        if now_ms is None or self._first_ms is None:
            return bits
        return int(bits * 1000 / max(250, min(1000, now_ms - self._first_ms)))

    def _decide(self, now_ms: int) -> bool:
        s = self.settings
        assert self._first_ms is not None
        if now_ms - self._first_ms < s.first_ms:
            return False
        # The browser gives video what the REMB says and sends its audio on top (it counts
        # audio in REMB only with transport-wide feedback): measured, the video arriving at
        # the kiosk matched the REMB it had sent.
        arriving = self.incoming_bps(now_ms)
        if self.rate_bps is None:
            self.rate_bps = arriving
            self._updated_at = now_ms
        elapsed = 0 if self._updated_at is None else now_ms - self._updated_at
        self._updated_at = now_ms
        standing = self.standing_ms
        if standing > s.high_ms:
            drain = arriving * standing / 1000 / s.drain_s
            rate = max(s.floor_bps, int(max(s.backoff * arriving - drain, arriving / 2)))
            if rate < self.rate_bps and now_ms - self._reacted_at >= s.react_ms:
                self._reacted_at = now_ms
                self.backoffs += 1
                self.capacity_bps = arriving if self.capacity_bps is None \
                    else (self.capacity_bps + arriving) // 2
                log.info("downlink queue %.0f ms: asking for %d kbit/s (was %d, receiving %d)",
                         standing, rate // 1000, self.rate_bps // 1000, arriving // 1000)
                self.rate_bps = rate
                return True
        elif self.queue_ms < s.low_ms:
            if self.capacity_bps is not None and arriving > s.forget * self.capacity_bps:
                log.info("downlink carries %d kbit/s, more than the %d it did: climbing freely",
                         arriving // 1000, self.capacity_bps // 1000)
                self.capacity_bps = None
            ceiling = int(s.headroom * arriving)
            if self.capacity_bps is not None and self.rate_bps >= s.near * self.capacity_bps:
                climbed = int(self.rate_bps + s.near_climb_bps * elapsed / 1000)
            else:
                climbed = int(self.rate_bps * (1 + s.climb_per_s) ** (elapsed / 1000))
            self.rate_bps = max(self.rate_bps, min(climbed, ceiling))
        return False
