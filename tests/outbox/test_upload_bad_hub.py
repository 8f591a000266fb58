"""The kiosk's uploader against the real hub behind a proxy that misbehaves, and offline.

Every scenario ends the same way: the proxy forwards again, the outbox drains,
and the hub holds every event exactly once, received in seq order (its admin
API for the counts and flags, its SQLite file read-only for which events and
in what order).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

from kiosk.api.client import HubClient
from kiosk.domain.codes import ServiceCode
from kiosk.domain.records import Requested
from kiosk.outbox import (
    ConsultationLog,
    Outbox,
    Sealer,
    Uploader,
    UploadState,
    UploadStatus,
    full_jitter,
)
from kiosk.outbox.upload import MAX_BACKOFF_S
from tests.outbox.faulty_proxy import Fault, FaultyProxy
from tests.outbox.hubside import (
    Made,
    Terminal,
    assert_hub_holds,
    made_in,
    record_by_api,
    union,
)
from tests.outbox.scenario import play
from tests.support.hub import RunningHub
from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[2]


def fast(attempt: int) -> float:
    return 0.05


@dataclass
class Run:
    uploader: Uploader
    statuses: list[UploadStatus] = field(default_factory=list)

    def errors(self) -> list[str]:
        return [s.last_error for s in self.statuses if s.state == UploadState.WAITING]


@asynccontextmanager
async def uploading(
    outbox: Outbox, url: str, token: str, *, timeout: float = 5.0,
    backoff: Callable[[int], float] = fast, lanes: int = 1,
) -> AsyncIterator[Run]:
    """One lane unless asked: a fault's story is then one request after another."""
    client = HubClient(url, token, timeout=timeout)
    statuses: list[UploadStatus] = []
    uploader = Uploader(outbox, lambda: client, on_status=statuses.append, backoff=backoff,
                        idle_poll_s=5.0, lanes=lanes)
    run = Run(uploader, statuses)
    uploader.start()
    try:
        yield run
    finally:
        await run.uploader.aclose()
        await client.aclose()


async def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.02)


