"""Parties that come back: what a tab and a terminal are told of their calls, and when a
hang-up that waited for the hub really happened (docs/signaling.md, "Reconnect")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from kiosk.domain.signaling import CallCancel, CallResume, CallStatus, HangUp
from tests.api.calls import accept, answer, arrange, offer, request
from tests.support.served import ServedHub
from tests.support.signal import SignalSocket, console_socket, terminal_socket


def record(hub: ServedHub, consultation_id: UUID) -> dict[str, Any]:
    with hub.admin_client() as admin:
        rows = admin.get("/v1/consultations").json()
    found: dict[str, Any] = next(r for r in rows if r["id"] == str(consultation_id))
    return found


async def in_call(hub: ServedHub, kiosk: SignalSocket, tab: SignalSocket) -> UUID:
    """A call accepted by `tab`'s lawyer, media offered and answered once."""
    call = request()
    await kiosk.send(call)
    await kiosk.expect("call.queued")
    await tab.expect("call.ringing", consultation_id=str(call.consultation_id))
    await tab.send(accept(call.consultation_id))
    await tab.expect("call.taken", by_you=True)
    await kiosk.expect("call.accepted")
    await kiosk.send(offer(call.consultation_id))
    await tab.expect("sdp.offer", attempt=1)
    await tab.send(answer(call.consultation_id))
    await kiosk.expect("sdp.answer", attempt=1)
    return call.consultation_id


async def test_a_tab_that_reconnects_mid_call_is_told_its_call(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk:
        async with await console_socket(hub, zhang) as z:
            assert (await z.expect("call.current"))["call"] is None
            cid = await in_call(hub, kiosk, z)
        # A reload, a network blip: the new socket hears which call is current, since when.
        async with await console_socket(hub, zhang) as again:
            current = (await again.expect("call.current"))["call"]
            assert current["consultation_id"] == str(cid)
            assert current["accepted_at"] == record(hub, cid)["accepted_at"]
            assert current["elapsed_s"] >= 0 and current["attempt"] == 1
            assert current["terminal_present"] is True and current["elsewhere"] is False
            assert current["village"] and current["service"] == "legal_aid"
            await again.send(answer(cid, attempt=1))  # a replay: refused, changes nothing
            await again.expect("error", refused="sdp.answer")
            # The kiosk rebuilds its connection: this tab takes the call over and holds it.
            await kiosk.send(offer(cid, attempt=2))
            await again.expect("sdp.offer", attempt=2)
            await again.send(answer(cid, attempt=2))
            await kiosk.expect("sdp.answer", attempt=2)
            await again.send(CallStatus(consultation_id=cid))
            assert (await again.expect("call.current"))["call"]["attempt"] == 2
            # Another tab of the same lawyer hears the call is held elsewhere.
            async with await console_socket(hub, zhang) as third:
                assert (await third.expect("call.current"))["call"]["elsewhere"] is True
            await kiosk.send(HangUp(consultation_id=cid))
            ended = await again.expect("call.ended", by="terminal", reason="hung_up")
            assert ended["accepted_at"] == current["accepted_at"]
            assert ended["ended_at"] == record(hub, cid)["ended_at"]


async def test_a_tab_asks_what_became_of_its_call(hub: ServedHub) -> None:
    zhang, wang, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,), off_duty=(wang,))
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk, await console_socket(hub, zhang) as z:
        cid = await in_call(hub, kiosk, z)
        await kiosk.send(HangUp(consultation_id=cid))
        await z.expect("call.ended")
        await kiosk.expect("call.ended")
        # A tab that missed the end (it was reconnecting) asks, and hears it with its times.
        await z.send(CallStatus(consultation_id=cid))
        ended = await z.expect("call.ended", consultation_id=str(cid), by="terminal")
        stored = record(hub, cid)
        assert (ended["accepted_at"], ended["ended_at"]) == (
            stored["accepted_at"],
            stored["ended_at"],
        )
        # Another lawyer learns how it ended, not when: it was not their call.
        async with await console_socket(hub, wang) as w:
            await w.send(CallStatus(consultation_id=cid))
            theirs = await w.expect("call.ended", consultation_id=str(cid))
            assert theirs["accepted_at"] is None and theirs["ended_at"] is None
            # A call ringing for someone: the ringing again; for nobody here: taken.
            ringing = request()
            await kiosk.send(ringing)
            await z.expect("call.ringing")
            await z.send(CallStatus(consultation_id=ringing.consultation_id))
            await z.expect("call.ringing", consultation_id=str(ringing.consultation_id))
            await w.send(CallStatus(consultation_id=ringing.consultation_id))
            await w.expect("call.taken", by_you=False)
            await w.send(CallStatus(consultation_id=uuid4()))
            await w.expect("error", refused="call.status")
            await kiosk.send(CallCancel(consultation_id=ringing.consultation_id))


