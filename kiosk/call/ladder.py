"""The send-size ladder: how big and how often the kiosk's video goes out.

A village terminal has two to four cores and no GPU; the call shares them
with the screen. When the machine runs out of CPU, or the uplink's estimate
cannot carry the picture, the kiosk sends a smaller picture (640x480 ->
480x360 -> 320x240) and, on the last step, fewer frames, instead of letting
the screen stutter or the encoder starve every frame of bits. It climbs back
when there is room again.

`SendLadder` is pure (readings and the clock passed in) and is ticked once a
second with the system's CPU load (`CpuMeter`) and the bitrate policy's
target. Changes are smooth in the sense that matter on a call:

* a step down needs the pressure to last: the CPU `down_after_s` (one busy
  second is a hiccup, not a slow machine), a thin estimate `starved_after_s`
  (it starts low and climbs in a call's first seconds); a step up needs room
  for `up_after_s`;
* one step at a time, each a new key frame at the new size (the encoder
  reopens, see `policy.AdaptiveVp8Encoder`);
* a climb that has to come back down soon after was a mistake the measured
  load will repeat, so the wait before the next climb doubles (up to
  `up_max_s`), as the bitrate policy does with its probes.

Every change goes through `_set_step`, which logs `old -> new` and emits one
`SendStepChanged`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.call.events import EventSink, SendStepChanged, discard
from kiosk.call.settings import LadderSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendStep:
    """One rung: the picture sent, and the least bitrate that carries it."""

    width: int
    height: int
    fps: float
    min_bps: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}@{self.fps:g}"


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)  # yuv420p needs even sides


def build_steps(width: int, height: int, fps: float,
                settings: LadderSettings | None = None) -> tuple[SendStep, ...]:
    """The camera's size, then three quarters and half of it, then half at two thirds the rate."""
    s = settings or LadderSettings()
    rungs = ((1.0, fps), (0.75, fps), (0.5, fps), (0.5, fps * 2 / 3))
    steps = [
        SendStep(_even(width * scale), _even(height * scale), round(rate, 1),
                 int(_even(width * scale) * _even(height * scale) * rate * s.bits_per_pixel))
        for scale, rate in rungs
    ]
    # the last rung is what is left: no bitrate is too little for it (the policy's
    # audio-only mode takes over below its floor)
    steps[-1] = SendStep(steps[-1].width, steps[-1].height, steps[-1].fps, 0)
    return tuple(steps)


class SendLadder:
    """Readings in, a `SendStep` out. Call `tick(cpu, target_bps, now)` about once a second."""

    def __init__(self, steps: Sequence[SendStep], settings: LadderSettings | None = None, *,
                 on_event: EventSink = discard,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not steps:
            raise ValueError("a ladder needs at least one step")
        self.steps = tuple(steps)
        self.settings = settings or LadderSettings()
        self._on_event = on_event
        self._clock = clock
        self.index = 0
        self._pressure_since: float | None = None
        self._room_since: float | None = None
        self._climbed_at: float | None = None
        self._last_tick: float | None = None
        self._up_after = self.settings.up_after_s
        self.listeners: list[Callable[[SendStep], None]] = []
        self.changes = 0

    @property
    def step(self) -> SendStep:
        return self.steps[self.index]

    def tick(self, cpu: float | None, target_bps: int, now: float | None = None) -> None:
        """`cpu`: the machine's busy share since the last tick (None: not known)."""
        now = self._clock() if now is None else now
        # a reading covers the time since the last tick: the pressure began back then
        began, self._last_tick = (now if self._last_tick is None else self._last_tick), now
        s = self.settings
        step = self.step
        cpu_busy = cpu is not None and cpu >= s.cpu_high
        starved = target_bps < step.min_bps
        if self.index < len(self.steps) - 1 and (cpu_busy or starved):
            self._room_since = None
            if self._pressure_since is None:
                self._pressure_since = began
            if now - self._pressure_since >= (s.down_after_s if cpu_busy else s.starved_after_s):
                why = (f"CPU {cpu:.0%} for {now - self._pressure_since:.0f} s" if cpu_busy
                       else f"target {target_bps // 1000} kbit/s under {step.min_bps // 1000}")
                self._step_down(now, why)
            return
        self._pressure_since = None
        if self._climbed_at is not None and now - self._climbed_at >= s.failed_climb_s:
            self._climbed_at = None
            self._up_after = s.up_after_s  # that climb held: the next may come as soon
        if self.index == 0:
            return
        above = self.steps[self.index - 1]
        cpu_idle = cpu is None or cpu <= s.cpu_low
        if cpu_idle and target_bps >= above.min_bps * s.climb_margin:
            if self._room_since is None:
                self._room_since = began
            if now - self._room_since >= self._up_after:
                self._set_step(self.index - 1, now, f"room for {now - self._room_since:.0f} s")
                self._climbed_at = now
        else:
            self._room_since = None

    def _step_down(self, now: float, why: str) -> None:
        s = self.settings
        if self._climbed_at is not None and now - self._climbed_at < s.failed_climb_s:
            self._up_after = min(self._up_after * 2, s.up_max_s)
            why += f"; next climb after {self._up_after:.0f} s"
        self._climbed_at = None
        self._set_step(self.index + 1, now, why)

    def _set_step(self, index: int, now: float, detail: str) -> None:
        old = self.step
        if index == self.index:
            return
        self.index = index
        self._pressure_since = self._room_since = None
        self.changes += 1
        new = self.step
        log.info("send ladder: %s -> %s (%s)", old, new, detail)
        self._on_event(SendStepChanged(str(old), str(new), detail))
        for listener in list(self.listeners):
            listener(new)


class CpuMeter:
    """The whole machine's busy share between two readings of `/proc/stat`.

    The machine's, not the kiosk's: what makes the screen stutter is any
    process taking the cores (the camera's driver, an update, a browser).
    """

    def __init__(self, path: str = "/proc/stat") -> None:
        self._path = path
        self._last: tuple[int, int] | None = None

    def _read(self) -> tuple[int, int] | None:
        try:
            with open(self._path, encoding="ascii") as f:
                fields = f.readline().split()
        except (OSError, UnicodeDecodeError):
            return None
        if len(fields) < 5 or fields[0] != "cpu":
            return None
        try:
            ticks = [int(v) for v in fields[1:]]
        except ValueError:
            return None
        # user nice system idle iowait irq softirq steal (guest is already in user)
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        total = sum(ticks[:8])
        return idle, total

    def sample(self) -> float | None:
        """Busy share since the last call; None on the first call or where it cannot be read."""
        now = self._read()
        last, self._last = self._last, now
        if now is None or last is None or now[1] <= last[1]:
            return None
        return 1.0 - (now[0] - last[0]) / (now[1] - last[1])
