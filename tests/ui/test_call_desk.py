"""The call desk between the view-models and the call package, without a hub to call.

With the UI fakes' link there is no hub client: a call cannot even be placed,
which is what a resident meets when the kiosk never reached the bureau. The
real calls are in tests/e2e.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.call.settings import CallSettings
from kiosk.domain.records import RecordEvent
from kiosk.ui.app import KioskApp
from kiosk.ui.calls import quality_of
from kiosk.ui.vm.call import Quality
from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import to_call, to_schedule, wait_screen


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
    # The hub is out of reach, but the number is kept in the session record, sealed,
    # to go up when the hub can be reached: the resident is told a lawyer will call.
    for key in "13800138000":
        fallback.press(key)
    fallback.submit()
    qtbot.waitUntil(lambda: fallback.property("step") == "sent", timeout=5000)
    assert fallback.property("phoneText") == "138 0013 8000"
    kiosk.root.back()
    assert kiosk.root.property("screen") == "schedule"
    assert fallback.property("phoneText") == ""
    outbox = kiosk.records.outbox_file
    stored = b"".join(p.read_bytes() for p in outbox.parent.glob(outbox.name + "*"))
    assert b"13800138000" not in stored
    kinds = [e.kind for e in kiosk.bridge.submit(_pending(kiosk)).result(5)]
    assert kinds == ["requested", "fallback", "callback_requested"]


async def _pending(kiosk: KioskApp) -> list[RecordEvent]:
    outbox = await kiosk.records.outbox()
    batch = await outbox.next_batch(50)
    assert batch is not None
    return batch.events


def test_a_second_call_while_one_runs_is_ignored(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    kiosk.feed.start()
    to_schedule(qtbot, kiosk)
    kiosk.root.schedule_vm.callAnyone()
    kiosk.desk.start("legal_consultation", 0)  # a double tap that got through
    qtbot.waitUntil(lambda: kiosk.root.property("screen") == "fallback", timeout=10_000)
    assert kiosk.root.fallback_vm.property("reason") == "unreachable"


def test_a_call_the_hub_says_nobody_can_take_fetches_the_schedule_at_once(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    """The button was there, the lawyer left a moment ago: the resident hears so, and the
    schedule is fetched now, so going back shows no stale button."""
    from uuid import uuid4

    from kiosk.call.events import CallState, StateChanged
    from kiosk.domain.signaling import EndReason, Party

    kiosk = make_kiosk()
    asked: list[bool] = []
    kiosk.root.refresh_now = lambda: asked.append(True)  # type: ignore[method-assign]
    to_call(qtbot, kiosk)
    # What the desk hears from a consultation the hub ended at once (the desk's own
    # bookkeeping of "the current call" is set by hand: no hub, no call to make).
    kiosk.desk._active = True
    kiosk.desk._on_state(StateChanged(uuid4(), CallState.REQUESTED, CallState.FALLBACK, 0,
                                      EndReason.NOBODY_ON_DUTY, Party.HUB))
    wait_screen(qtbot, kiosk, "fallback")
    assert kiosk.root.fallback_vm.property("reason") == "nobody_on_duty"
    assert asked == [True]


def test_quality_words_follow_what_arrives() -> None:
    assert quality_of(600, 15, 40) == Quality.GOOD
    assert quality_of(600, 15, 450) == Quality.FAIR
    assert quality_of(150, 8, 80) == Quality.FAIR
    assert quality_of(50, 2, 80) == Quality.POOR
    assert quality_of(600, 15, 900) == Quality.POOR
