"""The terminal's signaling socket against a real local websockets server."""

from __future__ import annotations

import asyncio
import json
import uuid

from kiosk.call.events import EventStream, LinkChanged
from kiosk.call.signal_client import SignalClient, signal_url
from kiosk.domain.signaling import CallCancel, Queued, ToTerminal
from tests.call.fakehub import EXPERT, FakeHub


def test_signal_url() -> None:
    assert signal_url("https://hub.example.org/") == "wss://hub.example.org/v1/signal/terminal"
    assert signal_url("http://127.0.0.1:8348") == "ws://127.0.0.1:8348/v1/signal/terminal"


async def test_bearer_token_pings_and_messages() -> None:
    events = EventStream()
    got: list[ToTerminal] = []
    async with FakeHub() as hub:
        client = SignalClient(hub.url, lambda: hub.token, on_event=events, ping_interval_s=0.05)
        unsubscribe = client.subscribe(got.append)
        async with client:
            await client.wait_up(10)
            assert hub.auth_headers == [f"Bearer {hub.token}"]
            await hub.wait_message("ping", count=3)  # ping on its own; the hub's pong is eaten
            cid = uuid.uuid4()
            await hub.send(Queued(consultation_id=cid, position=2, estimated_wait_s=600,
                                  ringing=[EXPERT]))
            async with asyncio.timeout(10):
                while not got:
                    await asyncio.sleep(0.01)
            assert isinstance(got[0], Queued) and got[0].position == 2
            unsubscribe()
            await hub.send(Queued(consultation_id=cid, position=1, estimated_wait_s=0,
                                  ringing=[]))
            await asyncio.sleep(0.1)
            assert len(got) == 1
        assert [e.up for e in events.of(LinkChanged)] == [True, False]


async def test_garbage_is_counted_and_dropped() -> None:
    garbage: list[str | bytes] = ["{", b"\x00", '{"type":"nope"}', "null"]
    async with FakeHub(on_connect=garbage) as hub, SignalClient(hub.url, hub.token) as client:
        await client.wait_up(10)
        async with asyncio.timeout(10):
            while client.refused < 4:
                await asyncio.sleep(0.01)
        # still connected and still working
        await client.send(CallCancel(consultation_id=uuid.uuid4()))
        await hub.wait_message("call.cancel")
        assert client.up and hub.connections == 1


async def test_reconnects_and_sends_what_was_kept() -> None:
    events = EventStream()
    async with FakeHub() as hub:
        client = SignalClient(hub.url, hub.token, on_event=events, backoff_initial_s=0.05,
                              backoff_max_s=0.2)
        async with client:
            await client.wait_up(10)
            await hub.drop()
            await events.wait_for(LinkChanged, lambda e: not e.up)
            cid = uuid.uuid4()
            sent_now = await client.send(CallCancel(consultation_id=cid), keep=True)
            await hub.wait_for(lambda: hub.connections == 2)
            cancel = await hub.wait_message("call.cancel")
            assert cancel["consultation_id"] == str(cid)
            assert sent_now is False  # the link was down: kept, not sent


async def test_a_refused_token_backs_off() -> None:
    async with FakeHub(token="right") as hub:
        client = SignalClient(hub.url, "wrong", backoff_initial_s=0.01, auth_backoff_s=0.3)
        async with client:
            await hub.wait_for(lambda: len(hub.auth_headers) >= 2, timeout=10)
            assert not client.up and "401" in client.last_close
            await asyncio.sleep(0.2)
            # one try per auth_backoff_s, not one per backoff_initial_s
            assert len(hub.auth_headers) <= 3
        assert json.dumps(hub.received) == "[]"
