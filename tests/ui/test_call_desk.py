"""The call desk between the view-models and the call package, without a hub to call.

With the UI fakes' link there is no hub client: a call cannot even be placed,
which is what a resident meets when the kiosk never reached the bureau. The
real calls are in tests/e2e.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.call.settings import CallSettings
from kiosk.ui.calls import quality_of
from kiosk.ui.vm.call import Quality
from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import to_schedule


def test_a_call_without_a_hub_is_a_fallback_that_says_so(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    kiosk = make_kiosk(call=CallSettings(hub_answer_timeout_s=2))
    kiosk.feed.start()
    to_schedule(qtbot, kiosk)
    kiosk.root.schedule_vm.callAnyone()
    qtbot.waitUntil(lambda: kiosk.root.property("screen") == "fallback", timeout=10_000)
    fallback = kiosk.root.fallback_vm
    assert fallback.property("reason") == "unreachable"
    assert not kiosk.desk.active
    # The callback cannot reach the hub either: the resident is told, the number kept.
    for key in "13800138000":
        fallback.press(key)
    fallback.submit()
    qtbot.waitUntil(lambda: fallback.property("step") == "failed", timeout=5000)
    assert fallback.property("phoneText") == "138 0013 8000"
    kiosk.root.back()
    assert kiosk.root.property("screen") == "schedule"
    assert fallback.property("phoneText") == ""


def test_a_second_call_while_one_runs_is_ignored(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    kiosk.feed.start()
    to_schedule(qtbot, kiosk)
    kiosk.root.schedule_vm.callAnyone()
    kiosk.desk.start("legal_consultation", 0)  # a double tap that got through
    qtbot.waitUntil(lambda: kiosk.root.property("screen") == "fallback", timeout=10_000)
    assert kiosk.root.fallback_vm.property("reason") == "unreachable"


def test_quality_words_follow_what_arrives() -> None:
    assert quality_of(600, 15, 40) == Quality.GOOD
    assert quality_of(600, 15, 450) == Quality.FAIR
    assert quality_of(150, 8, 80) == Quality.FAIR
    assert quality_of(50, 2, 80) == Quality.POOR
    assert quality_of(600, 15, 900) == Quality.POOR
