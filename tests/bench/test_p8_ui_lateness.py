"""P8: how late a 10 ms Qt timer runs in the kiosk app during a call, beside the same window
with no call.

The whole kiosk app in its own process under Xvfb (`call_kiosk_app.py`), on the
same two cores as the lawyer's console (Debian's Chromium, fake camera) and the
hub. A precise 10 ms `QTimer` on the app's Qt thread, for a while on the
schedule screen with no call, then for a minute of a 640x480 call: each tick's
lateness is its gap to the last less 10 ms. A resident's tap waits at least as
long as a tick does. Then the machine runs out of CPU: one busy loop per core
for `HOG_S` more seconds of the call, which the send ladder must answer by
sending less (`kiosk/call/ladder.py`), and at their end the hang-up button is
tapped and the time to the frame that shows "Hanging up…" is reported too.
Rendered and sent frame rates say whether the call kept its pace meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser

from tests.bench.call_harness import KioskAppProcess, ladder_said, lawyer_console, require_xvfb
from tests.bench.conftest import Terminals
from tests.bench.report import Row, record
from tests.support.hub import RunningHub

IDLE_S = 20.0
CALL_S = 60.0
WARMUP_S = 4.0  # media flowing and the bitrate settled first
GOAL_MS = 33.0  # two frames at 60 Hz
HOG_S = 20.0  # time for the ladder to step down (4 s a step) and the timer to be measured


@contextmanager
def busy_loops(count: int) -> Iterator[None]:
    """`count` processes spinning at the kiosk's own priority: a machine out of CPU."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def test_p8_a_timer_on_the_qt_thread_during_a_call(
    browser: Browser, call_hub: RunningHub, terminals: Terminals, tmp_path: Path
) -> None:
    require_xvfb()
    with lawyer_console(browser, call_hub) as console:
        with KioskAppProcess(
            call_hub, terminals.ours, tmp_path / "kiosk-data", tmp_path / "kiosk-app.log"
        ) as kiosk:
            idle = kiosk.lateness(IDLE_S)
            kiosk.call()
            kiosk.expect("first_drawn")
            console.wait_video()
            time.sleep(WARMUP_S)
            before = kiosk.stats()
            loaded = kiosk.lateness(CALL_S)
            after = kiosk.stats()
            lawyer_sees = console.stats()["received"]
            with busy_loops(os.cpu_count() or 2):
                hogged = kiosk.lateness(HOG_S)
                hogged_stats = kiosk.stats()
                answered = kiosk.hang_up()
        console.wait_idle()
        assert console.log.unexpected() == []

    stats = after["stats"]
    assert stats is not None and stats["fps_out"] > 0 and stats["fps_in"] > 0, stats
    span = float(after["monotonic"] - before["monotonic"])
    remote_fps = (after["remote_shown"] - before["remote_shown"]) / span
    local_fps = (after["local_shown"] - before["local_shown"]) / span
    # The timer ran all along: about one tick per 10 ms, fewer when it is late.
    for window in (idle, loaded, hogged):
        assert 0 < window["ticks"] <= window["seconds"] * 100 * 1.05 + 5, window
    assert remote_fps > 0 and loaded["swaps_per_s"] > 0
    assert 0 <= answered["phase_ms"] <= answered["drawn_ms"]  # the tap was answered on screen

    p99, idle_p99 = float(loaded["p99_ms"]), float(idle["p99_ms"])
    # The machine out of CPU: the ladder stepped down from the camera's size.
    hog_steps = hogged_stats["steps"][len(after["steps"]):]
    assert hog_steps and hogged_stats["stats"]["send_step"] != "640x480@15", hogged_stats
    assert hogged_stats["stats"]["cpu_busy"] >= 0.9, hogged_stats
    table = record(
        Row("P8", "p99 lateness of a 10 ms Qt timer, in a call / no call", f"{p99:.1f} ms",
            f"{idle_p99:.1f} ms", p99 / max(idle_p99, 0.1)),
        f"goal: <= {GOAL_MS:.0f} ms in the call (two frames at 60 Hz); the ratio is to the same "
        "window with no call. A precise 10 ms QTimer on the Qt thread of the whole kiosk app "
        "(`tests/bench/call_kiosk_app.py`, 1280×800 under Xvfb, the renderer a terminal picks "
        "by itself), its lateness the gap to the last tick less 10 ms: first "
        f"{idle['seconds']:.0f} s on the schedule screen with no call ({idle['ticks']} ticks: "
        f"p50 {idle['p50_ms']:.1f}, p99 {idle_p99:.1f}, worst {idle['max_ms']:.1f} ms), then "
        f"{loaded['seconds']:.0f} s of a call, {WARMUP_S:.0f} s after its first frame, with the "
        "lawyer's console in Debian's Chromium (fake camera) and the hub on the same machine "
        f"({loaded['ticks']} ticks: p50 {loaded['p50_ms']:.1f}, p99 {p99:.1f}, worst "
        f"{loaded['max_ms']:.1f} ms). Meanwhile the window was drawn "
        f"{loaded['swaps_per_s']:.0f} times a second, showing {remote_fps:.0f} fps of the "
        f"lawyer and {local_fps:.0f} fps of the self view; the kiosk sent {stats['fps_out']:.0f} "
        f"fps ({stats['send_kbps']:.0f} kbit/s) and decoded {stats['fps_in']:.0f} fps, the "
        f"lawyer decoding {lawyer_sees['width']}×{lawyer_sees['height']} at "
        f"{lawyer_sees['fps'] or 0:.0f} fps; {ladder_said(stats, after['steps'])}. "
        f"Then {hogged['seconds']:.0f} s more of the call with one busy loop per core at the "
        f"kiosk's priority (a machine out of CPU; {hogged['ticks']} ticks: p50 "
        f"{hogged['p50_ms']:.1f}, p99 {hogged['p99_ms']:.1f}, worst {hogged['max_ms']:.1f} ms, "
        f"the window drawn {hogged['swaps_per_s']:.0f} times a second): the kiosk sent "
        f"{hogged_stats['stats']['fps_out']:.0f} fps, "
        f"{ladder_said(hogged_stats['stats'], hog_steps)}. The hang-up button, tapped at the "
        f"end of that: the call turned to ending {answered['phase_ms']:.0f} ms after the tap "
        f"and the frame showing it was drawn {answered['drawn_ms']:.0f} ms after it "
        "(goal: <= 200 ms).",
    )
    print("\n" + table)
    print(f"idle {idle}\nloaded {loaded}\nhogged {hogged}\nanswered {answered}")
