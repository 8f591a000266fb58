"""The real kiosk app and a lawyer's console in Chromium through a hub that is killed
(SIGKILL) mid-call and started again, and a lawyer who closes the console tab.

What the resident and the lawyer see: the call button only for a lawyer who can be
reached, and a call hung up while the hub was away that ends on the lawyer's page
with its real length when the hub is back.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect
from pytestqt.qtbot import QtBot

from kiosk.ui.app import KioskApp
from tests.console.test_console_calls import assert_video_plays, clock_text
from tests.e2e.conftest import MakeKiosk, OpenConsole
from tests.e2e.test_consultation import call_anyone, go_to_schedule, ringing, wait_for
from tests.support.hub import RunningHub
from tests.ui.helpers import present, tap, wait_screen

pytestmark = pytest.mark.browser


def record(hub: RunningHub, cid: str) -> dict[str, object]:
    with hub.admin_client() as admin:
        rows = admin.get("/v1/consultations").json()
    found: dict[str, object] = next(r for r in rows if r["id"] == cid)
    return found


def call_button(kiosk: KioskApp, expert_id: int) -> bool:
    return present(kiosk.window, f"callButton_{expert_id}")


def test_a_lawyer_who_closes_the_console_loses_the_call_button_at_once(
    qtbot: QtBot, make_kiosk: MakeKiosk, open_console: OpenConsole, hub: RunningHub
) -> None:
    for other in hub.lawyers[1:]:
        hub.set_on_duty_now(other, on_duty=False)
    lawyer = open_console(hub.lawyers[0])
    kiosk = make_kiosk()
    go_to_schedule(qtbot, kiosk)
    wait_for(qtbot, lambda: call_button(kiosk, lawyer.expert_id))
    lawyer.page.context.close()
    # Pushed over the kiosk's socket: no waiting for the schedule's next refresh.
    wait_for(qtbot, lambda: not call_button(kiosk, lawyer.expert_id), 10_000)
    assert present(kiosk.window, f"busyTag_{lawyer.expert_id}")
    assert not present(kiosk.window, "callAnyoneButton")
    assert kiosk.root.schedule_vm.property("situation") == "busy"
    # Back at the desk: the button comes back.
    open_console(hub.lawyers[0])
    wait_for(qtbot, lambda: call_button(kiosk, lawyer.expert_id), 10_000)
    assert kiosk.qml_warnings == []


def test_hung_up_while_the_hub_was_down(
    qtbot: QtBot, make_kiosk: MakeKiosk, open_console: OpenConsole, hub: RunningHub
) -> None:
    for other in hub.lawyers[1:]:
        hub.set_on_duty_now(other, on_duty=False)
    lawyer = open_console(hub.lawyers[0])
    kiosk = make_kiosk()
    go_to_schedule(qtbot, kiosk)
    cid = call_anyone(qtbot, kiosk)
    ringing(lawyer, cid).get_by_role("button", name="接听").click()
    wait_for(qtbot, lambda: kiosk.root.call_vm.property("phase") == "talking")
    assert_video_plays(lawyer.page)

    hub.kill()
    try:
        # The resident hangs up with the hub away: the kiosk ends the call at once and
        # keeps the hang-up for the hub.
        tap(qtbot, kiosk, "hangUpButton")
        wait_screen(qtbot, kiosk, "rating")
    finally:
        hub.start()
    form = lawyer.page.locator(f".outcome[data-consultation='{cid}']")
    expect(form).to_contain_text("村民已挂断", timeout=30_000)
    expect(lawyer.page.locator("#call-view")).to_be_hidden()
    row = record(hub, cid)
    assert (row["ended_by"], row["end_reason"]) == ("terminal", "hung_up")
    ended = datetime.fromisoformat(str(row["ended_at"]))
    length = (ended - datetime.fromisoformat(str(row["accepted_at"]))).total_seconds()
    shown = "|".join(clock_text(s) for s in {int(length), int(length) + 1})
    expect(form).to_contain_text(re.compile(f"通话 ({shown})"))
    assert lawyer.log.unexpected("ERR_CONNECTION_REFUSED", "WebSocket connection") == []
    assert kiosk.qml_warnings == []
