"""A resident's way through the screens, tapped as a finger would."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.conftest import MakeKiosk
from tests.ui.fakes import ONLINE, FakeLink
from tests.ui.helpers import present, tap, text_of, wait_screen


def test_start_services_schedule_back_home(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    link = FakeLink(ONLINE)
    kiosk = make_kiosk(link=link)
    window = kiosk.window
    wait_screen(qtbot, kiosk, "start")
    assert text_of(window, "siteText") == "方巾牛村公共法律服务室"
    assert text_of(window, "hotlineText") == "12348"

    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    for code in (
        "legal_consultation",
        "legal_aid",
        "duty_lawyer",
        "village_adviser",
        "mediation",
        "legal_education",
    ):
        assert present(window, f"serviceTile_{code}")

    # The feed's own first refresh (it starts with the first frame) is over...
    qtbot.waitUntil(lambda: link.refreshes >= 1 and not kiosk.feed.in_flight, timeout=3000)
    refreshes = link.refreshes
    tap(qtbot, kiosk, "serviceTile_legal_consultation")
    wait_screen(qtbot, kiosk, "schedule")
    assert text_of(window, "scheduleTitle") == "法律咨询"
    assert present(window, "callButton_1")
    assert present(window, "busyTag_3")  # on duty but away: no call button
    assert not present(window, "callButton_3")
    # ...so entering the schedule asks the hub for fresh data.
    qtbot.waitUntil(lambda: link.refreshes > refreshes, timeout=3000)

    tap(qtbot, kiosk, "backButton")
    wait_screen(qtbot, kiosk, "services")
    assert kiosk.root.schedule_vm.property("service") == ""

    tap(qtbot, kiosk, "serviceTile_mediation")
    wait_screen(qtbot, kiosk, "schedule")
    assert text_of(window, "scheduleTitle") == "人民调解"

    tap(qtbot, kiosk, "homeButton")
    wait_screen(qtbot, kiosk, "start")
    assert kiosk.root.schedule_vm.property("service") == ""


def test_call_buttons_ask_for_a_call(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    calls: list[tuple[str, int]] = []
    kiosk.root.schedule_vm.callRequested.connect(lambda s, e: calls.append((s, e)))
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    tap(qtbot, kiosk, "serviceTile_legal_consultation")
    wait_screen(qtbot, kiosk, "schedule")

    # The UI fakes have no hub: each call fails at once, and the resident is told.
    tap(qtbot, kiosk, "callButton_2")
    qtbot.waitUntil(lambda: kiosk.root.property("screen") == "fallback", timeout=10_000)
    tap(qtbot, kiosk, "backButton")
    wait_screen(qtbot, kiosk, "schedule")
    tap(qtbot, kiosk, "callAnyoneButton")
    qtbot.waitUntil(lambda: kiosk.root.property("screen") == "fallback", timeout=10_000)
    assert calls == [("legal_consultation", 2), ("legal_consultation", 0)]


def test_the_start_button_is_the_only_way_on(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    """Tapping anywhere else on the start screen changes nothing."""
    kiosk = make_kiosk()
    from tests.ui.helpers import tap_at

    tap_at(qtbot, kiosk, 10, kiosk.window.height() // 2)
    qtbot.wait(50)
    assert kiosk.root.property("screen") == "start"


def test_refreshes_on_its_own_every_refresh_seconds(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    link = FakeLink(ONLINE)
    make_kiosk(link=link, refresh_seconds=0.1)
    qtbot.waitUntil(lambda: link.refreshes >= 3, timeout=3000)


def test_a_slow_hub_never_gets_two_refreshes_at_once(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    link = FakeLink(ONLINE, delay=0.5)
    kiosk = make_kiosk(link=link, refresh_seconds=0.05)
    qtbot.wait(300)
    assert link.refreshes == 1
    assert kiosk.feed.in_flight
