"""Who rings, who wins, the queue, and how a call ends without an answer (docs/signaling.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from kiosk.domain.signaling import CallCancel, Decline, HangUp
from tests.api.calls import accept, arrange, request
from tests.support.served import ServedHub
from tests.support.signal import console_socket, terminal_socket


async def test_only_on_duty_available_connected_experts_ring(hub: ServedHub) -> None:
    zhang, wang, li = hub.lawyers
    team = arrange(hub, on_duty=(zhang, wang), away=(wang,), off_duty=(li,))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await console_socket(hub, li) as li_console,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        await kiosk.send(call)
        queued = await kiosk.expect("call.queued", position=1, estimated_wait_s=0)
        assert [e["id"] for e in queued["ringing"]] == [team.id(zhang)]
        assert queued["ringing"][0]["name"] == "张伟"
        ringing = await z.expect("call.ringing", consultation_id=str(call.consultation_id))
        assert ringing["for_you_only"] is False and ringing["service"] == "legal_aid"
        assert ringing["village"] and ringing["site_name"]
        await w.silent()
        await li_console.silent()


async def test_first_accept_wins_and_the_others_stop_ringing(hub: ServedHub) -> None:
    zhang, wang, li = hub.lawyers
    team = arrange(hub, on_duty=(zhang, wang, li))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        cid = str(call.consultation_id)
        await kiosk.send(call)
        queued = await kiosk.expect("call.queued")
        assert {e["id"] for e in queued["ringing"]} == {team.id(zhang), team.id(wang)}
        await z.expect("call.ringing", consultation_id=cid)
        await w.expect("call.ringing", consultation_id=cid)

        await w.send(accept(call.consultation_id))
        await w.expect("call.taken", consultation_id=cid, by_you=True)
        await z.expect("call.taken", consultation_id=cid, by_you=False)
        accepted = await kiosk.expect("call.accepted", consultation_id=cid)
        assert accepted["expert"] == {"id": team.id(wang), "name": "王丽", "group": "lawyer"}

        await z.send(accept(call.consultation_id))
        error = await z.expect("error", refused="call.accept", consultation_id=cid)
        assert "already accepted" in error["detail"]
        await w.send(accept(call.consultation_id))
        await w.expect("error", refused="call.accept")
        await z.ping()


async def test_a_named_expert_alone_is_rung(hub: ServedHub) -> None:
    zhang, wang, _li = hub.lawyers
    team = arrange(hub, on_duty=(zhang, wang))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        await kiosk.send(request(expert_id=team.id(wang)))
        queued = await kiosk.expect("call.queued")
        assert [e["id"] for e in queued["ringing"]] == [team.id(wang)]
        assert (await w.expect("call.ringing"))["for_you_only"] is True
        await z.silent()


async def until_unreachable(hub: ServedHub, expert_id: int, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        with hub.admin_client() as admin:
            experts = admin.get("/v1/experts").json()
        if not next(e for e in experts if e["id"] == expert_id)["console_connected"]:
            return
        assert loop.time() < deadline, f"expert {expert_id}'s closed console still counted"
        await asyncio.sleep(0.05)


async def test_nobody_on_duty_ends_the_call_at_once(hub: ServedHub) -> None:
    zhang, wang, li = hub.lawyers
    team = arrange(hub, on_duty=(zhang,), away=(zhang,), off_duty=(wang, li))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        await kiosk.send(call)
        await kiosk.expect("call.ended", by="hub", reason="nobody_on_duty")
        # A named expert who is on duty but has no console open cannot be rung either.
        hub.set_availability(zhang, True)
        await z.close()
        await until_unreachable(hub, team.id(zhang))  # the hub has seen the tab go
        await kiosk.send(request(expert_id=team.id(zhang)))
        await kiosk.expect("call.ended", reason="nobody_on_duty")
        await w.silent()
    with hub.admin_client() as admin:
        records = admin.get("/v1/consultations").json()
    mine = next(r for r in records if r["id"] == str(call.consultation_id))
    assert mine["end_reason"] == "nobody_on_duty" and mine["ended_by"] == "hub"
    assert mine["accepted_at"] is None and mine["ended_at"] is not None


async def test_when_every_rung_expert_declines_the_terminal_hears_all_busy(
    hub: ServedHub,
) -> None:
    zhang, wang, _li = hub.lawyers
    arrange(hub, on_duty=(zhang, wang))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        cid = str(call.consultation_id)
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        await w.expect("call.ringing")
        await z.send(Decline(consultation_id=call.consultation_id))
        await z.expect("call.taken", consultation_id=cid, by_you=False)
        queued = await kiosk.expect("call.queued")
        assert [e["name"] for e in queued["ringing"]] == ["王丽"]
        await z.send(Decline(consultation_id=call.consultation_id))  # not ringing for them now
        await z.expect("error", refused="call.decline")
        await w.send(Decline(consultation_id=call.consultation_id))
        await w.expect("call.taken", consultation_id=cid, by_you=False)
        await kiosk.expect("call.ended", consultation_id=cid, by="hub", reason="all_busy")


async def test_a_call_nobody_accepts_is_withdrawn(
    serve_hub: Callable[..., ServedHub],
) -> None:
    hub = serve_hub(ring_timeout=timedelta(seconds=0.5))
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        call = request()
        cid = str(call.consultation_id)
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        await kiosk.expect("call.ended", consultation_id=cid, by="hub", reason="no_answer")
        # The lawyer it rang hears why it stopped: withdrawn, not taken by someone.
        await z.expect("call.ended", consultation_id=cid, by="hub", reason="no_answer")
        await z.send(accept(call.consultation_id))
        await z.expect("error", refused="call.accept")


async def test_the_terminal_cancels_a_ringing_call(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        call = request()
        cid = str(call.consultation_id)
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        await kiosk.send(CallCancel(consultation_id=call.consultation_id))
        await kiosk.expect("call.ended", by="terminal", reason="cancelled")
        await z.expect("call.ended", consultation_id=cid, by="terminal", reason="cancelled")


async def test_a_busy_expert_is_not_rung_and_the_queue_moves_when_they_hang_up(
    hub: ServedHub,
) -> None:
    zhang, wang, li = hub.lawyers
    team = arrange(hub, on_duty=(zhang,), off_duty=(wang, li))
    _, first_token = hub.enrol_terminal()
    _, second_token = hub.enrol_terminal()
    _, third_token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await terminal_socket(hub, first_token) as first,
        await terminal_socket(hub, second_token) as second,
        await terminal_socket(hub, third_token) as third,
    ):
        one, two, three = request(), request(), request()
        await first.send(one)
        await first.expect("call.queued", position=1)
        await z.expect("call.ringing", consultation_id=str(one.consultation_id))
        await z.send(accept(one.consultation_id))
        await z.expect("call.taken", by_you=True)
        await first.expect("call.accepted")

        # 张伟 is busy: the next calls wait in line, ringing nobody, with an estimate.
        await second.send(two)
        queued = await second.expect("call.queued", position=1, ringing=[])
        assert queued["estimated_wait_s"] == 300  # no consultation finished today: 5 min
        await third.send(three)
        await third.expect("call.queued", position=2, ringing=[], estimated_wait_s=600)
        await z.silent()

        await z.send(HangUp(consultation_id=one.consultation_id))
        await z.expect("call.ended", by="expert", reason="hung_up")
        await first.expect("call.ended", by="expert", reason="hung_up")
        # Free again: both waiting calls ring them, the first in line first.
        ring_two = await z.expect("call.ringing")
        ring_three = await z.expect("call.ringing")
        assert [ring_two["consultation_id"], ring_three["consultation_id"]] == [
            str(two.consultation_id),
            str(three.consultation_id),
        ]
        rung = await second.expect("call.queued", position=1)
        assert [e["id"] for e in rung["ringing"]] == [team.id(zhang)]
        assert rung["estimated_wait_s"] == 0
        moved = await third.expect("call.queued", position=2)
        assert moved["ringing"] and moved["estimated_wait_s"] > 0

        await second.send(CallCancel(consultation_id=two.consultation_id))
        await second.expect("call.ended", reason="cancelled")
        await z.expect("call.ended", consultation_id=str(two.consultation_id), reason="cancelled")
        await third.expect("call.queued", position=1, estimated_wait_s=0)


async def test_an_expert_who_becomes_available_is_rung_for_a_waiting_call(
    hub: ServedHub,
) -> None:
    zhang, wang, li = hub.lawyers
    arrange(hub, on_duty=(zhang, wang), away=(wang,), off_duty=(li,))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        hub.set_availability(wang, True)
        await w.expect("call.ringing", consultation_id=str(call.consultation_id))
        queued = await kiosk.expect("call.queued")
        assert {e["name"] for e in queued["ringing"]} == {"张伟", "王丽"}
        hub.set_availability(zhang, False)
        await z.expect("call.taken", by_you=False)
        queued = await kiosk.expect("call.queued")
        assert [e["name"] for e in queued["ringing"]] == ["王丽"]
