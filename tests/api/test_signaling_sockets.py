"""The sockets themselves: who may open them, garbage in, silence, reconnects, restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

import pytest

from kiosk.domain import ServiceCode
from kiosk.domain.signaling import MAX_SDP, HangUp
from tests.api.calls import accept, answer, arrange, offer, request, sdp
from tests.support.hub import RunningHub
from tests.support.served import ServedHub
from tests.support.signal import (
    CONSOLE_PATH,
    TERMINAL_PATH,
    console_socket,
    open_socket,
    session_cookie,
    terminal_socket,
    ws_url,
)

# --- who may open them -----------------------------------------------------------------


async def test_a_terminal_socket_needs_a_valid_token(hub: ServedHub) -> None:
    for token in ("", "not-a-token"):
        kiosk = await terminal_socket(hub, token)
        assert await kiosk.closed_with() == 4401
    # A lawyer's session is not a terminal.
    cookie = await session_cookie(hub, hub.lawyer)
    url = ws_url(hub.base_url, TERMINAL_PATH)
    lawyer = await open_socket(url, "lawyer", {"Cookie": f"kiosk_session={cookie}"}, None)
    assert await lawyer.closed_with() == 4403
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk:
        await kiosk.ping()


async def test_a_console_socket_needs_a_lawyer_session_from_the_hubs_own_page(
    hub: ServedHub,
) -> None:
    cookie = await session_cookie(hub, hub.lawyer)
    for origin in (None, "http://evil.example", "null"):
        tab = await console_socket(hub, hub.lawyer, cookie=cookie, origin=origin)
        assert await tab.closed_with() == 4403, origin
    tab = await console_socket(hub, hub.lawyer, cookie="forged")
    assert await tab.closed_with() == 4401
    admin = await console_socket(hub, hub.admin)
    assert await admin.closed_with() == 4403
    # After logout the session no longer opens a socket.
    with hub.client(cookies={"kiosk_session": cookie}) as client:
        csrf = client.get("/v1/auth/session").json()["csrf_token"]
        assert client.post("/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    tab = await console_socket(hub, hub.lawyer, cookie=cookie)
    assert await tab.closed_with() == 4401


async def test_a_terminal_token_does_not_open_the_console_socket(hub: ServedHub) -> None:
    _, token = hub.enrol_terminal()
    tab = await open_socket(
        ws_url(hub.base_url, CONSOLE_PATH),
        "terminal on console",
        {"Authorization": f"Bearer {token}"},
        hub.base_url,
    )
    assert await tab.closed_with() == 4403


async def test_open_sockets_lose_revoked_credentials(
    serve_hub: Callable[..., ServedHub],
) -> None:
    hub = serve_hub(signal_reauth_interval=timedelta(0))
    terminal_id, token = hub.enrol_terminal()
    cookie = await session_cookie(hub, hub.lawyer)
    async with (
        await terminal_socket(hub, token) as kiosk,
        await console_socket(hub, hub.lawyer, cookie=cookie) as tab,
    ):
        await kiosk.ping()
        await tab.ping()
        hub.enrol_terminal(terminal_id)  # re-enrolment revokes the old token
        with hub.client(cookies={"kiosk_session": cookie}) as client:
            csrf = client.get("/v1/auth/session").json()["csrf_token"]
            client.post("/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        await kiosk.send({"type": "ping"})
        assert await kiosk.closed_with() == 4401
        await tab.send({"type": "ping"})
        assert await tab.closed_with() == 4401


# --- garbage in ------------------------------------------------------------------------

GARBAGE: list[tuple[str, str | bytes, str]] = [
    ("not json", "{type: ping", "Malformed JSON"),
    ("a list", "[1, 2]", "JSON object"),
    ("no type", '{"consultation_id": "x"}', "JSON object"),
    ("unknown type", '{"type": "call.explode"}', "Unknown message type"),
    ("wrong side", '{"type": "call.accept", "consultation_id": "' + "0" * 32 + '"}', "Unknown"),
    ("bad uuid", '{"type": "call.cancel", "consultation_id": "nope"}', "consultation_id"),
    ("extra field", '{"type": "ping", "x": 1}', "Invalid ping"),
    ("binary", b"\x00\x01\x02", "text frames"),
    ("oversized", '{"type": "ping", "pad": "' + "x" * 100_000 + '"}', "too large"),
    (
        "sdp too long",
        json.dumps(
            {"type": "sdp.offer", "consultation_id": str(uuid4()), "sdp": "v" * (MAX_SDP + 1)}
        ),
        "sdp",
    ),
]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_garbage_is_refused_and_the_socket_stays_usable(hub: ServedHub) -> None:
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk:
        for name, frame, words in GARBAGE:
            await kiosk.send_raw(frame)
            error = await kiosk.expect("error")
            assert words in error["detail"], (name, error)
            assert len(error["detail"]) < 300, name  # no echo of what was sent
            await kiosk.ping()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_too_many_refused_messages_close_the_socket(hub: ServedHub) -> None:
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk:
        for _ in range(50):
            await kiosk.send_raw("garbage")
            await kiosk.expect("error")
        await kiosk.ping()  # 50 refusals a minute are still tolerated
        await kiosk.send_raw("garbage")
        await kiosk.expect("error")
        assert await kiosk.closed_with() == 4429
    async with await terminal_socket(hub, token) as again:  # a new socket starts afresh
        await again.ping()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_silent_socket_is_closed(serve_hub: Callable[..., ServedHub]) -> None:
    hub = serve_hub(signal_idle_timeout=timedelta(seconds=0.6))
    _, token = hub.enrol_terminal()
    async with await terminal_socket(hub, token) as kiosk:
        for _ in range(3):  # pings keep it open past the timeout
            await asyncio.sleep(0.3)
            await kiosk.ping()
        assert await kiosk.closed_with(timeout=3) == 4408


# --- reconnects ------------------------------------------------------------------------


async def test_reconnecting_sockets_get_what_is_current(hub: ServedHub) -> None:
    zhang, wang, _ = hub.lawyers
    team = arrange(hub, on_duty=(zhang, wang))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z, await console_socket(hub, wang) as w:
        call = request()
        cid = str(call.consultation_id)
        async with await terminal_socket(hub, token) as kiosk:
            await kiosk.send(call)
            queued = await kiosk.expect("call.queued")
            await z.expect("call.ringing")
            await w.expect("call.ringing")
        # The terminal comes back: where it stands in the queue, again.
        async with await terminal_socket(hub, token) as kiosk:
            assert await kiosk.expect("call.queued") == queued
        # A lawyer's tab reloads: the call still ringing for them, again.
        await w.close()
        async with await console_socket(hub, wang) as w2:
            await w2.expect("call.ringing", consultation_id=cid)
            await z.send(accept(call.consultation_id))
            await z.expect("call.taken", by_you=True)
            await w2.expect("call.taken", by_you=False)
        # The terminal was away when the call was accepted: it hears it on return.
        async with await terminal_socket(hub, token) as kiosk:
            accepted = await kiosk.expect("call.accepted", consultation_id=cid)
            assert accepted["expert"]["id"] == team.id(zhang)
            # The accepting tab drops before the offer: the offer waits for its return.
            await z.close()
            await kiosk.send(offer(call.consultation_id))
            await asyncio.sleep(0.2)
            async with await console_socket(hub, zhang) as z2:
                await z2.expect("sdp.offer", consultation_id=cid, attempt=1)
                await z2.send(answer(call.consultation_id))
                await kiosk.expect("sdp.answer", attempt=1)
                await z2.send(HangUp(consultation_id=call.consultation_id))
                await kiosk.expect("call.ended", by="expert")


async def test_an_accepted_call_whose_party_never_returns_is_ended(
    serve_hub: Callable[..., ServedHub],
) -> None:
    hub = serve_hub(orphan_grace=timedelta(seconds=0.5))
    zhang, _, _ = hub.lawyers
    arrange(hub, on_duty=(zhang,))
    _, token = hub.enrol_terminal()
    async with await console_socket(hub, zhang) as z:
        async with await terminal_socket(hub, token) as kiosk:
            call = request()
            await kiosk.send(call)
            await kiosk.expect("call.queued")
            await z.expect("call.ringing")
            await z.send(accept(call.consultation_id))
            await kiosk.expect("call.accepted")
        await z.expect("call.taken", by_you=True)
        ended = await z.expect("call.ended", timeout=5)
        assert ended["consultation_id"] == str(call.consultation_id)
        assert (ended["by"], ended["reason"]) == ("hub", "media_lost")
        # Its length by the hub's clock: from the accept to the end of the grace.
        assert ended["accepted_at"] < ended["ended_at"]


# --- the real server -------------------------------------------------------------------


async def test_a_call_through_the_real_hub_process(demo_hub: RunningHub) -> None:
    """Over `python -m kiosk.hub --demo`: the always-on-call demo lawyer takes a duty call."""
    zhang = demo_hub.lawyer
    demo_hub.set_on_duty_now(zhang)
    _, token = demo_hub.enrol_terminal()
    with demo_hub.terminal_client(token) as terminal:
        assert terminal.get("/v1/ice-servers").json() == {"ice_servers": [], "ttl_s": 0}
    async with (
        await console_socket(demo_hub, zhang) as z,
        await terminal_socket(demo_hub, token) as kiosk,
    ):
        call = request(service=ServiceCode.DUTY_LAWYER)
        cid = str(call.consultation_id)
        await kiosk.send(call)
        queued = await kiosk.expect("call.queued")
        assert "张伟" in [e["name"] for e in queued["ringing"]]
        await z.until("call.ringing")
        await z.send(accept(call.consultation_id))
        await kiosk.expect("call.accepted")
        await kiosk.send(offer(call.consultation_id))
        assert (await z.until("sdp.offer"))["sdp"] == sdp("offer 1")
        await z.send(answer(call.consultation_id))
        await kiosk.expect("sdp.answer")
        await kiosk.send(HangUp(consultation_id=call.consultation_id))
        await kiosk.expect("call.ended", consultation_id=cid)
        await z.until("call.ended")
    assert "consultation " + cid + ": accepted -> ended" in demo_hub.log()
