"""Presence: who a resident can reach, as terminals, the schedule and the admin page learn it.

Reachable = on duty, marked available, and a console tab connected and answering
the hub's heartbeat (docs/signaling.md, "Presence").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.calls import arrange
from tests.support.served import ServedHub
from tests.support.signal import console_socket, terminal_socket


def experts(hub: ServedHub) -> dict[str, dict[str, Any]]:
    with hub.admin_client() as admin:
        return {e["name"]: e for e in admin.get("/v1/experts").json()}


def schedule_now(hub: ServedHub, token: str) -> dict[str, bool]:
    """The kiosk's schedule: each expert on duty now, and whether they are reachable."""
    with hub.terminal_client(token) as terminal:
        body = terminal.get("/v1/schedule").json()
    now = datetime.now(UTC)
    found: dict[str, bool] = {}
    for entry in body["entries"]:
        start, end = (datetime.fromisoformat(entry[k]) for k in ("starts_at", "ends_at"))
        if start <= now < end:
            found[entry["expert_name"]] = entry["reachable"]
        else:
            assert not entry["reachable"], entry  # only a shift under way can be reachable
    return found


async def test_a_terminal_hears_who_is_reachable_as_consoles_come_and_go(
    hub: ServedHub,
) -> None:
    zhang, wang, _li = hub.lawyers
    team = arrange(hub, on_duty=(zhang, wang), away=(wang,))
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk:
        # Marked available and on duty is not enough: nobody has a console open.
        await kiosk.expect("presence", reachable=[])
        async with await console_socket(hub, zhang) as z:
            await z.expect("call.current", call=None)
            await kiosk.wait_for("presence", reachable=[team.id(zhang)])
            assert schedule_now(hub, token)["张伟"] is True
            listed = experts(hub)
            assert listed["张伟"]["console_connected"] and listed["张伟"]["reachable"]
            # Away with a console open: connected, not reachable.
            async with await console_socket(hub, wang):
                listed = experts(hub)
                assert listed["王丽"]["console_connected"] and not listed["王丽"]["reachable"]
                hub.set_availability(wang, True)
                both = sorted({team.id(zhang), team.id(wang)})
                await kiosk.wait_for("presence", reachable=both)
            # The tab closes: at once, not after a timeout.
            await kiosk.wait_for("presence", reachable=[team.id(zhang)], timeout=2)
        await kiosk.wait_for("presence", reachable=[], timeout=2)
        assert schedule_now(hub, token).get("张伟") is False
        listed = experts(hub)
        assert not listed["张伟"]["console_connected"] and not listed["张伟"]["reachable"]
        assert listed["张伟"]["availability"] == "available"  # what they marked stays


async def test_a_console_that_stops_answering_the_heartbeat_is_dropped(
    serve_hub: Callable[..., ServedHub],
) -> None:
    hub = serve_hub(
        console_heartbeat=timedelta(seconds=0.2), console_timeout=timedelta(seconds=0.8)
    )
    zhang, _, _ = hub.lawyers
    team = arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with (
        await terminal_socket(hub, token) as kiosk,
        await console_socket(hub, zhang) as z,
    ):
        await kiosk.wait_for("presence", reachable=[team.id(zhang)])
        # Answering, it stays however long it is quiet otherwise.
        await z.silent(1.5)
        await kiosk.silent(0.1)
        # Its network lets nothing in any more: its own pings still go out, and do not count.
        z.answer_pings = False
        for _ in range(4):
            await z.send({"type": "ping"})
        assert await z.closed_with(timeout=5) == 4408
        await kiosk.wait_for("presence", reachable=[])
        assert not experts(hub)["张伟"]["reachable"]


async def test_experts_without_a_console_login_are_never_reachable(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    liu = hub.expert_id("刘洋")  # marked available in the demo data, no login
    hub.put_shift_now(liu)
    _, token = hub.enrol_terminal()
    assert experts(hub)["刘洋"]["availability"] == "available"
    async with await console_socket(hub, zhang), await terminal_socket(hub, token) as kiosk:
        presence = await kiosk.wait_for("presence", reachable=[hub.expert_id(zhang)])
        assert liu not in presence["reachable"]
        assert schedule_now(hub, token)["刘洋"] is False
        assert experts(hub)["刘洋"]["reachable"] is False


async def test_a_shift_that_ends_makes_its_expert_unreachable(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    team = arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang), await terminal_socket(hub, token) as kiosk:
        await kiosk.wait_for("presence", reachable=[team.id(zhang)])
        hub.clear_shifts_now(team.id(zhang))
        await kiosk.wait_for("presence", reachable=[])
        hub.put_shift_now(team.id(zhang))
        await kiosk.wait_for("presence", reachable=[team.id(zhang)])
