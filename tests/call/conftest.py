"""Fixtures for kiosk.call: quick settings, a scripted hub, a signaling client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kiosk.call.events import EventStream
from kiosk.call.settings import CallSettings
from kiosk.call.signal_client import SignalClient
from tests.call.fakehub import FakeHub

# Short timeouts so failures show quickly; no test asserts on how long anything took.
FAST = CallSettings(
    no_answer_timeout_s=60,
    connect_timeout_s=10,
    media_lost_after_s=1.0,
    media_rebuild_after_s=2.5,
    stats_interval_s=0.25,
)


@pytest.fixture
def events() -> EventStream:
    return EventStream()


@pytest.fixture
async def hub() -> AsyncIterator[FakeHub]:
    async with FakeHub() as running:
        yield running


@pytest.fixture
async def signal(hub: FakeHub, events: EventStream) -> AsyncIterator[SignalClient]:
    client = SignalClient(hub.url, hub.token, on_event=events, backoff_initial_s=0.05,
                          backoff_max_s=0.5)
    async with client:
        await client.wait_up(10)
        yield client