async def test_a_hang_up_that_waited_ends_the_call_when_it_happened(hub: ServedHub) -> None:
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk, await console_socket(hub, zhang) as z:
        cid = await in_call(hub, kiosk, z)
        accepted_at = datetime.fromisoformat(record(hub, cid)["accepted_at"])
        hung_up = accepted_at + (datetime.now(UTC) - accepted_at) / 2  # between the two
        await kiosk.send(HangUp(consultation_id=cid, at=hung_up))
        ended = await z.expect("call.ended", by="terminal", reason="hung_up")
        await kiosk.expect("call.ended")
        assert datetime.fromisoformat(ended["ended_at"]) == hung_up
        assert datetime.fromisoformat(record(hub, cid)["ended_at"]) == hung_up

        # A time before the call began, or after now, is clamped into the call.
        for at, bound in (
            (datetime(2001, 1, 1, tzinfo=UTC), "start"),
            (datetime.now(UTC) + timedelta(days=1), "now"),
        ):
            cid = await in_call(hub, kiosk, z)
            stored = record(hub, cid)
            before = datetime.now(UTC)
            await kiosk.send(HangUp(consultation_id=cid, at=at))
            ended = await z.expect("call.ended")
            await kiosk.expect("call.ended")
            end = datetime.fromisoformat(ended["ended_at"])
            if bound == "start":
                assert end == datetime.fromisoformat(stored["accepted_at"])
            else:
                assert before <= end <= datetime.now(UTC)

        # A cancel before anyone accepted: clamped to the request at the earliest.
        call = request()
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await z.expect("call.ringing")
        long_ago = datetime(2001, 1, 1, tzinfo=UTC)
        await kiosk.send(CallCancel(consultation_id=call.consultation_id, at=long_ago))
        await z.expect("call.ended", reason="cancelled")
        stored = record(hub, call.consultation_id)
        assert stored["ended_at"] == stored["requested_at"]


async def test_a_terminal_back_without_its_call_ends_it(
    serve_hub: Callable[..., ServedHub],
) -> None:
    """The kiosk app restarted during a call: its new socket never resumes the old call."""
    hub = serve_hub(claim_timeout=timedelta(seconds=0.5))
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z:
        async with await terminal_socket(hub, token) as kiosk:
            cid = await in_call(hub, kiosk, z)
        async with await terminal_socket(hub, token) as kiosk:
            await kiosk.expect("call.accepted", consultation_id=str(cid))
            ended = await z.expect("call.ended", consultation_id=str(cid), timeout=5)
            assert (ended["by"], ended["reason"]) == ("hub", "media_lost")
        # One that resumes goes on: it hears the call is still accepted.
        async with await terminal_socket(hub, token) as kiosk:
            cid = await in_call(hub, kiosk, z)
        async with await terminal_socket(hub, token) as kiosk:
            await kiosk.expect("call.accepted", consultation_id=str(cid))
            await kiosk.send(CallResume(consultation_id=cid, attempt=1))
            await kiosk.expect("call.accepted", consultation_id=str(cid))
            await z.silent(1.0)  # past the claim timeout: still going
            await kiosk.send(offer(cid, attempt=2))
            await z.expect("sdp.offer", attempt=2)
        # One that sends a new offer without resuming first goes on too: it has the call.
        async with await terminal_socket(hub, token) as kiosk:
            await kiosk.expect("call.accepted", consultation_id=str(cid))
            await kiosk.send(offer(cid, attempt=3))
            await z.expect("sdp.offer", attempt=3)
            await z.silent(1.0)  # past the claim timeout: still going
            await kiosk.send(HangUp(consultation_id=cid))
            await z.expect("call.ended", reason="hung_up")
            await kiosk.expect("call.ended", reason="hung_up")
            # Resuming a call that is over: its end again.
            await kiosk.send(CallResume(consultation_id=cid, attempt=2))
            await kiosk.expect("call.ended", consultation_id=str(cid), by="terminal")
            await kiosk.send(CallResume(consultation_id=uuid4(), attempt=1))
            await kiosk.expect("error", refused="call.resume")
