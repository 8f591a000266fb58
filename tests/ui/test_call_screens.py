"""The call, fallback and rating screens, tapped as a finger would: taps reach the view-models."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from kiosk.call.pattern import draw_test_pattern
from kiosk.ui.app import KioskApp
from kiosk.ui.vm.call import CallPhase, CallViewModel, Notice, Quality
from kiosk.ui.vm.fallback import FallbackReason
from kiosk.ui.vm.rating import RatingViewModel
from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import (
    find,
    present,
    settle,
    tap,
    text_of,
    to_call,
    visible_texts,
    wait_screen,
)


def _talking(qtbot: QtBot, kiosk: KioskApp) -> CallViewModel:
    to_call(qtbot, kiosk, expert_id=1)
    call = kiosk.root.call_vm
    call.set_phase(CallPhase.CONNECTING)
    call.set_expert("张伟", "lawyer")
    call.set_phase(CallPhase.TALKING)
    qtbot.waitUntil(lambda: present(kiosk.window, "hangUpButton"), timeout=2000)
    settle(qtbot, kiosk)
    return call


def _to_fallback(
    qtbot: QtBot, kiosk: KioskApp, reason: FallbackReason = FallbackReason.NO_ANSWER
) -> list[str]:
    """The fallback screen; returns the numbers sent for a callback (the fakes have no hub)."""
    sent: list[str] = []
    fallback = kiosk.root.fallback_vm
    fallback.callbackRequested.disconnect(kiosk.desk.request_callback)
    fallback.callbackRequested.connect(sent.append)
    to_call(qtbot, kiosk)
    kiosk.root.call_finished(talked=False, reason=reason)
    wait_screen(qtbot, kiosk, "fallback")
    settle(qtbot, kiosk)
    return sent


def _type(qtbot: QtBot, kiosk: KioskApp, digits: str) -> None:
    for digit in digits:
        tap(qtbot, kiosk, f"key{digit}")


def _to_rating(qtbot: QtBot, kiosk: KioskApp) -> list[int]:
    rated: list[int] = []
    kiosk.root.rating_vm.rated.connect(rated.append)
    _talking(qtbot, kiosk)
    kiosk.root.call_finished(talked=True)
    wait_screen(qtbot, kiosk, "rating")
    settle(qtbot, kiosk)
    return rated


# --- waiting -------------------------------------------------------------------------------


def test_waiting_says_who_is_called_and_cancel_ends_the_wait(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    cancelled: list[bool] = []
    kiosk.root.call_vm.cancelRequested.connect(lambda: cancelled.append(True))
    to_call(qtbot, kiosk, expert_id=1)
    window = kiosk.window
    assert text_of(window, "calleeText") == "张伟律师"
    assert text_of(window, "callingText") == "正在为您呼叫"
    assert present(window, "selfView")
    assert not present(window, "queueText")  # the queue is not known yet

    kiosk.root.call_vm.set_queue(3, 150, 0)
    qtbot.waitUntil(lambda: present(window, "queueText"), timeout=2000)
    assert text_of(window, "queueText") == "前面还有 2 位。"
    assert text_of(window, "waitText") == "预计等待约 3 分钟。"
    kiosk.root.call_vm.set_queue(1, 20, 0)
    qtbot.waitUntil(lambda: text_of(window, "queueText") == "下一位就是您。", timeout=2000)

    tap(qtbot, kiosk, "cancelButton")
    assert kiosk.root.call_vm.property("phase") == "ending"
    assert cancelled == [True]
    qtbot.waitUntil(lambda: text_of(window, "callingText") == "正在取消呼叫…", timeout=2000)
    # Still the waiting screen, not the call: the cancel button now says it is cancelling.
    assert not present(window, "hangUpButton")
    tap(qtbot, kiosk, "cancelButton")
    assert cancelled == [True]


def test_calling_anyone_names_the_lawyer_on_duty(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(language="en")
    to_call(qtbot, kiosk)
    assert text_of(kiosk.window, "calleeText") == "The lawyer on duty"
    assert text_of(kiosk.window, "callBarTitle") == "Legal consultation"


def test_no_language_switch_nor_way_home_during_a_call(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    to_call(qtbot, kiosk)
    for name in ("languageButton", "homeButton", "backButton"):
        assert not present(kiosk.window, name)
    kiosk.root.call_vm.set_phase(CallPhase.TALKING)
    qtbot.waitUntil(lambda: present(kiosk.window, "hangUpButton"), timeout=2000)
    for name in ("languageButton", "homeButton", "backButton"):
        assert not present(kiosk.window, name)


def test_the_idle_watch_sleeps_during_a_call(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(idle_seconds=0.2, idle_warning_seconds=0.2)
    to_call(qtbot, kiosk)
    assert not kiosk.root.idle_watch.armed
    qtbot.wait(700)  # far longer than the idle time and its warning
    assert kiosk.root.property("screen") == "call"
    assert not present(kiosk.window, "idleOverlay")


# --- talking -------------------------------------------------------------------------------


def test_the_call_shows_the_lawyer_the_time_and_hang_up_ends_it(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    hung_up: list[bool] = []
    kiosk.root.call_vm.hangUpRequested.connect(lambda: hung_up.append(True))
    call = _talking(qtbot, kiosk)
    window = kiosk.window
    assert text_of(window, "callBarTitle") == "张伟"
    assert text_of(window, "callTimer") == "00:00"
    assert present(window, "remoteVideo") and present(window, "selfView")
    assert present(window, "videoPlaceholder")  # no picture yet

    call.remote.show(draw_test_pattern(1, 0))
    qtbot.waitUntil(lambda: not present(window, "videoPlaceholder"), timeout=2000)

    tap(qtbot, kiosk, "hangUpButton")
    assert call.property("phase") == "ending"
    assert hung_up == [True]
    qtbot.waitUntil(lambda: present(window, "endingBanner"), timeout=2000)
    tap(qtbot, kiosk, "hangUpButton")  # a second tap while ending changes nothing
    assert hung_up == [True]


def test_mute_shows_that_the_lawyer_cannot_hear(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    asked: list[bool] = []
    kiosk.root.call_vm.muteRequested.connect(asked.append)
    call = _talking(qtbot, kiosk)
    assert text_of(kiosk.window, "muteButton") == "静音"

    tap(qtbot, kiosk, "muteButton")
    assert call.property("muted") is True
    qtbot.waitUntil(lambda: "听不到" in text_of(kiosk.window, "muteButton"), timeout=2000)
    tap(qtbot, kiosk, "muteButton")
    assert call.property("muted") is False
    assert asked == [True, False]
    qtbot.waitUntil(lambda: text_of(kiosk.window, "muteButton") == "静音", timeout=2000)


def test_quality_notices_and_reconnecting_in_words(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    call = _talking(qtbot, kiosk)
    window = kiosk.window
    assert not present(window, "qualityText")  # nothing measured yet: nothing said
    for quality, words in (
        (Quality.GOOD, "信号良好"),
        (Quality.FAIR, "信号一般"),
        (Quality.POOR, "信号较差，声音可能断断续续"),
        (Quality.AUDIO_ONLY, "网络较慢，画面暂停，声音继续"),
    ):
        call.set_quality(quality)
        qtbot.waitUntil(
            lambda w=words: present(window, "qualityText") and text_of(window, "qualityText") == w,
            timeout=2000,
        )

    call.set_notice(Notice.CAMERA_FAILED)
    qtbot.waitUntil(lambda: present(window, "callNotice"), timeout=2000)
    assert "还能听到您" in text_of(window, "callNotice")

    call.set_notice(Notice.LINK_DOWN)
    call.set_phase(CallPhase.RECONNECTING)
    qtbot.waitUntil(lambda: present(window, "reconnectingBanner"), timeout=2000)
    assert not present(window, "callNotice")  # one banner says it, not two
    call.set_phase(CallPhase.TALKING)
    call.set_notice(Notice.NONE)
    qtbot.waitUntil(lambda: not present(window, "reconnectingBanner"), timeout=2000)
    assert present(window, "hangUpButton")


def test_document_countdown_then_sent(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    call = _talking(qtbot, kiosk)
    due: list[bool] = []
    call.documentDue.disconnect(kiosk.desk.send_document)
    call.documentDue.connect(lambda: due.append(True))
    window = kiosk.window

    call.request_document()
    qtbot.waitUntil(lambda: present(window, "documentOverlay"), timeout=2000)
    assert text_of(window, "documentTitle") == "请把文件对准摄像头"
    assert text_of(window, "documentCountdown") == "5"
    qtbot.waitUntil(lambda: text_of(window, "documentCountdown") == "4", timeout=2500)
    qtbot.waitUntil(lambda: due == [True], timeout=6000)
    assert text_of(window, "documentTitle") == "正在把照片发给律师…"

    call.document_done(True)
    qtbot.waitUntil(lambda: text_of(window, "documentTitle") == "已发送给律师。", timeout=2000)
    assert text_of(window, "documentDetail") == "现在可以放下文件了。"
    assert present(window, "hangUpButton")  # the call goes on under it


# --- fallback ------------------------------------------------------------------------------


def test_keypad_types_erases_and_checks_the_number(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    sent = _to_fallback(qtbot, kiosk)
    window = kiosk.window
    assert text_of(window, "fallbackReason") == "律师这次没有接听。"
    assert text_of(window, "fallbackHotline") == "12348"
    assert present(window, "phonePlaceholder")
    assert not present(window, "phoneProblem")

    _type(qtbot, kiosk, "1389")
    qtbot.waitUntil(lambda: text_of(window, "phoneText") == "138 9", timeout=2000)
    tap(qtbot, kiosk, "keyErase")
    qtbot.waitUntil(lambda: text_of(window, "phoneText") == "138", timeout=2000)

    tap(qtbot, kiosk, "sendCallback")
    qtbot.waitUntil(lambda: present(window, "phoneProblem"), timeout=2000)
    assert text_of(window, "phoneProblem") == "位数不够：手机号是 11 位。"
    assert sent == []

    _type(qtbot, kiosk, "00138000")
    qtbot.waitUntil(lambda: text_of(window, "phoneText") == "138 0013 8000", timeout=2000)
    assert not present(window, "phoneProblem")  # typing again clears the complaint
    tap(qtbot, kiosk, "sendCallback")
    assert sent == ["13800138000"]
    qtbot.waitUntil(lambda: present(window, "callbackSending"), timeout=2000)

    kiosk.root.fallback_vm.callback_result(True)
    qtbot.waitUntil(lambda: present(window, "callbackSent"), timeout=2000)
    assert text_of(window, "callbackSent") == "已记下您的号码，律师会给您回电。"
    assert not present(window, "key1")  # nothing more to type
    tap(qtbot, kiosk, "doneButton")
    wait_screen(qtbot, kiosk, "start")


def test_a_number_that_starts_wrong_is_explained(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(language="en")
    _to_fallback(qtbot, kiosk, FallbackReason.ALL_BUSY)
    assert text_of(kiosk.window, "fallbackReason") == (
        "Everyone on duty is helping other residents."
    )
    tap(qtbot, kiosk, "sendCallback")
    qtbot.waitUntil(lambda: present(kiosk.window, "phoneProblem"), timeout=2000)
    assert text_of(kiosk.window, "phoneProblem") == "Please type your phone number first."
    _type(qtbot, kiosk, "5551234")
    tap(qtbot, kiosk, "sendCallback")
    qtbot.waitUntil(
        lambda: text_of(kiosk.window, "phoneProblem")
        == "A mobile number starts with 1, a landline with 0.",
        timeout=2000,
    )


def test_a_failed_callback_offers_the_hotline_and_a_retry(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk()
    sent = _to_fallback(qtbot, kiosk, FallbackReason.UNREACHABLE)
    _type(qtbot, kiosk, "13800138000")
    tap(qtbot, kiosk, "sendCallback")
    kiosk.root.fallback_vm.callback_result(False)
    qtbot.waitUntil(lambda: present(kiosk.window, "callbackFailed"), timeout=2000)
    assert "12348" in text_of(kiosk.window, "callbackFailed")

    settle(qtbot, kiosk)  # the retry button takes its place in the next frame
    tap(qtbot, kiosk, "retryCallback")
    qtbot.waitUntil(lambda: present(kiosk.window, "key1"), timeout=2000)
    assert text_of(kiosk.window, "phoneText") == "138 0013 8000"  # kept for the retry
    settle(qtbot, kiosk)
    tap(qtbot, kiosk, "sendCallback")
    assert sent == ["13800138000", "13800138000"]


def test_back_goes_to_the_schedule(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    _to_fallback(qtbot, kiosk)
    _type(qtbot, kiosk, "138")
    tap(qtbot, kiosk, "backButton")
    wait_screen(qtbot, kiosk, "schedule")
    assert kiosk.root.fallback_vm.property("digitCount") == 0  # the number is forgotten


def test_keys_are_half_as_big_again_as_a_button(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    for size in ((1024, 600), (1920, 1080), (1080, 1920)):
        kiosk = make_kiosk(size=size)
        _to_fallback(qtbot, kiosk)
        touch = 48 if min(size) < 1000 else 88
        for name in [f"key{d}" for d in range(10)] + ["keyErase"]:
            key = find(kiosk.window, name)
            assert min(key.width(), key.height()) >= 1.5 * touch - 1, (size, name)
        kiosk.close()


def test_keys_work_the_moment_the_screen_shows(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    """No waiting for a frame: every key is in its place as soon as the screen is made."""
    kiosk = make_kiosk()
    kiosk.root.fallback_vm.callbackRequested.disconnect(kiosk.desk.request_callback)
    to_call(qtbot, kiosk)
    kiosk.root.call_finished(talked=False, reason=FallbackReason.NO_ANSWER)
    wait_screen(qtbot, kiosk, "fallback")
    _type(qtbot, kiosk, "13800138000")
    assert kiosk.root.fallback_vm.property("phoneText") == "138 0013 8000"
    tap(qtbot, kiosk, "sendCallback")
    assert kiosk.root.fallback_vm.property("step") == "sending"


# --- rating --------------------------------------------------------------------------------


def test_a_face_rates_then_thanks_then_the_start(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    rated = _to_rating(qtbot, kiosk)
    window = kiosk.window
    assert text_of(window, "ratingTitle") == "这次咨询，您满意吗？"
    for score in range(1, 6):
        assert present(window, f"face{score}")

    tap(qtbot, kiosk, "face5")
    assert rated == [5]
    qtbot.waitUntil(lambda: present(window, "ratingThanks"), timeout=2000)
    assert not present(window, "face5")

    # The thank-you's own timer is tested below; here it runs out at once.
    kiosk.root.rating_vm.finished.emit()
    wait_screen(qtbot, kiosk, "start")


def test_faces_work_the_moment_the_screen_shows(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    rated: list[int] = []
    kiosk.root.rating_vm.rated.connect(rated.append)
    _talking(qtbot, kiosk)
    kiosk.root.call_finished(talked=True)
    wait_screen(qtbot, kiosk, "rating")
    tap(qtbot, kiosk, "face2")
    assert rated == [2]


def test_skip_is_a_rating_of_nothing(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    rated = _to_rating(qtbot, kiosk)
    tap(qtbot, kiosk, "skipRating")
    assert rated == [0]
    qtbot.waitUntil(lambda: present(kiosk.window, "ratingThanks"), timeout=2000)


def test_rating_timers(qtbot: QtBot) -> None:
    vm = RatingViewModel(ask_seconds=0.05, thanks_seconds=0.05)
    rated: list[int] = []
    vm.rated.connect(rated.append)

    # Rated: the chosen face stays until the record has it, then thanks, then finished.
    vm.ask()
    vm.rate(3)
    assert (vm.property("step"), vm.property("score")) == ("ask", 3)
    vm.kept()
    assert vm.property("step") == "thanks"
    with qtbot.waitSignal(vm.finished, timeout=2000):
        pass

    # A record that does not answer holds the thank-you back a second at most.
    vm.ask()
    vm.rate(5)
    qtbot.waitUntil(lambda: vm.property("step") == "thanks", timeout=2000)
    with qtbot.waitSignal(vm.finished, timeout=2000):
        pass

    # Walked away: taken as a skip, then thanks, then finished.
    vm.ask()
    with qtbot.waitSignal(vm.finished, timeout=2000):
        pass
    assert rated == [3, 5, 0]
    assert vm.property("step") == "thanks"


# --- words ---------------------------------------------------------------------------------


def _latin(kiosk: KioskApp) -> list[str]:
    """Visible words in Latin letters: on a Chinese screen, only the "English" button."""
    return [
        t for t in visible_texts(kiosk.window) if re.search(r"[A-Za-z]{3,}", t) and t != "English"
    ]


def test_every_call_screen_speaks_chinese(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    to_call(qtbot, kiosk)
    call = kiosk.root.call_vm
    call.set_queue(2, 60, 0)
    qtbot.waitUntil(lambda: present(kiosk.window, "queueText"), timeout=2000)
    assert _latin(kiosk) == []

    call.set_phase(CallPhase.CONNECTING)
    call.set_expert("张伟", "lawyer")
    qtbot.waitUntil(lambda: present(kiosk.window, "videoPlaceholder"), timeout=2000)
    assert _latin(kiosk) == []
    call.set_phase(CallPhase.TALKING)
    for quality in (Quality.GOOD, Quality.FAIR, Quality.POOR, Quality.AUDIO_ONLY):
        call.set_quality(quality)
        qtbot.wait(10)
        assert _latin(kiosk) == []
    for notice in (Notice.CAMERA_FAILED, Notice.MICROPHONE_FAILED, Notice.LINK_DOWN):
        call.set_notice(notice)
        qtbot.wait(10)
        assert _latin(kiosk) == []
    call.toggleMute()
    call.request_document()
    qtbot.waitUntil(lambda: present(kiosk.window, "documentOverlay"), timeout=2000)
    assert _latin(kiosk) == []
    call.set_phase(CallPhase.RECONNECTING)
    qtbot.waitUntil(lambda: present(kiosk.window, "reconnectingBanner"), timeout=2000)
    assert _latin(kiosk) == []
    call.hangUp()
    qtbot.waitUntil(lambda: present(kiosk.window, "endingBanner"), timeout=2000)
    assert _latin(kiosk) == []


def test_every_fallback_text_speaks_chinese(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    _to_fallback(qtbot, kiosk)
    fallback = kiosk.root.fallback_vm
    assert _latin(kiosk) == []
    # Nothing typed, too short, too long (the keypad stops at 12), neither 1 nor 0 first.
    for digits in ("", "123", "13800138000999", "5551234"):
        while fallback.property("digitCount"):
            fallback.erase()
        for digit in digits:
            fallback.press(digit)
        fallback.submit()
        qtbot.waitUntil(lambda: present(kiosk.window, "phoneProblem"), timeout=2000)
        assert _latin(kiosk) == [], digits
    for reason in FallbackReason:
        if reason != FallbackReason.NONE:
            fallback.show(reason)
            qtbot.wait(10)
            assert _latin(kiosk) == [], reason
    for ok, name in ((False, "callbackFailed"), (True, "callbackSent")):
        fallback.retry()
        for digit in "13800138000"[fallback.property("digitCount"):]:
            fallback.press(digit)
        fallback.submit()
        qtbot.waitUntil(lambda: present(kiosk.window, "callbackSending"), timeout=2000)
        assert _latin(kiosk) == []
        fallback.callback_result(ok)
        qtbot.waitUntil(lambda n=name: present(kiosk.window, n), timeout=2000)
        assert _latin(kiosk) == [], name


def test_every_rating_text_speaks_chinese(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    _to_rating(qtbot, kiosk)
    assert _latin(kiosk) == []
    tap(qtbot, kiosk, "skipRating")
    qtbot.waitUntil(lambda: present(kiosk.window, "ratingThanks"), timeout=2000)
    assert _latin(kiosk) == []
