"""A resident who walks away: warning, countdown, then a clean start screen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.ui.app import KioskApp
from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import find, present, tap, text_of, to_schedule, wait_screen


def _open_schedule_in_english(qtbot: QtBot, kiosk: KioskApp) -> None:
    tap(qtbot, kiosk, "languageButton")
    to_schedule(qtbot, kiosk)


def test_warning_then_touch_continues_without_pressing_what_is_under_it(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk(idle_seconds=0.4, idle_warning_seconds=30)
    _open_schedule_in_english(qtbot, kiosk)

    qtbot.waitUntil(lambda: present(kiosk.window, "idleOverlay"), timeout=3000)
    assert text_of(kiosk.window, "idleTitle") == "Are you still there?"
    assert text_of(kiosk.window, "idleCountdown") == "30"

    # The touch lands where the Home button is: it must only dismiss the warning.
    tap(qtbot, kiosk, "homeButton")
    qtbot.waitUntil(lambda: not present(kiosk.window, "idleOverlay"), timeout=2000)
    assert kiosk.root.property("screen") == "schedule"
    assert kiosk.root.property("language") == "en"

    # The next touch works as usual again.
    tap(qtbot, kiosk, "backButton")
    wait_screen(qtbot, kiosk, "services")

    # And the warning comes back, whole, if the resident walks away after all.
    qtbot.waitUntil(lambda: present(kiosk.window, "idleOverlay"), timeout=3000)
    assert text_of(kiosk.window, "idleCountdown") == "30"


def test_countdown_to_zero_ends_the_visit_and_forgets_it(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk(idle_seconds=0.3, idle_warning_seconds=2)
    _open_schedule_in_english(qtbot, kiosk)
    schedule = kiosk.root.schedule_vm
    assert schedule.property("service") == "legal_consultation"

    qtbot.waitUntil(lambda: present(kiosk.window, "idleOverlay"), timeout=3000)
    qtbot.waitUntil(lambda: text_of(kiosk.window, "idleCountdown") == "1", timeout=3000)
    wait_screen(qtbot, kiosk, "start")

    assert not present(kiosk.window, "idleOverlay")
    assert kiosk.root.property("language") == "zh_CN"
    assert text_of(kiosk.window, "languageButton") == "English"
    assert schedule.property("service") == ""
    assert schedule.property("situation") == ""
    assert schedule.property("onDuty") == []
    assert schedule.property("upcoming") == []
    # The idle start screen needs no watch: nothing of anyone is left to forget.
    assert not kiosk.root.idle_watch.armed


def test_no_warning_on_the_untouched_start_screen(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(idle_seconds=0.2, idle_warning_seconds=5)
    qtbot.wait(500)
    assert not present(kiosk.window, "idleOverlay")
    find(kiosk.window, "startButton")
