"""The call, fallback and rating view-models without QML, and the video feed's copy."""

from __future__ import annotations

import av
from PySide6.QtCore import QObject
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from pytestqt.qtbot import QtBot

from kiosk.call.pattern import draw_test_pattern, read_stamp
from kiosk.ui.vm.call import CallPhase, CallViewModel, DocumentStep, Quality
from kiosk.ui.vm.fallback import CallbackStep, FallbackReason, FallbackViewModel
from kiosk.ui.vm.rating import SKIPPED, RatingViewModel
from tests.ui.test_viewmodels import Counter


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_call_screen_counts_talking_time_only(qapp: QObject, qtbot: QtBot) -> None:
    ticks = Ticks()
    vm = CallViewModel(monotonic=ticks)
    phases = Counter(vm.phaseChanged)
    vm.begin("legal_aid", "张伟", "lawyer")
    assert (vm.property("phase"), vm.property("calleeName")) == ("waiting", "张伟")
    vm.set_queue(2, 150, 3)
    assert (vm.property("queuePosition"), vm.property("waitMinutes")) == (2, 3)
    vm.set_phase(CallPhase.CONNECTING)
    vm.set_phase(CallPhase.CONNECTING)
    ticks.now += 30
    vm.set_phase(CallPhase.TALKING)
    ticks.now += 65
    qtbot.waitUntil(lambda: vm.property("elapsedText") == "01:05", timeout=3000)
    ticks.now += 3600
    qtbot.waitUntil(lambda: vm.property("elapsedText") == "1:01:05", timeout=3000)
    assert phases.count == 3


def test_hang_up_answers_at_once_and_asks_the_desk_once(qapp: QObject) -> None:
    vm = CallViewModel()
    asked = Counter(vm.hangUpRequested)
    cancelled = Counter(vm.cancelRequested)
    vm.begin("legal_aid")
    vm.set_phase(CallPhase.TALKING)
    vm.hangUp()
    vm.hangUp()
    assert vm.property("phase") == "ending"
    assert (asked.count, cancelled.count) == (1, 0)
    vm.begin("mediation")
    vm.hangUp()  # still waiting: that is a cancel
    assert (asked.count, cancelled.count) == (1, 1)


def test_mute_is_a_toggle_that_the_desk_hears(qapp: QObject) -> None:
    vm = CallViewModel()
    heard: list[bool] = []
    vm.muteRequested.connect(heard.append)
    vm.toggleMute()  # no call: nothing
    vm.begin("legal_aid")
    vm.toggleMute()
    vm.toggleMute()
    assert heard == [True, False]


def test_the_document_counts_down_then_is_due(qapp: QObject, qtbot: QtBot) -> None:
    vm = CallViewModel()
    vm.begin("legal_aid")
    vm.request_document()  # not talking yet: ignored
    assert vm.property("document") == ""
    vm.set_phase(CallPhase.TALKING)
    vm.request_document()
    assert (vm.property("document"), vm.property("documentSeconds")) == ("countdown", 5)
    with qtbot.waitSignal(vm.documentDue, timeout=8000):
        pass
    assert vm.property("document") == DocumentStep.SENDING
    vm.document_done(True)
    assert vm.property("document") == "sent"
    vm.clear()
    assert vm.property("document") == ""


def test_clearing_forgets_everything_of_the_call(qapp: QObject) -> None:
    vm = CallViewModel()
    vm.begin("legal_aid", "张伟", "lawyer")
    vm.set_expert("张伟", "lawyer")
    vm.set_quality(Quality.POOR)
    vm.toggleMute()
    vm.clear()
    for name, empty in [("phase", ""), ("calleeName", ""), ("expertName", ""),
                        ("quality", ""), ("muted", False), ("queuePosition", 0)]:
        assert vm.property(name) == empty, name


def test_the_keypad_takes_digits_only_and_checks_the_number(qapp: QObject) -> None:
    vm = FallbackViewModel()
    sent: list[str] = []
    vm.callbackRequested.connect(sent.append)
    vm.show(FallbackReason.NO_ANSWER)
    for key in "13800x1380":
        vm.press(key)
    vm.press("12")
    assert vm.property("phoneText") == "138 0013 80"
    vm.submit()
    assert (vm.property("problem"), sent) == ("too_short", [])
    for key in "009":
        vm.press(key)
    vm.erase()
    assert vm.property("problem") == ""
    assert vm.property("complete")
    vm.submit()
    vm.submit()
    assert sent == ["13800138000"]
    assert vm.property("step") == CallbackStep.SENDING
    vm.press("1")  # no typing while it is sent
    vm.callback_result(True)
    assert (vm.property("step"), vm.property("phoneText")) == ("sent", "138 0013 8000")
    vm.clear()
    assert vm.property("phoneText") == ""


def test_a_failed_callback_keeps_the_number_for_a_retry(qapp: QObject) -> None:
    vm = FallbackViewModel()
    vm.show(FallbackReason.UNREACHABLE)
    for key in "13800138000":
        vm.press(key)
    vm.submit()
    vm.callback_result(False)
    assert vm.property("step") == "failed"
    vm.retry()
    assert (vm.property("step"), vm.property("phoneText")) == ("entry", "138 0013 8000")
    vm.clear()
    assert (vm.property("reason"), vm.property("phoneText")) == ("", "")


def test_rating_times_out_as_a_skip_then_finishes(qapp: QObject, qtbot: QtBot) -> None:
    vm = RatingViewModel(ask_seconds=0.1, thanks_seconds=0.1)
    scores: list[int] = []
    vm.rated.connect(scores.append)
    vm.ask()
    with qtbot.waitSignal(vm.finished, timeout=3000):
        pass
    assert scores == [SKIPPED]
    vm.ask()
    vm.rate(9)  # not a face
    vm.rate(4)
    vm.rate(5)  # a second tap while the record takes the first
    vm.kept()
    assert (scores, vm.property("step")) == ([SKIPPED, 4], "thanks")


def test_yuv_planes_reach_the_video_sink_unchanged(qapp: QObject) -> None:
    from kiosk.ui.video import VideoFeed

    stamped = draw_test_pattern(41, 1_700_000_000_123, width=640, height=480)
    sink = QVideoSink()
    feed = VideoFeed()
    feed.set_sink(sink)
    feed.show(stamped)
    shown = sink.videoFrame()
    assert (shown.width(), shown.height()) == (640, 480)
    assert shown.map(QVideoFrame.MapMode.ReadOnly)
    try:
        copied = av.VideoFrame(640, 480, "yuv420p")
        for index, plane in enumerate(copied.planes):
            size = plane.buffer_size
            plane.update(bytes(shown.bits(index))[:size])
    finally:
        shown.unmap()
    stamp = read_stamp(copied)
    assert stamp is not None and (stamp.counter, stamp.wall_ms) == (41, 1_700_000_000_123)
    assert feed.has_frame
    feed.clear()
    assert not feed.has_frame and not sink.videoFrame().isValid()

