"""P3: glass-to-glass latency each way, read from a stamp drawn into the frames.

Every camera in these calls draws the stamp of `kiosk/call/pattern.py` (frame
counter and wall-clock ms in blocks at the top left): the kiosk's test pattern,
and in Chromium a canvas painter of the same encoding (`call_stamp.js`) in
place of the fake camera. The receiving side reads the stamp of each new frame
as it is handed to the screen and takes its age by its own wall clock (one
machine, one clock). Ours: the kiosk's `Consultation` in its own process with
the lawyer's console in Debian's Chromium; anchor: a Chromium page in the
kiosk's place with the same console.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from tests.bench.call_harness import (
    FPS,
    HEIGHT,
    WIDTH,
    AnchorKiosk,
    KioskProcess,
    LawyerConsole,
    lawyer_console,
    median_ms,
)
from tests.bench.conftest import Terminals
from tests.bench.report import Row, record
from tests.support.hub import RunningHub

WARMUP_S = 2.0  # after the first frame, before the ages count
SAMPLE_S = 10.0
MIN_FRAMES = 30  # of 8 s at 15 fps each way: the readers must have read most


@dataclass(frozen=True)
class Latency:
    to_lawyer: list[float]  # ages (ms) of the kiosk side's frames on the console
    to_kiosk: list[float]  # ages (ms) of the console's frames on the kiosk side
    unreadable: tuple[int, int]  # frames whose stamp could not be read, each way

    def medians(self) -> tuple[float, float]:
        return median_ms(self.to_lawyer), median_ms(self.to_kiosk)


def ours(hub: RunningHub, token: str, console: LawyerConsole, log: Path) -> Latency:
    with KioskProcess(hub, token, log, read_stamps=True) as kiosk:
        kiosk.call()
        kiosk.expect("first_frame")
        console.wait_video()
        console.start_reader()
        time.sleep(WARMUP_S)
        kiosk.stamps()
        console.take_stamps()
        time.sleep(SAMPLE_S)
        on_kiosk: dict[str, Any] = kiosk.stamps()
        on_console = console.take_stamps()
        console.stop_reader()
        kiosk.hang_up()
    console.wait_idle()
    return Latency(
        on_console["ages"], on_kiosk["ages"], (on_console["unreadable"], on_kiosk["unreadable"])
    )


def anchor(hub: RunningHub, token: str, console: LawyerConsole, browser: Browser) -> Latency:
    context = browser.new_context()
    try:
        with AnchorKiosk.open(context.new_page(), hub, token) as side:
            side.call("painter")
            side.first_frame_at()
            console.wait_video()
            console.start_reader()
            side.start_reader()
            time.sleep(WARMUP_S)
            side.take_stamps()
            console.take_stamps()
            time.sleep(SAMPLE_S)
            on_side = side.take_stamps()
            on_console = console.take_stamps()
            console.stop_reader()
            side.hang_up()
        console.wait_idle()
    finally:
        context.close()
    return Latency(
        on_console["ages"], on_side["ages"], (on_console["unreadable"], on_side["unreadable"])
    )


def test_p3_glass_to_glass_latency(
    browser: Browser, call_hub: RunningHub, terminals: Terminals, tmp_path: Path
) -> None:
    with lawyer_console(browser, call_hub, painted_camera=True) as console:
        mine = ours(call_hub, terminals.ours, console, tmp_path / "kiosk-side.log")
        theirs = anchor(call_hub, terminals.anchor, console, browser)
        lawyer_camera = console.painted_camera()
        assert console.log.unexpected() == []

    for latency in (mine, theirs):
        assert len(latency.to_lawyer) >= MIN_FRAMES and len(latency.to_kiosk) >= MIN_FRAMES, (
            len(latency.to_lawyer), len(latency.to_kiosk), latency.unreadable
        )
        assert all(m > 0 for m in latency.medians()), latency.medians()
    (o_out, o_in), (a_out, a_in) = mine.medians(), theirs.medians()
    ratio = max(o_out / a_out, o_in / a_in)
    table = record(
        Row("P3", "glass-to-glass latency, kiosk→lawyer / lawyer→kiosk",
            f"{o_out:.0f} / {o_in:.0f} ms", f"{a_out:.0f} / {a_in:.0f} ms", ratio),
        f"median age of the stamped frames read over {SAMPLE_S:.0f} s of a call, "
        f"{WARMUP_S:.0f} s after the first frame, each way; the ratio is the worse of the two "
        f"directions (kiosk→lawyer {o_out / a_out:.2f}, lawyer→kiosk {o_in / a_in:.2f}). "
        "Every camera draws `kiosk/call/pattern.py`'s stamp (frame counter, wall-clock ms): "
        f"the kiosk's side at {WIDTH}×{HEIGHT}, {FPS} fps (ours: the kiosk's test pattern; "
        "anchor: a canvas painter of the same encoding, `tests/bench/call_stamp.js`, "
        "`captureStream`, in place of Chromium's fake camera), the lawyer's console (the "
        "hub's page in Debian's Chromium, the same for both) the painter at what it asks "
        f"for, {lawyer_camera}. The age is the reader's wall clock minus the stamp (one "
        "machine, one clock): in the kiosk process (bare `kiosk.call`, no Qt) when the decoded "
        "frame reaches the `remote_video` FrameSlot, read with `read_stamp`; in Chromium when "
        "the frame is handed to the compositor of the `<video>` (`requestVideoFrameCallback` "
        "presentationTime), read back through a canvas. Ours: the kiosk process ↔ the "
        "console; anchor: a Chromium page in the kiosk's place (VP8, the kiosk's bitrate "
        "ceiling, its signaling relayed by a Python terminal socket) ↔ the same console, on "
        f"the same loopback. Frames read, ours: {len(mine.to_lawyer)} / "
        f"{len(mine.to_kiosk)}, anchor: {len(theirs.to_lawyer)} / {len(theirs.to_kiosk)}. "
        "Chromium smooths a steady stream onto its frame clock, so an age read there can "
        "settle a refresh or two late for a whole call: the anchor's kiosk→lawyer median "
        "moves by tens of ms from run to run. The kiosk asks the console to show its frames "
        "as soon as they are decoded (the playout-delay header extension, minimum 0) and "
        "sends its audio in a stream of its own, so lip-sync does not hold the video back "
        "(`kiosk/call/playout.py`); its frames leave the jitter buffer with their last "
        "packet (`kiosk/call/jitter.py`) rather than with the next frame's first.",
    )
    print("\n" + table)
    for name, latency in (("ours", mine), ("anchor", theirs)):
        print(f"{name:6} to lawyer {sorted(round(a) for a in latency.to_lawyer)[::10]}")
        print(f"{name:6} to kiosk  {sorted(round(a) for a in latency.to_kiosk)[::10]}")
        print(f"{name:6} unreadable {latency.unreadable}")
