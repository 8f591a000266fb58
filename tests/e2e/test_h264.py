"""A terminal that sends H.264, with the lawyer's console in Debian's Chromium.

This machine has no video hardware, so the terminal is pinned to libx264
(`[call] video_encoder`): the same path a VA-API or V4L2 M2M encoder takes
(probe, H.264 offered first, the encoder chosen from the answer, the bitrate
policy), with a software encoder in the hardware's place.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.console.test_console_calls import assert_video_plays
from tests.e2e.conftest import E2E_CALL, MakeKiosk, OpenConsole
from tests.e2e.test_consultation import FramesSeen, call_anyone, go_to_schedule, ringing, wait_for
from tests.support.hub import RunningHub
from tests.ui.helpers import present, tap, wait_screen

pytestmark = pytest.mark.browser

# What the console's peer connection sends and receives, by codec, from its own stats.
CONSOLE_VIDEO = """async () => {
  const pc = window.lawyerConsole.calls.current.pc;
  const report = await pc.getStats();
  const codecs = {};
  report.forEach(s => { if (s.type === "codec") codecs[s.id] = s.mimeType; });
  const out = {};
  report.forEach(s => {
    if (s.kind !== "video") return;
    if (s.type === "inbound-rtp")
      out.received = { codec: codecs[s.codecId], frames: s.framesDecoded || 0,
                       width: s.frameWidth };
    if (s.type === "outbound-rtp")
      out.sent = { codec: codecs[s.codecId], frames: s.framesEncoded || 0 };
  });
  return out;
}"""


def console_video(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(CONSOLE_VIDEO)
    return result


def test_a_terminal_with_an_h264_encoder_talks_to_the_console_in_h264(
    qtbot: QtBot, make_kiosk: MakeKiosk, open_console: OpenConsole, hub: RunningHub
) -> None:
    lawyer = open_console(hub.lawyers[0])
    kiosk = make_kiosk(call=dataclasses.replace(E2E_CALL, video_encoder="libx264"))
    frames = FramesSeen(kiosk)
    go_to_schedule(qtbot, kiosk)
    cid = call_anyone(qtbot, kiosk)
    ringing(lawyer, cid).get_by_role("button", name="接听").click()
    wait_for(qtbot, lambda: kiosk.root.call_vm.property("phase") == "talking")

    # The terminal sends what the answer settled on, by the encoder it probed.
    call = kiosk.desk._call
    assert call is not None and call.peer is not None
    sending = call.peer.sending
    assert sending is not None and sending.is_h264 and sending.encoder == "libx264"
    assert call.peer.vp8 is None and call.peer.video_encoder is not None

    # Chromium decodes the terminal's H.264, and the terminal decodes what Chromium sends.
    assert_video_plays(lawyer.page)
    wait_for(qtbot, lambda: console_video(lawyer.page).get("received", {}).get("frames", 0) > 10)
    seen = console_video(lawyer.page)
    assert seen["received"]["codec"] == "video/H264", seen
    # 640 unless the send ladder has stepped down on a busy machine
    assert seen["received"]["width"] in {s.width for s in call.peer.ladder.steps}, seen
    wait_for(qtbot, lambda: len(frames.pictures) >= 10)
    assert frames.sizes == {(640, 480)}
    assert seen["sent"]["codec"] in ("video/H264", "video/VP8"), seen

    # The bitrate policy drives the H.264 encoder as it drives VP8.
    wait_for(qtbot, lambda: call.peer is not None and call.peer.last_stats is not None)
    stats = call.peer.last_stats
    assert stats is not None and stats.target_kbps is not None and stats.send_kbps > 0

    tap(qtbot, kiosk, "hangUpButton")
    wait_screen(qtbot, kiosk, "rating")
    assert not present(kiosk.window, "remoteVideo")
    assert lawyer.log.unexpected() == []
    assert kiosk.qml_warnings == []