async def drained(outbox: Outbox, run: Run, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if run.uploader.status.state == UploadState.IDLE and not await outbox.pending():
            return
        task = run.uploader._task
        assert task is not None and not task.done(), "the uploader stopped"
        assert time.monotonic() < deadline, f"not drained within {timeout} s: {run.errors()[-3:]}"
        await asyncio.sleep(0.02)


async def fill(outbox: Outbox, consultations: int, seed: int) -> dict[UUID, list[Made]]:
    rng = random.Random(seed)
    for _ in range(consultations):
        assert all(await play(ConsultationLog(outbox), rng))
    return await made_in(outbox)


@pytest.fixture
def proxy(demo_hub: RunningHub) -> Iterator[FaultyProxy]:
    address = urlsplit(demo_hub.base_url)
    assert address.hostname is not None and address.port is not None
    running = FaultyProxy(address.hostname, address.port).start()
    try:
        yield running
    finally:
        running.stop()


# --- backoff -------------------------------------------------------------------------------


def test_full_jitter_stays_within_its_exponential_step() -> None:
    asked: list[tuple[float, float]] = []

    def top(low: float, high: float) -> float:
        asked.append((low, high))
        return high

    assert [full_jitter(n, rng=top) for n in range(1, 12)] == [
        1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 300.0, 300.0
    ]
    assert all(low == 0.0 for low, _ in asked)
    assert full_jitter(0, rng=top) == 1.0
    assert full_jitter(3, first=0.5, cap=1.5, rng=top) == 1.5
    # A week offline: thousands of attempts; 2 ** attempt must not overflow a float.
    assert full_jitter(1025, rng=top) == MAX_BACKOFF_S
    assert full_jitter(10**6, rng=top) == MAX_BACKOFF_S
    rng = random.Random(7)
    draws = [full_jitter(4, rng=rng.uniform) for _ in range(2000)]
    assert 0.0 <= min(draws) < 0.1 and 7.9 < max(draws) <= 8.0


async def test_500s_are_waited_out_with_full_jitter(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    """The real `full_jitter` between tries, its draws taken from the bounds it asked for."""
    made = await fill(outbox, 2, seed=10)
    proxy.arm(Fault.ERROR_500, times=2)
    drawn: list[tuple[float, float, float]] = []

    def uniform(low: float, high: float) -> float:
        value = random.uniform(low, high)
        drawn.append((low, high, value))
        return value

    async with uploading(outbox, proxy.url, terminal.token,
                         backoff=functools.partial(full_jitter, rng=uniform)) as run:
        await drained(outbox, run)
    assert [(low, high) for low, high, _ in drawn] == [(0.0, 1.0), (0.0, 2.0)]
    puts = proxy.puts()
    assert [p.fault for p in puts[:3]] == [Fault.ERROR_500, Fault.ERROR_500, Fault.FORWARD]
    for (_, _, delay), before, after in zip(drawn, puts, puts[1:], strict=False):
        assert delay <= after.at - before.at < delay + 1.0
    assert any("500" in e for e in run.errors())
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_503_with_retry_after_is_honoured(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    made = await fill(outbox, 2, seed=11)
    proxy.arm(Fault.BUSY_503, times=1)
    async with uploading(outbox, proxy.url, terminal.token) as run:
        await drained(outbox, run)
    puts = proxy.puts()
    assert puts[0].fault == Fault.BUSY_503
    # Fast backoff (0.05 s) asked for, but the hub said 2 s: the next try came no sooner.
    waited = puts[1].at - puts[0].at
    assert 2.0 <= waited < 3.5, waited
    assert [s.next_attempt_in_s for s in run.statuses if s.state == UploadState.WAITING] == [2.0]
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_both_lanes_hold_for_the_hubs_retry_after(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    """Two consultations in flight at once; a 503 with Retry-After holds both lanes."""
    made = await fill(outbox, 6, seed=17)
    proxy.arm(Fault.BUSY_503, times=1)
    async with uploading(outbox, proxy.url, terminal.token, lanes=2) as run:
        await drained(outbox, run)
    puts = proxy.puts()
    refused = puts[0]
    assert refused.fault == Fault.BUSY_503
    # At most the other lane's request was already on its way; nothing else came sooner.
    early = [p for p in puts[1:] if p.at - refused.at < 2.0]
    assert len(early) <= 1, early
    assert any(p.at - refused.at >= 2.0 for p in puts[1:])
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_a_captive_portals_200_is_not_an_acknowledgement(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    made = await fill(outbox, 2, seed=12)
    events = sum(len(e) for e in made.values())
    proxy.arm(Fault.CAPTIVE_200, times=2)
    async with uploading(outbox, proxy.url, terminal.token, backoff=lambda n: 0.5) as run:
        await until(lambda: len(proxy.seen(Fault.CAPTIVE_200)) == 1
                    and run.uploader.status.state == UploadState.WAITING, 10, "first portal page")
        # The page said 200, yet nothing left the outbox and the hub has none of it.
        assert len(await outbox.pending()) == events
        assert all(record_by_api(demo_hub, cid) is None for cid in made)
        assert "not a valid RecordAck" in run.uploader.status.last_error
        await drained(outbox, run)
    assert len(proxy.seen(Fault.CAPTIVE_200)) == 2
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_an_answer_that_cannot_be_inflated_is_waited_out(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    """httpx raises its own DecodingError here, not a HubError: the uploader must go on."""
    made = await fill(outbox, 2, seed=18)
    proxy.arm(Fault.GARBLED_200, times=2)
    async with uploading(outbox, proxy.url, terminal.token) as run:
        await drained(outbox, run)
    assert len(proxy.seen(Fault.GARBLED_200)) == 2
    assert len(run.errors()) == 2
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_a_reset_after_the_hubs_commit_is_replayed_without_doubling(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    made = await fill(outbox, 3, seed=13)
    proxy.arm(Fault.RESET_AFTER_COMMIT, times=2)
    async with uploading(outbox, proxy.url, terminal.token) as run:
        await drained(outbox, run)
    resets = proxy.seen(Fault.RESET_AFTER_COMMIT)
    # The hub had stored them when the connection broke: the kiosk could not know.
    assert [r.upstream_status for r in resets] == [200, 200]
    puts = proxy.puts()
    assert puts[1].path == puts[0].path  # the same consultation again
    assert len(puts) == len(made) + 2
    errors = run.errors()
    assert len(errors) == 2
    assert all("ReadError" in e or "RemoteProtocolError" in e for e in errors), errors
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_a_timeout_after_the_hubs_commit_is_replayed_without_doubling(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal
) -> None:
    made = await fill(outbox, 2, seed=14)
    proxy.arm(Fault.HOLD_AFTER_COMMIT, times=1)  # held 3 s; the client gives up after 1 s
    async with uploading(outbox, proxy.url, terminal.token, timeout=1.0) as run:
        await drained(outbox, run)
    (held,) = proxy.seen(Fault.HOLD_AFTER_COMMIT)
    assert held.upstream_status == 200
    puts = proxy.puts()
    assert puts[1].path == held.path
    assert 1.0 <= puts[1].at - held.at < 2.5
    assert any("timed out" in e for e in run.errors())
    assert_hub_holds(demo_hub, terminal.id, made)


@pytest.mark.parametrize("fault", [Fault.REFUSE_400, Fault.REFUSE_422])
async def test_a_refused_consultation_is_parked_and_the_later_ones_drain(
    outbox: Outbox, proxy: FaultyProxy, demo_hub: RunningHub, terminal: Terminal, fault: Fault
) -> None:
    made = await fill(outbox, 3, seed=15)
    refused = (await outbox.pending())[0].consultation_id  # the oldest: it goes first
    proxy.arm(fault, times=1, path_contains=str(refused))
    async with uploading(outbox, proxy.url, terminal.token) as run:
        await drained(outbox, run)
        health = await outbox.refresh_health()
        assert health.parked == len(made[refused])
        assert health.needs_attention
        assert record_by_api(demo_hub, refused) is None
        assert_hub_holds(demo_hub, terminal.id, {c: e for c, e in made.items() if c != refused})
        # The technician's "send again", after the hub was fixed.
        assert await outbox.unpark() == len(made[refused])
        await drained(outbox, run)
    assert (await outbox.refresh_health()).parked == 0
    assert not run.errors(), "a refusal that lasts is parked, not retried"
    assert_hub_holds(demo_hub, terminal.id, made)


async def test_the_real_hubs_own_refusal_parks_only_that_consultation(
    outbox: Outbox, demo_hub: RunningHub, terminal: Terminal
) -> None:
    """No proxy: an event id another consultation holds is the hub's own 422."""
    first = await fill(outbox, 1, seed=16)
    async with uploading(outbox, demo_hub.base_url, terminal.token) as run:
        await drained(outbox, run)
    assert_hub_holds(demo_hub, terminal.id, first)
    # The hub has this id now; the outbox, having sent it, has forgotten it.
    ((taken_id, _),) = [e for e in next(iter(first.values())) if e[1] == 1]
    wrong = uuid.uuid4()
    reused = Requested(id=taken_id, seq=1, at=datetime.now(UTC), mono_s=0.0,
                       service=ServiceCode.LEGAL_AID)
    assert await outbox.append(wrong, [reused])
    later = await fill(outbox, 2, seed=17)
    del later[wrong]
    async with uploading(outbox, demo_hub.base_url, terminal.token) as run:
        await drained(outbox, run)
        assert (await outbox.refresh_health()).parked == 1
    assert not run.errors()
    assert record_by_api(demo_hub, wrong) is None
    assert_hub_holds(demo_hub, terminal.id, union(first, later))


# --- the kiosk's own disk refuses ----------------------------------------------------------


def test_the_uploader_outlives_a_disk_that_cannot_keep_the_acknowledgement(
    data_dir: Path, tmp_path: Path, demo_hub: RunningHub, terminal: Terminal
) -> None:
    """The hub took the events, the outbox cannot write their removal: wait, then again."""
    env = {**os.environ, "KIOSK_CREDENTIALS": "file"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.outbox.disk_child", "upload", str(data_dir),
         str(tmp_path / "keys" / "outbox.key"), demo_hub.base_url, terminal.token],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["appended"] == [True] * 6
    assert seen["waited"], seen
    assert any("outbox write failed" in e for e in seen["errors"]), seen["errors"]
    assert seen["alive_while_full"]
    assert seen["pending_while_full"] == 6
    assert seen["drained"] and seen["pending_after"] == 0
    cid = UUID(seen["consultation_id"])
    record = record_by_api(demo_hub, cid)
    assert record is not None and record["events"] == 6
    assert not {"sequence_gap", "conflicting_replay"} & set(record["flags"])


# --- a week offline ------------------------------------------------------------------------

WEEK_CONSULTATIONS = 350


@dataclass
class KioskClock:
    """Both clocks of a kiosk, 20 s on at each event (the log reads the wall clock first)."""

    wall0: datetime
    mono0: float
    step_s: float = 20.0
    ticks: int = 0

    def wall(self) -> datetime:
        return self.wall0 + timedelta(seconds=(self.ticks + 1) * self.step_s)

    def mono(self) -> float:
        self.ticks += 1
        return self.mono0 + self.ticks * self.step_s


async def test_a_week_offline_drains_whole_and_in_order(
    data_dir: Path, sealer: Sealer, demo_hub: RunningHub, terminal: Terminal
) -> None:
    """~350 consultations, ~2,600 events, made over a simulated week with no hub to reach."""
    box = Outbox(data_dir, sealer)
    await box.open()
    nowhere = HubClient(f"http://127.0.0.1:{free_port()}", terminal.token, timeout=2.0)
    hub = HubClient(demo_hub.base_url, terminal.token)
    link = {"client": nowhere}
    statuses: list[UploadStatus] = []
    uploader = Uploader(box, lambda: link["client"], on_status=statuses.append,
                        backoff=lambda n: 0.2)
    uploader.start()
    try:
        rng = random.Random(20)
        monday = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
        for n in range(WEEK_CONSULTATIONS):
            # Half an hour apart on the kiosk's clocks: the week the hub never heard of.
            clock = KioskClock(monday + timedelta(minutes=30 * n), 1000.0 + 1800.0 * n)
            log = ConsultationLog(box, wall=clock.wall, mono=clock.mono)
            assert all(await play(log, rng))
        made = await made_in(box)
        events = sum(len(e) for e in made.values())
        assert len(made) == WEEK_CONSULTATIONS and events > 2400
        health = await box.refresh_health()
        assert (health.pending, health.consultations) == (events, WEEK_CONSULTATIONS)
        # Trying or waiting (two lanes take turns at failing), never anything sent.
        assert uploader.status.state in (UploadState.WAITING, UploadState.SENDING)
        assert uploader.status.last_error
        assert uploader.status.sent_events == 0
        # Idle only before the first event came; after that, trying or waiting, never idle.
        states = [s.state for s in statuses]
        while states and states[0] == UploadState.IDLE:
            states.pop(0)
        assert set(states) <= {UploadState.SENDING, UploadState.WAITING}

        link["client"] = hub  # the link is back
        uploader.poke()
        started = time.monotonic()
        await drained(box, Run(uploader, statuses), timeout=60)
        took = time.monotonic() - started
        assert uploader.status.sent_events == events
    finally:
        await uploader.aclose()
        await nowhere.aclose()
        await hub.aclose()
        await box.aclose()
    assert_hub_holds(demo_hub, terminal.id, made)
    print(f"\na week offline: {events} events of {len(made)} consultations drained in {took:.1f} s")
