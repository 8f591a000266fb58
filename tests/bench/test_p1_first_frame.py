"""P1: from the resident's tap to the first remote video frame on the kiosk, beside Chromium.

Both sides of both calls are real: the hub on loopback, the lawyer's console in
Debian's Chromium (which accepts as soon as the call rings, see
`call_harness.lawyer_console`) answering with its fake camera. Ours is the whole
kiosk app in its own process under Xvfb (`call_kiosk_app.py`): a tap on the
schedule's call button, the call screen, the call on the app's loop thread, and
the lawyer's first frame drawn in the window (the first `frameSwapped` that
carries it). The anchor is a Chromium page in the kiosk's place, its offer and
answer relayed through the hub by a Python socket, its first frame the one
handed to the compositor of its `<video>` (`requestVideoFrameCallback`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from playwright.sync_api import Browser

from tests.bench.call_harness import (
    AnchorKiosk,
    KioskAppProcess,
    LawyerConsole,
    lawyer_console,
    median_ms,
    require_xvfb,
)
from tests.bench.conftest import Terminals
from tests.bench.report import Row, record
from tests.support.hub import RunningHub

RUNS = 5  # each, alternating, after one warm-up call of each


@dataclass(frozen=True)
class Run:
    total_s: float  # tap -> first remote frame
    ring_s: float  # tap -> the console clicked 接听
    offer_s: float  # call.accepted on the kiosk side -> its complete offer
    media_s: float  # call.accepted on the kiosk side -> first remote frame
    # ours only: the first frame decoded on the loop thread -> handed to the call screen's
    # picture on the Qt thread -> drawn in the window
    handoff_s: float = 0.0
    draw_s: float = 0.0


def ours_once(kiosk: KioskAppProcess, console: LawyerConsole) -> Run:
    tapped, cid = kiosk.call()
    drawn = float(kiosk.expect("first_drawn")["t"])
    shown = float(kiosk.expect("first_shown")["t"])
    decoded = float(kiosk.expect("first_frame_event")["t"])
    accepted = float(kiosk.expect("state", new="accepted")["t"])
    offered = float(kiosk.expect("peer", new="offered")["t"])
    clicked = console.accepted(cid)
    kiosk.hang_up()
    console.wait_idle()
    return Run(drawn - tapped, clicked - tapped, offered - accepted, drawn - accepted,
               shown - decoded, drawn - shown)


def anchor_once(anchor: AnchorKiosk, console: LawyerConsole) -> Run:
    tapped = anchor.call("fake")
    first = anchor.first_frame_at()
    assert anchor.consultation_id is not None and anchor.accepted_at is not None
    clicked = console.accepted(anchor.consultation_id)
    accepted, offered = anchor.accepted_at, anchor.offered_at()
    anchor.hang_up()
    console.wait_idle()
    return Run(first - tapped, clicked - tapped, offered - accepted, first - accepted)


def medians(runs: list[Run], field: str) -> float:
    return median_ms([getattr(run, field) * 1000 for run in runs])


def test_p1_tap_to_first_remote_frame(
    browser: Browser, call_hub: RunningHub, terminals: Terminals, tmp_path: Path
) -> None:
    require_xvfb()
    ours: list[Run] = []
    anchor_runs: list[Run] = []
    with (
        lawyer_console(browser, call_hub) as console,
        KioskAppProcess(
            call_hub, terminals.ours, tmp_path / "kiosk-data", tmp_path / "kiosk-app.log"
        ) as kiosk,
    ):
        context = browser.new_context()
        try:
            with AnchorKiosk.open(context.new_page(), call_hub, terminals.anchor) as anchor:
                for index in range(RUNS + 1):
                    mine, theirs = ours_once(kiosk, console), anchor_once(anchor, console)
                    if index:  # the first of each warms up the console's camera and codecs
                        ours.append(mine)
                        anchor_runs.append(theirs)
        finally:
            context.close()
        assert console.log.unexpected() == []

    for run in ours + anchor_runs:
        assert 0 < run.ring_s < run.total_s and 0 < run.offer_s < run.media_s < run.total_s, run
    for run in ours:
        assert run.handoff_s >= 0 and run.draw_s > 0, run
        assert run.handoff_s + run.draw_s < run.media_s, run

    names = [f.name for f in fields(Run)]
    o = {f: medians(ours, f) for f in names}
    a = {f: medians(anchor_runs, f) for f in names}
    table = record(
        Row("P1", "tap to first remote frame", f"{o['total_s']:.0f} ms",
            f"{a['total_s']:.0f} ms", o["total_s"] / a["total_s"]),
        f"median of {RUNS} calls each, alternating, after one warm-up call of each; from the "
        "resident's tap through the real hub on loopback, a ring in the lawyer's console "
        "(Debian's Chromium, fake camera; the same page for both) that clicks 接听 as soon as "
        "the card appears, the complete offer, the console's answer, to the first remote "
        "frame on the kiosk's screen. Ours: the whole kiosk app in its own process "
        "(`tests/bench/call_kiosk_app.py`: `build_kiosk` of an enrolled terminal, 1280×800 "
        "window under Xvfb with Qt's xcb platform and the renderer a terminal picks by itself "
        "(here, with no render node in /dev/dri, Qt Quick's software renderer), test-pattern "
        "camera and tone), tapped from the start screen to the schedule; the tap is a mouse "
        "press and release posted to the window at the centre of `callAnyoneButton`, timed "
        "just before; the call screen, `CallDesk`, the call on the app's loop thread (ICE "
        "servers from the hub, `Consultation`), the decoded frame through the `FrameSlot` "
        "to the call screen's picture (`FramePicture`), and the first `frameSwapped` of the "
        "window after the scene graph synchronised that frame. Anchor: a "
        "Chromium page in the kiosk's place (VP8, 640×480 at 15 fps, its signaling relayed "
        "by a Python terminal socket, tapped at its `call.request`), the frame handed to the "
        "compositor of its `<video>` (`requestVideoFrameCallback` presentationTime, which "
        "comes before Chromium's own swap: if anything this favours the anchor). "
        f"Ours / anchor: tap to 接听 {o['ring_s']:.0f} / {a['ring_s']:.0f} ms; "
        f"`call.accepted` to the complete offer {o['offer_s']:.0f} / {a['offer_s']:.0f} ms "
        "(Chromium's ICE gathering takes most of it); `call.accepted` to the first frame on "
        f"screen {o['media_s']:.0f} / {a['media_s']:.0f} ms, of which ours spent "
        f"{o['handoff_s']:.0f} ms from the decoder (loop thread) to the picture (Qt "
        f"thread) and {o['draw_s']:.0f} ms from there to the swap.",
    )
    print("\n" + table)
    for name, runs in (("ours", ours), ("anchor", anchor_runs)):
        for field in names if name == "ours" else names[:4]:
            print(f"{name:6} {field:8} {[round(getattr(r, field) * 1000) for r in runs]} ms")
