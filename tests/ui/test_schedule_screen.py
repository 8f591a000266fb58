"""The schedule screen is never blank: offline cache, nobody on duty, busy, no schedule."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.api import Snapshot
from kiosk.ui.app import KioskApp
from tests.ui.conftest import MakeKiosk
from tests.ui.fakes import EMPTY, OFFLINE, ONLINE, FakeLink, busy_snapshot
from tests.ui.helpers import present, tap, text_of, wait_screen


def _open(
    qtbot: QtBot, make_kiosk: MakeKiosk, service: str, snapshot: Snapshot, **kw: object
) -> KioskApp:
    kiosk = make_kiosk(snapshot, **kw)
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    tap(qtbot, kiosk, f"serviceTile_{service}")
    wait_screen(qtbot, kiosk, "schedule")
    return kiosk


def test_offline_cache_says_how_old_it_is(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = _open(qtbot, make_kiosk, "legal_consultation", OFFLINE)
    window = kiosk.window
    text = text_of(window, "stalenessText")
    assert "更新于 12 分钟前" in text
    assert "12348" in text
    # The cached duty list is still shown, with its call buttons.
    assert present(window, "callButton_1")


def test_offline_in_english(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = _open(qtbot, make_kiosk, "legal_consultation", OFFLINE, language="en")
    text = text_of(kiosk.window, "stalenessText")
    assert "updated 12 minutes ago" in text


def test_hub_going_away_shows_the_banner(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    """Online at start; the refresh on entering the schedule finds the hub gone."""
    link = FakeLink(ONLINE, fresh=OFFLINE)
    kiosk = make_kiosk(link=link)
    assert not kiosk.root.schedule_vm.property("stale")
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    tap(qtbot, kiosk, "serviceTile_legal_aid")
    wait_screen(qtbot, kiosk, "schedule")
    qtbot.waitUntil(lambda: present(kiosk.window, "stalenessText"), timeout=3000)


def test_nobody_on_duty_says_when_someone_is(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = _open(qtbot, make_kiosk, "legal_education", ONLINE)
    window = kiosk.window
    assert text_of(window, "nobodyTitle") == "现在没有专家值班。"
    assert text_of(window, "nobodyText") == "明天 08:30 孙静律师值班。"
    assert text_of(window, "bigHotlineText") == "12348"
    assert not present(window, "callAnyoneButton")


def test_nobody_on_duty_in_english(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = _open(qtbot, make_kiosk, "legal_education", ONLINE, language="en")
    assert text_of(kiosk.window, "nobodyText") == ("Tomorrow at 08:30, 孙静 (lawyer) is on duty.")


def test_everyone_busy(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = _open(qtbot, make_kiosk, "legal_consultation", busy_snapshot())
    window = kiosk.window
    assert "都在忙" in text_of(window, "busyText")
    assert present(window, "busyTag_1")
    assert not present(window, "callButton_1")
    assert not present(window, "callAnyoneButton")


def test_no_schedule_at_all_still_gives_the_hotline(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = _open(qtbot, make_kiosk, "mediation", EMPTY)
    window = kiosk.window
    assert text_of(window, "nobodyTitle") == "现在无法显示值班表。"
    assert text_of(window, "bigHotlineText") == "12348"
    # No profile either: the start screen's generic names were used.
    tap(qtbot, kiosk, "homeButton")
    wait_screen(qtbot, kiosk, "start")
    assert text_of(window, "siteText") == "公共法律服务点"
    assert text_of(window, "bureauText") == "公共法律服务"
