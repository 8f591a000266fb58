"""The call desk redraws the window once for the lawyer's frame and the self view's together.

Without a GPU each redraw of the window is most of a call's CPU (P2), and the
lawyer's frames (about 20 fps) and the camera's (15 fps) come at their own
times. While the lawyer's picture flows, a self-view frame waits in its slot
for the lawyer's next frame and both go to their `VideoOutput`s in the same
turn of the event loop; with no lawyer's picture (waiting, audio only) the self
view shows each frame as it comes. Frames are put into the desk's slots from a
thread of their own, as the call's loop thread does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtMultimedia import QVideoSink
from pytestqt.qtbot import QtBot

from kiosk.call.frames import FrameSlot
from kiosk.call.pattern import draw_test_pattern
from kiosk.ui.app import KioskApp
from kiosk.ui.calls import SELF_VIEW_WAIT_MS
from kiosk.ui.picture import FramePicture
from kiosk.ui.vm.call import CallPhase
from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import find, present, settle, to_schedule, wait_screen


class _Call:
    """What the desk keeps of a consultation; nothing is sent anywhere."""

    consultation_id = uuid4()

    async def hang_up(self) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class Desk:
    kiosk: KioskApp
    remote: FrameSlot[Any]
    local: FrameSlot[Any]


@dataclass
class Turns:
    """Turns of the event loop in which a sink got a new frame: each is one redraw."""

    count: int = 0
    frames: int = 0
    _open: bool = False

    def saw(self, *_: object) -> None:
        self.frames += 1
        if not self._open:
            self._open = True
            self.count += 1
            QTimer.singleShot(0, self._close)

    def _close(self) -> None:
        self._open = False


@pytest.fixture
def desk(qtbot: QtBot, make_kiosk: MakeKiosk) -> Iterator[Desk]:
    """A call placed through the real call desk, whose consultation only hands over its
    frame slots."""
    kiosk = make_kiosk()
    kiosk.feed.start()
    slots: list[FrameSlot[Any]] = []

    async def open_call(
        number: int, service: str, expert_id: int, remote: FrameSlot[Any], local: FrameSlot[Any]
    ) -> _Call:
        slots[:] = [remote, local]
        return _Call()

    kiosk.desk._open = open_call  # type: ignore[method-assign]
    to_schedule(qtbot, kiosk)
    kiosk.root.schedule_vm.callAnyone()
    wait_screen(qtbot, kiosk, "call")
    qtbot.waitUntil(lambda: len(slots) == 2 and kiosk.desk.active, timeout=3000)
    yield Desk(kiosk, slots[0], slots[1])


def _talking(qtbot: QtBot, kiosk: KioskApp) -> None:
    call = kiosk.root.call_vm
    call.set_expert("张伟", "lawyer")
    call.set_phase(CallPhase.TALKING)
    qtbot.waitUntil(lambda: present(kiosk.window, "remoteVideo"), timeout=2000)
    settle(qtbot, kiosk)


def _watch(kiosk: KioskApp, *names: str) -> Turns:
    turns = Turns()
    for name in names:
        target = find(kiosk.window, name).property("target")
        if isinstance(target, QVideoSink):
            target.videoFrameChanged.connect(turns.saw)
        else:
            assert isinstance(target, FramePicture), target
            target.frameChanged.connect(turns.saw)
    return turns


def _feed(
    qtbot: QtBot, desk: Desk, *, remote_fps: float, local_fps: float, seconds: float,
    remote_for: float | None = None,
) -> None:
    """Put frames into the desk's slots at these rates from a thread, as the loop thread
    does; the lawyer's stop after `remote_for` seconds."""
    remote_frames = [draw_test_pattern(n, 0) for n in range(2)]
    local_frames = [draw_test_pattern(1000 + n, 0) for n in range(2)]
    remote_until = seconds if remote_for is None else remote_for

    def run() -> None:
        start, sent_remote, sent_local = time.monotonic(), 0, 0
        while True:
            now = time.monotonic() - start
            next_remote = sent_remote / remote_fps if remote_fps else seconds
            if next_remote >= remote_until:
                next_remote = seconds
            next_local = sent_local / local_fps
            due = min(next_remote, next_local)
            if due >= seconds:
                return
            if due > now:
                time.sleep(due - now)
            elif next_remote <= next_local:
                desk.remote.put(remote_frames[sent_remote % 2])
                sent_remote += 1
            else:
                desk.local.put(local_frames[sent_local % 2])
                sent_local += 1

    producer = threading.Thread(target=run, name="frames", daemon=True)
    producer.start()
    qtbot.waitUntil(lambda: not producer.is_alive(), timeout=int(seconds * 1000) + 5000)
    qtbot.wait(SELF_VIEW_WAIT_MS * 3)  # a self-view frame still waiting is shown


def test_both_pictures_flowing_redraw_at_the_lawyers_rate(qtbot: QtBot, desk: Desk) -> None:
    kiosk = desk.kiosk
    _talking(qtbot, kiosk)
    call = kiosk.root.call_vm
    turns = _watch(kiosk, "remoteVideo", "selfView")
    swaps: list[int] = []
    kiosk.window.frameSwapped.connect(lambda: swaps.append(1))

    _feed(qtbot, desk, remote_fps=20, local_fps=15, seconds=1.0)

    remote, local = call.remote.shown, call.local.shown
    assert remote >= 15, (remote, local)
    assert local >= 10, (remote, local)  # the self view still moves at about its own rate
    assert turns.frames == remote + local
    # One redraw for both: not one for each (about 35 here) but about one per lawyer's frame
    # (the first and the last self-view frame may come alone).
    assert turns.count <= remote + 3, (turns.count, remote, local)
    assert len(swaps) <= remote + 5, (len(swaps), remote, local)


def test_the_self_view_moves_alone_while_no_picture_of_the_lawyer_comes(
    qtbot: QtBot, desk: Desk
) -> None:
    kiosk = desk.kiosk
    call = kiosk.root.call_vm
    turns = _watch(kiosk, "selfView")  # the waiting screen: the resident's own picture only

    _feed(qtbot, desk, remote_fps=0, local_fps=15, seconds=1.0)

    assert call.remote.shown == 0
    assert call.local.shown >= 12, call.local.shown
    assert turns.count == turns.frames == call.local.shown


def test_the_self_view_goes_on_when_the_lawyers_picture_stops(qtbot: QtBot, desk: Desk) -> None:
    kiosk = desk.kiosk
    _talking(qtbot, kiosk)
    call = kiosk.root.call_vm

    # The line turns audio-only half way: the lawyer's last frame stays, the self view runs on.
    _feed(qtbot, desk, remote_fps=20, local_fps=15, seconds=0.5)
    remote, local = call.remote.shown, call.local.shown
    _feed(qtbot, desk, remote_fps=20, local_fps=15, seconds=1.0, remote_for=0.0)

    assert call.remote.shown == remote
    assert call.local.shown - local >= 12, (local, call.local.shown)


def test_a_slow_lawyers_picture_does_not_slow_the_self_view_much(
    qtbot: QtBot, desk: Desk
) -> None:
    kiosk = desk.kiosk
    _talking(qtbot, kiosk)
    call = kiosk.root.call_vm

    _feed(qtbot, desk, remote_fps=4, local_fps=15, seconds=1.5)

    # A self-view frame waits at most SELF_VIEW_WAIT_MS for the lawyer's next one.
    assert call.remote.shown >= 4, call.remote.shown
    assert call.local.shown >= 1.5 * min(15, 1000 / SELF_VIEW_WAIT_MS) * 0.7, call.local.shown
