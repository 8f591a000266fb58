"""SDP relay between the terminal and the one expert who accepted; hang-up; the record."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from kiosk.domain.signaling import CallCancel, EndReason, HangUp, SaveNotes
from tests.api.calls import accept, answer, arrange, offer, request, sdp
from tests.support.served import ServedHub
from tests.support.signal import SignalSocket, console_socket, terminal_socket


async def _connected(hub: ServedHub, kiosk: SignalSocket, console: SignalSocket) -> UUID:
    """Request, accept, offer, answer: the call as it is once media flows. Its id."""
    call = request()
    cid = str(call.consultation_id)
    await kiosk.send(call)
    await kiosk.expect("call.queued")
    await console.expect("call.ringing", consultation_id=cid)
    await console.send(accept(call.consultation_id))
    await console.expect("call.taken", by_you=True)
    await kiosk.expect("call.accepted", consultation_id=cid)
    await kiosk.send(offer(call.consultation_id))
    relayed = await console.expect("sdp.offer", consultation_id=cid, attempt=1)
    assert relayed["sdp"] == sdp("offer 1")
    await console.send(answer(call.consultation_id))
    back = await kiosk.expect("sdp.answer", consultation_id=cid, attempt=1)
    assert back["sdp"] == sdp("answer 1")
    return call.consultation_id


async def test_offer_and_answer_are_relayed_and_a_rebuilt_peer_offers_again(
    hub: ServedHub,
) -> None:
    zhang, wang, _ = hub.lawyers
    arrange(hub, on_duty=(zhang, wang))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        cid = call.consultation_id
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        await w.expect("call.ringing")
        # An offer before anyone accepted is out of order.
        await kiosk.send(offer(cid))
        await kiosk.expect("error", refused="sdp.offer", consultation_id=str(cid))
        await z.send(accept(cid))
        await z.expect("call.taken", by_you=True)
        await w.expect("call.taken", by_you=False)
        await kiosk.expect("call.accepted")
        # An answer before the offer is out of order too.
        await z.send(answer(cid))
        await z.expect("error", refused="sdp.answer")

        await kiosk.send(offer(cid))
        await z.expect("sdp.offer", attempt=1)
        await w.silent()  # the others never see the SDP
        await z.send(answer(cid))
        await kiosk.expect("sdp.answer", attempt=1)

        # Media lost: the kiosk rebuilds its peer and offers attempt 2; replays are refused.
        await kiosk.send(offer(cid, attempt=2))
        await z.expect("sdp.offer", attempt=2)
        await kiosk.send(offer(cid, attempt=2))
        replay = await kiosk.expect("error", refused="sdp.offer")
        assert "Replayed" in replay["detail"]
        await kiosk.send(offer(cid, attempt=1))
        await kiosk.expect("error", refused="sdp.offer")
        await z.send(answer(cid, attempt=1))  # an answer to the old offer
        await z.expect("error", refused="sdp.answer")
        await z.send(answer(cid, attempt=2))
        await kiosk.expect("sdp.answer", attempt=2)
        await z.send(answer(cid, attempt=2))  # a replayed answer
        await z.expect("error", refused="sdp.answer")
        await kiosk.ping()
        await z.ping()


async def test_the_terminal_hangs_up_and_both_hear_the_end(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    team = arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        cid = await _connected(hub, kiosk, z)
        await kiosk.send(HangUp(consultation_id=cid, reason=EndReason.MEDIA_LOST))
        ended: dict[str, Any] = {
            "consultation_id": str(cid),
            "by": "terminal",
            "reason": "media_lost",
        }
        await kiosk.expect("call.ended", **ended)
        await z.expect("call.ended", **ended)
        await kiosk.send(HangUp(consultation_id=cid))
        await kiosk.expect("error", refused="call.hangup")
    with hub.login(zhang) as lawyer:
        (record,) = [r for r in lawyer.get("/v1/consultations").json() if r["id"] == str(cid)]
    assert record["accepted_expert_id"] == team.id(zhang)
    assert record["accepted_expert_name"] == "张伟"
    assert record["ended_by"] == "terminal" and record["end_reason"] == "media_lost"
    assert record["attempts"] == 1 and record["service"] == "legal_aid"
    assert record["requested_at"] <= record["accepted_at"] <= record["ended_at"]


async def test_the_expert_hangs_up_and_both_hear_the_end_and_notes_are_kept(
    hub: ServedHub,
) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        cid = await _connected(hub, kiosk, z)
        await z.send(SaveNotes(consultation_id=cid, notes="土地承包合同纠纷，建议调解。"))
        await z.send(HangUp(consultation_id=cid))
        ended: dict[str, Any] = {"consultation_id": str(cid), "by": "expert", "reason": "hung_up"}
        await z.expect("call.ended", **ended)
        await kiosk.expect("call.ended", **ended)
        # Notes may still come after the end (the console saves as the lawyer types).
        await z.send(SaveNotes(consultation_id=cid, notes="土地承包合同纠纷，已转人民调解。"))
        await z.ping()
        await kiosk.send(CallCancel(consultation_id=cid))
        await kiosk.expect("error", refused="call.cancel")
    with hub.admin_client() as admin:
        (record,) = [r for r in admin.get("/v1/consultations").json() if r["id"] == str(cid)]
    assert record["notes"] == "土地承包合同纠纷，已转人民调解。"
    assert record["ended_by"] == "expert"


async def test_a_terminal_cannot_touch_another_terminals_consultation(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    _, intruder_token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await terminal_socket(hub, token) as kiosk,
        await terminal_socket(hub, intruder_token) as intruder,
    ):
        cid = await _connected(hub, kiosk, z)
        for message in (
            offer(cid, attempt=5),
            HangUp(consultation_id=cid),
            CallCancel(consultation_id=cid),
            request(consultation_id=cid),  # the same id from another terminal
        ):
            await intruder.send(message)
            error = await intruder.expect("error", refused=message.type, consultation_id=str(cid))
            assert "not an open consultation of yours" in error["detail"]
        await z.silent()
        await kiosk.silent()
        # The real call goes on.
        await kiosk.send(offer(cid, attempt=2))
        await z.expect("sdp.offer", attempt=2)


async def test_a_lawyer_cannot_signal_a_call_someone_else_accepted(hub: ServedHub) -> None:
    zhang, wang, _ = hub.lawyers
    arrange(hub, on_duty=(zhang, wang))
    _, token = hub.enrol_terminal()
    async with (
        await console_socket(hub, zhang) as z,
        await console_socket(hub, wang) as w,
        await terminal_socket(hub, token) as kiosk,
    ):
        call = request()
        cid = call.consultation_id
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        await w.expect("call.ringing")
        # Ringing for them is not enough to answer or hang up: accept first.
        await w.send(answer(cid))
        error = await w.expect("error", refused="sdp.answer")
        assert "accept" in error["detail"]
        await z.send(accept(cid))
        await z.expect("call.taken", by_you=True)
        await w.expect("call.taken", by_you=False)
        await kiosk.expect("call.accepted")
        await kiosk.send(offer(cid))
        await z.expect("sdp.offer")
        for message in (
            answer(cid),
            HangUp(consultation_id=cid),
            SaveNotes(consultation_id=cid, notes="x"),
        ):
            await w.send(message)
            await w.expect("error", refused=message.type, consultation_id=str(cid))
        await w.send(accept(uuid4()))  # a call that does not exist
        await w.expect("error", refused="call.accept")
        await kiosk.silent()
        await z.send(answer(cid))
        await kiosk.expect("sdp.answer")


async def test_a_replayed_request_is_a_no_op_that_says_where_the_call_stands(
    hub: ServedHub,
) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        call = request()
        cid = str(call.consultation_id)
        await kiosk.send(call)
        first = await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        await kiosk.send(call)
        assert await kiosk.expect("call.queued") == first
        await z.silent()  # rung once only
        await z.send(accept(call.consultation_id))
        await z.expect("call.taken")
        await kiosk.expect("call.accepted")
        await kiosk.send(call)
        await kiosk.expect("call.accepted", consultation_id=cid)
        await kiosk.send(CallCancel(consultation_id=call.consultation_id))
        await kiosk.expect("call.ended", reason="cancelled")
        await z.expect("call.ended", reason="cancelled")
        await kiosk.send(call)  # after the end: the end again, nothing new
        await kiosk.expect("call.ended", consultation_id=cid, by="terminal", reason="cancelled")
        await z.silent()


async def test_a_new_request_supersedes_the_terminals_open_call(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await terminal_socket(hub, token) as kiosk:
        old, new = request(), request()
        await kiosk.send(old)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing", consultation_id=str(old.consultation_id))
        await kiosk.send(new)  # the kiosk restarted and forgot the old one
        await kiosk.expect("call.ended", consultation_id=str(old.consultation_id))
        await z.expect("call.ended", consultation_id=str(old.consultation_id), reason="cancelled")
        await kiosk.expect("call.queued", consultation_id=str(new.consultation_id))
        await z.expect("call.ringing", consultation_id=str(new.consultation_id))
