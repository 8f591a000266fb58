"""When each decoded frame of the lawyer's video goes on the kiosk's screen.

`HeldFrames` keeps a frame back until its place in time once the link loses
packets (`playout.py`'s `PlayoutClock` and the delay of `PlayoutPolicy`), so
that one which waited for a retransmission does not freeze the picture, and
shows frames in order, by a timer on the asyncio loop.

Frames are taken as the decoder hands them on, never after the last one's hold:
their arrival is when they came. Measured (P4, 400 kbit/s), a receive loop that
waited out each hold before reading on took every frame as arriving a frame
after the last was due, and the clock's least delay crept up with its own hold:
the lawyer's picture aged by 150-200 ms in a call.

While the frames behind the held ones are awaited (a retransmission, or a key
frame: `receive.py`'s buffer knows), the held frames are spread out so that
they last until then, at most `STRETCH_S` apart: the picture moves slowly
through the wait instead of standing still, and catches up at once when the
late frames come (they are due already). This is adaptive media playout
(Kalman, Steinbach, Girod, IEEE Trans. CSVT 15(6), 2005); a frame is held
longer only where that shortens a freeze. Measured (P4, four calls a side):
the kiosk's video frozen at 256 kbit/s 6.9 s against Chromium's 5.5 s (8.4-9.3
vs 4.3-5.0 s without), at 400 kbit/s 0.7 vs 1.3 s (1.3 vs 1.0 s without).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

import av

from kiosk.call.playout import PlayoutClock

# Held frames go on the screen at most this far apart while the next are awaited: under
# P4's 200 ms (a gap the eye takes for a freeze), more than three frames' time at 24 fps.
STRETCH_S = 0.16

# When the frames behind the held ones are expected (monotonic), if a retransmission or a
# key frame is awaited (infinity: not known); None when nothing is.
Awaited = Callable[[float], float | None]


def _nothing_awaited(now: float) -> float | None:
    return None


class HeldFrames:
    def __init__(self, show: Callable[[av.VideoFrame], None],
                 awaited: Awaited = _nothing_awaited) -> None:
        self._show_frame = show
        self.awaited = awaited
        self.clock = PlayoutClock()
        self._held: deque[tuple[float, av.VideoFrame]] = deque()  # (due, frame), in order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due = 0.0
        self._shown_at: float | None = None  # when the last frame went on the screen
        self._closed = False

    def add(self, frame: av.VideoFrame, delay_s: float) -> None:
        """A frame from the decoder, to be shown `delay_s` after the earliest its timestamp
        could have come (at once, if 0 and nothing is held)."""
        now = time.monotonic()
        if frame.pts is not None:
            due = self.clock.due(now, int(frame.pts), delay_s)
            # in order: a frame is never shown before one that came ahead of it
            due = max(due, self._held[-1][0]) if self._held else due
            if due > now:
                self._held.append((due, frame))
                self._arm()
                return
        if self._held:  # late, or without a timestamp: its turn comes behind the held ones
            self._held.append((now, frame))
            self._arm()
            return
        self._show(frame)

    def close(self) -> None:
        """Nothing of the resident's call is kept."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._held.clear()

    def _next_show(self) -> float:
        """When the first held frame goes on the screen: when it is due, or, while the next
        frames are awaited, as late as lets the held ones last until then, but at most
        `STRETCH_S` after the last one shown."""
        due = self._held[0][0]
        if self._shown_at is None:
            return due
        expected = self.awaited(time.monotonic())
        if expected is None:
            return due
        return max(due, min(self._shown_at + STRETCH_S, expected - len(self._held) * STRETCH_S))

    def _arm(self) -> None:
        """(Re)arm the timer for the first held frame; sooner, if it became due sooner (what
        was awaited came: the stretch ends)."""
        if not self._held or self._closed:
            return
        due = self._next_show()
        if self._timer is not None:
            if self._timer_due <= due + 0.001:
                return
            self._timer.cancel()
        self._timer_due = due
        self._timer = asyncio.get_running_loop().call_later(
            max(0.0, due - time.monotonic()), self._show_due)

    def _show_due(self) -> None:
        self._timer = None
        while self._held and self._next_show() <= time.monotonic() + 0.001:
            self._show(self._held.popleft()[1])
        self._arm()

    def _show(self, frame: av.VideoFrame) -> None:
        if self._closed:
            return
        self._shown_at = time.monotonic()
        self._show_frame(frame)
