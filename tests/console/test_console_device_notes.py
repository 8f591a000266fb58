"""A device of the resident's that failed: the lawyer's console shows a note during the call.

The kiosk (here the terminal page of tests/console/terminal.py) sends
`{"type": "device.status", ...}` over the `document` data channel, again on every
new connection; the console shows `#device-note` over the video until the call ends,
and ignores anything malformed without an error.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console import test_console_calls as calls
from tests.console.conftest import SCREENSHOTS
from tests.console.terminal import MediaPeer, SignalClient, connect_media
from tests.support.hub import RunningHub

pytestmark = pytest.mark.browser

# The call tests' fixtures: a logged-in lawyer on duty, two enrolled terminals, the media page.
lawyer = calls.lawyer
kiosks = calls.kiosks
peer = calls.peer

CAMERA = {"type": "device.status", "kind": "camera", "working": False, "substitute": "still"}
MICROPHONE = {"type": "device.status", "kind": "microphone", "working": False,
              "substitute": "silence"}
GARBAGE: list[Any] = [
    "not json",
    "null",
    "42",
    "[]",
    '"device.status"',
    {"type": None},
    {"type": "surprise", "kind": "camera", "working": False},
    {"type": "device.status"},
    {"type": "device.status", "kind": "toaster", "working": False},
    {"type": "device.status", "kind": "__proto__", "working": False},
    {"type": "device.status", "kind": "constructor", "working": False},
    {"type": "device.status", "kind": ["camera"], "working": False},
    {"type": "device.status", "kind": "microphone", "working": "no"},
    {"type": "device.status", "kind": "microphone"},
]


def test_a_failed_device_of_the_resident_shows_a_note_until_the_call_ends(
    lawyer: calls.Lawyer, kiosks: list[calls.Kiosk], peer: MediaPeer, demo_hub: RunningHub
) -> None:
    page = lawyer.page
    note = page.locator("#device-note")
    with (
        SignalClient.terminal(demo_hub, kiosks[0].token) as terminal,
        calls.kiosk_call(terminal) as cid,
    ):
        calls.accept_and_connect(lawyer, terminal, peer, cid)
        expect(note).to_be_hidden()

        # Garbage, then a good message: the channel is ordered, so once the note shows,
        # all of the garbage was read, and it must have changed nothing.
        for message in GARBAGE:
            peer.send_document_message(message)
        peer.send_document_message(CAMERA)
        expect(note).to_be_visible()
        expect(note).to_have_attribute("role", "status")
        expect(note.locator("p")).to_have_count(1)
        expect(note).to_contain_text("村民的摄像头出了故障，看不到村民，声音照常。")
        assert lawyer.log.unexpected() == []

        peer.send_document_message(MICROPHONE)
        expect(note.locator("p")).to_have_count(2)
        expect(note.locator("p[data-kind='microphone']")).to_contain_text(
            "听不到村民的声音。请看村民的手势，或请村民拨打12348。"
        )
        page.wait_for_timeout(1500)  # a quality reading, for the picture
        for name in ("挂断", "静音", "关闭摄像头", "拍摄文件"):
            expect(page.get_by_role("button", name=name)).to_be_in_viewport()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.fonts.ready")
        page.screenshot(path=SCREENSHOTS / "lawyer-device-note-1366x768.png")
        calls.check_layout(page, "lawyer-device-note")

        # The kiosk rebuilds its connection and says it all again: the note stays as it is.
        peer.close()
        connect_media(terminal, peer, cid, attempt=2)
        peer.send_document_message(CAMERA)
        peer.send_document_message(MICROPHONE)
        peer.send_document_message({**MICROPHONE, "working": True})  # and it came back
        expect(note.locator("p")).to_have_count(1)
        expect(note.locator("p[data-kind='camera']")).to_be_visible()

        # With the camera broken, a document request is answered with document.error at once.
        peer.fail_documents()
        page.get_by_role("button", name="拍摄文件").click()
        expect(page.locator("#doc-state")).to_contain_text("拍不了文件", timeout=5_000)
        expect(page.get_by_role("button", name="拍摄文件")).to_be_enabled()

        page.get_by_role("button", name="挂断").click()
        terminal.expect("call.ended", where=calls.of(cid))
        expect(note).to_be_hidden()
        expect(note.locator("p")).to_have_count(0)
        assert lawyer.log.unexpected() == []
