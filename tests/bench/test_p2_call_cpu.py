"""P2: CPU seconds a minute of a 640x480 call on the kiosk's side, beside Chromium on that side.

The same call twice with the same lawyer (the hub's console in Debian's
Chromium, fake camera): once with the whole kiosk app in a process of its own
under Xvfb (ours: that process's CPU time: its Qt thread, Qt Quick's render
thread and Mesa's software OpenGL, the asyncio loop with aiortc), once with a
Chromium instance of its own playing the kiosk's part (the anchor: the CPU time
of every process of that instance). Both send the kiosk's test pattern at
640x480 and 15 fps in VP8 under the kiosk's bitrate ceiling, with a tone,
receive and decode the lawyer's video and audio, and show the lawyer's video
and their own camera's picture, at the same places and sizes, without playing
the sound.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from tests.bench.call_harness import (
    AUDIO_BPS,
    FPS,
    HEIGHT,
    VIDEO_CEILING_BPS,
    WIDTH,
    KioskAppProcess,
    LawyerConsole,
    Message,
    anchor_kiosk_call,
    chromium_kind,
    cpu_by_process,
    cpu_by_thread,
    cpu_seconds,
    ladder_said,
    lawyer_console,
    process_tree,
    require_xvfb,
)
from tests.bench.conftest import Terminals
from tests.bench.report import Row, record
from tests.support.hub import RunningHub

APP_WIDTH, APP_HEIGHT = 1280, 800  # the kiosk app's window, and the anchor's viewport
WARMUP_S = 4.0  # media flowing and the bitrate settled before the window opens
WINDOW_S = 15.0
ROUNDS = 3


def per_minute(cpu_s: float, wall_s: float) -> float:
    return cpu_s / wall_s * 60


@dataclass
class Ours:
    per_minute: float
    workload: str
    layout: Message  # where the call screen shows the lawyer and the resident (scene px)
    xvfb_per_minute: float | None
    threads: dict[str, float]  # s/min by thread name
    graphics_api: str  # what drew the window: Software or OpenGL


def ours(hub: RunningHub, token: str, console: LawyerConsole, tmp: Path) -> Ours:
    with KioskAppProcess(hub, token, tmp / "kiosk-data", tmp / "kiosk-app.log") as kiosk:
        kiosk.call()
        kiosk.expect("first_drawn")
        console.wait_video()
        layout = kiosk.geometry()
        time.sleep(WARMUP_S)
        drawn_before = kiosk.stats()
        xvfb = kiosk.xvfb_pid
        threads_before = cpu_by_thread(kiosk.pid)
        before, started = cpu_seconds(kiosk.pid), time.monotonic()
        xvfb_before = cpu_seconds(xvfb) if xvfb else 0.0
        time.sleep(WINDOW_S)
        used, wall = cpu_seconds(kiosk.pid) - before, time.monotonic() - started
        threads = {
            name: per_minute(seconds - threads_before.get(name, 0.0), wall)
            for name, seconds in cpu_by_thread(kiosk.pid).items()
        }
        xvfb_used = cpu_seconds(xvfb) - xvfb_before if xvfb else None
        drawn_after = kiosk.stats()
        lawyer_sees = console.stats()["received"]
        kiosk.hang_up()
    console.wait_idle()
    stats = drawn_after["stats"]
    assert stats is not None and stats["fps_in"] > 0 and stats["fps_out"] > 0, stats
    assert lawyer_sees.get("frames", 0) > 0, lawyer_sees
    span = float(drawn_after["monotonic"] - drawn_before["monotonic"])

    def rate(key: str) -> float:
        return float(drawn_after[key] - drawn_before[key]) / span

    assert rate("remote_shown") > 0 and rate("swaps") > 0, (drawn_before, drawn_after)
    workload = (
        f"sent {stats['send_kbps']:.0f} kbit/s (the bitrate policy's target "
        f"{stats['target_kbps'] or 0:.0f}, the lawyer's estimate "
        f"{stats['estimate_kbps'] or 0:.0f}), {stats['fps_out']:.0f} fps handed to the "
        f"encoder, the lawyer decoding {lawyer_sees['width']}×{lawyer_sees['height']} at "
        f"{lawyer_sees['fps'] or 0:.0f} fps; received {stats['recv_kbps']:.0f} kbit/s, "
        f"{stats['fps_in']:.0f} fps decoded; shown {rate('remote_shown'):.0f} fps of the "
        f"lawyer and {rate('local_shown'):.0f} fps of the self view, the window drawn "
        f"{rate('swaps'):.0f} times a second"
        f"; {ladder_said(stats, drawn_after['steps'])}"
    )
    return Ours(
        per_minute(used, wall), workload, layout,
        None if xvfb_used is None else per_minute(xvfb_used, wall), threads,
        str(layout.get("graphics_api", "unknown")),
    )


def anchor(
    playwright: Playwright, hub: RunningHub, token: str, console: LawyerConsole, tmp: Path,
    layout: Message,
) -> tuple[float, str, dict[str, float]]:
    with anchor_kiosk_call(playwright, hub, token, console, tmp, layout,
                           (APP_WIDTH, APP_HEIGHT)) as (side, root):
        time.sleep(WARMUP_S)
        shown_before = side.stats()["presented"]
        pids = process_tree(root)
        before, started = cpu_by_process(pids), time.monotonic()
        time.sleep(WINDOW_S)
        wall = time.monotonic() - started
        after = cpu_by_process(process_tree(root))
        kinds: dict[str, float] = defaultdict(float)  # CPU s/min by process type
        for pid, seconds in after.items():
            kinds[chromium_kind(pid)] += per_minute(seconds - before.get(pid, 0.0), wall)
        first = side.stats()
        time.sleep(1.0)
        second = side.stats()
        lawyer_sees = console.stats()["received"]
    sent, received = second["sent"], second["received"]
    assert received.get("frames", 0) > 0 and sent.get("frames", 0) > 0, second
    assert lawyer_sees.get("frames", 0) > 0, lawyer_sees
    shown = {k: (first["presented"][k] - shown_before[k]) / wall for k in ("remote", "self")}
    assert shown["remote"] > 0 and shown["self"] > 0, (shown_before, first["presented"])

    def kbps(way: str) -> float:
        return float(second[way]["bytes"] - first[way]["bytes"]) * 8 / 1000

    def fps(way: str) -> float:
        return float(second[way]["frames"] - first[way]["frames"])

    workload = (
        f"sent {sent['width']}×{sent['height']}, {kbps('sent'):.0f} kbit/s, {fps('sent'):.0f} "
        f"fps encoded (quality limitation: {sent.get('limitation')}), the lawyer decoding "
        f"{lawyer_sees['width']}×{lawyer_sees['height']} at {lawyer_sees['fps'] or 0:.0f} fps; "
        f"received {kbps('received'):.0f} kbit/s, {fps('received'):.0f} fps decoded; shown "
        f"{shown['remote']:.0f} fps of the lawyer and {shown['self']:.0f} fps of the self view"
    )
    return sum(kinds.values()), workload, dict(kinds)


def box(rect: list[float]) -> str:
    return f"{rect[2]:.0f}×{rect[3]:.0f} at ({rect[0]:.0f}, {rect[1]:.0f})"


def test_p2_cpu_seconds_per_minute_of_a_call(
    playwright: Playwright,
    browser: Browser,
    call_hub: RunningHub,
    terminals: Terminals,
    tmp_path: Path,
) -> None:
    require_xvfb()
    # Two processes sharing two cores with the lawyer's Chromium: one round moves by a
    # tenth either way, so the rounds alternate and the medians are compared.
    rounds_ours: list[float] = []
    rounds_anchor: list[float] = []
    with lawyer_console(browser, call_hub) as console:
        for round_no in range(ROUNDS):
            work = tmp_path / f"round-{round_no}"
            mine = ours(call_hub, terminals.ours, console, work)
            anchor_round, anchor_load, kinds = anchor(
                playwright, call_hub, terminals.anchor, console, work, mine.layout
            )
            rounds_ours.append(mine.per_minute)
            rounds_anchor.append(anchor_round)
        assert console.log.unexpected() == []
    ours_min, anchor_min = statistics.median(rounds_ours), statistics.median(rounds_anchor)
    ours_load = mine.workload
    rounds_text = "; ".join(
        f"{a:.1f} / {b:.1f}" for a, b in zip(rounds_ours, rounds_anchor, strict=True)
    )
    thread_text = ", ".join(
        f"{name} {seconds:.1f}"
        for name, seconds in sorted(mine.threads.items(), key=lambda item: -item[1])
        if seconds >= 0.05
    )
    rasterizer = sum(v for k, v in mine.threads.items() if k.startswith("llvmpipe"))
    drawn_by = {
        "Software": "no render node in /dev/dri, so Qt Quick's software renderer, which "
        "repaints only what changed, with each video frame converted once by libswscale from "
        "YUV to the screen's pixels at the size it is shown (`kiosk/ui/picture.py`)",
        "OpenGL": "OpenGL: Qt Quick's OpenGL renderer with Mesa's software rasterizer "
        "(llvmpipe, in this process) and QtMultimedia's `VideoOutput`",
    }.get(mine.graphics_api, mine.graphics_api)
    rasterizer_text = "" if rasterizer < 0.05 else (
        f"Mesa's rasterizer threads (`llvmpipe-*`, {rasterizer:.1f} s/min) draw the whole "
        "window for each of its frames; without them ours would be "
        f"{ours_min - rasterizer:.1f} s/min ({(ours_min - rasterizer) / anchor_min:.2f} of "
        "the anchor). "
    )
    xvfb_text = "not found" if mine.xvfb_per_minute is None else (
        f"{mine.xvfb_per_minute:.1f} s/min"
    )

    assert ours_min > 0 and anchor_min > 0
    assert kinds.get("renderer", 0) > 0, kinds
    processes = ", ".join(
        f"{kind} {seconds:.1f}"
        for kind, seconds in sorted(kinds.items(), key=lambda item: -item[1])
        if seconds >= 0.05
    )
    table = record(
        Row("P2", "CPU of a 640×480 call, one side", f"{ours_min:.1f} s/min",
            f"{anchor_min:.1f} s/min", ours_min / anchor_min),
        f"median of {ROUNDS} rounds each, alternating (ours / anchor, s/min: {rounds_text}); "
        f"CPU seconds (user + system, /proc) over {WINDOW_S:.0f} s of a call, {WARMUP_S:.0f} s "
        "after the first frame, scaled to a minute, the kiosk's side of the call: sending "
        f"the kiosk's test pattern (moving bars, stamp) at {WIDTH}×{HEIGHT}, {FPS} fps, VP8 "
        f"under {VIDEO_CEILING_BPS // 1000} kbit/s (ours: libvpx's real-time speed -6 and its "
        f"luma-only denoiser, as WebRTC's) and a tone in Opus ({AUDIO_BPS // 1000} "
        "kbit/s cap), receiving and decoding the lawyer's video and audio (the hub's console "
        "in Debian's Chromium, fake camera, the same for both), and showing the lawyer's video "
        f"({box(mine.layout['remoteVideo'])}, fitted) and the resident's own picture "
        f"({box(mine.layout['selfView'])}, mirrored, cropped) in a {APP_WIDTH}×{APP_HEIGHT} "
        "window, the sound not played. Ours: the process of the whole kiosk app "
        "(`tests/bench/call_kiosk_app.py`: `build_kiosk` of an enrolled terminal, test-pattern "
        "camera and tone, tapped from the start screen into the call) under Xvfb with Qt's "
        "xcb platform, so the call screen really draws the video, with the renderer a "
        f"terminal picks by itself (`renderer = \"auto\"`; here {drawn_by}); its Qt thread, "
        "the asyncio loop with aiortc, the encoders' executor threads and aiortc's decoder "
        f"threads; {ours_load}; by thread, in s/min: {thread_text}. {rasterizer_text}The X "
        "server's own CPU over the same window "
        f"(not counted: headless Chromium has none) was {xvfb_text}. Anchor: a Chromium "
        "instance of its own (headless, `--disable-gpu`, like the console's, so it composites "
        "in software too) whose one page plays the kiosk's part with the same pattern through "
        "Chromium's fake camera (`--use-file-for-fake-video-capture`, a Y4M of `pattern.py`'s "
        f"frames) in a {APP_WIDTH}×{APP_HEIGHT} viewport, showing the remote video and its "
        "own camera in `<video>` elements at the kiosk's places and sizes (headless Chromium "
        "still decodes, scales and composites them), so both sides do the same work; summed "
        "over all its processes, found as the browser process with that profile and its "
        "descendants (the two crash reporters, which detach from it and sleep, are not), in "
        f"s/min: {processes}; {anchor_load}.",
    )
    print("\n" + table)
    print(f"ours   {ours_min:.2f} s/min: {ours_load}")
    print(f"anchor {anchor_min:.2f} s/min: {anchor_load}")
    print(f"anchor processes (s/min): {processes}")
    print(f"Xvfb   {xvfb_text}; layout {mine.layout}")
    print(f"ours threads (s/min): {thread_text}")
