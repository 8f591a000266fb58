"""P6: the session-record outbox: durable appends per second, and events per second drained.

Appends: `Outbox.append` one event per call, as a consultation makes them
(`ConsultationLog`, each append awaited before the next), with the outbox's
`synchronous=FULL`, beside the same appends with `synchronous=OFF` (no fsync:
what the disk itself costs). Drained: the `Uploader` sending a full outbox to the
real hub on loopback, beside a plain httpx loop PUTting the same kind of
consultations to the same hub without an outbox.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from pathlib import Path
from uuid import UUID

import httpx

from kiosk.api.client import HubClient
from kiosk.domain.records import RecordEvent, RecordUpload
from kiosk.outbox import ConsultationLog, Outbox, Uploader, UploadStatus, load_sealer
from tests.bench.report import Row, record
from tests.outbox.scenario import play
from tests.support.hub import RunningHub

APPEND_CONSULTATIONS = 150  # about 1,100 appends a round
DRAIN_CONSULTATIONS = 600
ROUNDS = 3
DRAIN_ROUNDS = 2


async def open_outbox(data_dir: Path, synchronous: str) -> Outbox:
    box = Outbox(data_dir, load_sealer(data_dir.parent / "outbox.key", use_keyring=False))
    await box.open()
    if synchronous != "FULL":
        store = box._store
        assert store is not None
        # The connection lives on the outbox's worker thread; the pragma is per connection.
        await box._run(store._db.execute, f"PRAGMA synchronous={synchronous}")
    return box


async def appends_per_s(data_dir: Path, synchronous: str) -> tuple[float, int]:
    box = await open_outbox(data_dir, synchronous)
    rng = random.Random(6)
    try:
        appended = 0
        started = time.perf_counter()
        for _ in range(APPEND_CONSULTATIONS):
            done = await play(ConsultationLog(box), rng)
            assert all(done)
            appended += len(done)
        took = time.perf_counter() - started
    finally:
        await box.aclose()
    return appended / took, appended


async def fill(box: Outbox, seed: int) -> int:
    rng = random.Random(seed)
    total = 0
    for _ in range(DRAIN_CONSULTATIONS):
        # One in six reached nobody and left a callback number (sealed: purged once sent).
        done = await play(ConsultationLog(box), rng, fallback=rng.random() < 1 / 6)
        assert all(done)
        total += len(done)
    return total


async def drained_per_s(
    data_dir: Path, hub: RunningHub, token: str, seed: int
) -> tuple[float, int]:
    box = await open_outbox(data_dir, "FULL")
    events = await fill(box, seed)
    client = HubClient(hub.base_url, token)
    done = asyncio.Event()

    def on_status(status: UploadStatus) -> None:
        if status.sent_events >= events:
            done.set()

    uploader = Uploader(box, lambda: client, on_status=on_status)
    try:
        started = time.perf_counter()
        uploader.start()
        await asyncio.wait_for(done.wait(), 300)
        took = time.perf_counter() - started
        assert not await box.pending()
    finally:
        await uploader.aclose()
        await client.aclose()
        await box.aclose()
    return events / took, events


async def anchor_per_s(data_dir: Path, hub: RunningHub, token: str, seed: int) -> float:
    """The same kind of events, made into an outbox first only to have them in hand."""
    box = await open_outbox(data_dir, "FULL")
    events = await fill(box, seed)
    uploads: list[tuple[UUID, list[RecordEvent]]] = []
    while (batch := await box.next_batch(500)) is not None:
        uploads.append((batch.consultation_id, batch.events))
        await box.acknowledge(batch, {e.id for e in batch.events})
    await box.aclose()
    assert sum(len(e) for _, e in uploads) == events
    async with httpx.AsyncClient(
        base_url=hub.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10.0
    ) as http:
        started = time.perf_counter()
        for consultation_id, batch_events in uploads:
            body = RecordUpload(events=batch_events).model_dump_json().encode()
            response = await http.put(f"/v1/records/{consultation_id}", content=body,
                                      headers={"Content-Type": "application/json"})
            assert response.status_code == 200, response.text
        took = time.perf_counter() - started
    return events / took


def test_p6_outbox(tmp_path: Path, demo_hub: RunningHub) -> None:
    _, token = demo_hub.enrol_terminal()
    full: list[float] = []
    off: list[float] = []
    per_round = 0
    for n in range(ROUNDS):
        rate, per_round = asyncio.run(appends_per_s(tmp_path / f"full-{n}" / "kiosk", "FULL"))
        full.append(rate)
        off.append(asyncio.run(appends_per_s(tmp_path / f"off-{n}" / "kiosk", "OFF"))[0])
    ours_drain: list[float] = []
    anchor_drain: list[float] = []
    events = 0
    for n in range(DRAIN_ROUNDS):
        # Alternating, so a hub that slows as its tables grow weighs on both alike.
        anchor_drain.append(asyncio.run(
            anchor_per_s(tmp_path / f"anchor-{n}" / "kiosk", demo_hub, token, seed=100 + n)))
        rate, events = asyncio.run(
            drained_per_s(tmp_path / f"drain-{n}" / "kiosk", demo_hub, token, seed=200 + n))
        ours_drain.append(rate)
    full_s, off_s = statistics.median(full), statistics.median(off)
    ours_s, anchor_s = statistics.median(ours_drain), statistics.median(anchor_drain)
    # Time per item, ours over anchor, like the other rows' ratios; the worse of the two.
    append_ratio, drain_ratio = off_s / full_s, anchor_s / ours_s
    table = record(
        Row("P6", "outbox: durable appends/s / events drained to the hub/s",
            f"{full_s:,.0f} / {ours_s:,.0f}", f"{off_s:,.0f} / {anchor_s:,.0f}",
            max(append_ratio, drain_ratio)),
        f"goals: >= 500 appends/s (FULL) and >= 1,000 events/s drained; the ratio is the "
        f"worse of the two (appends {append_ratio:.2f}, drained {drain_ratio:.2f}), time per "
        f"item ours over anchor. Appends: median of {ROUNDS} rounds each, alternating, of "
        f"{per_round} `Outbox.append` calls of one event each, as {APPEND_CONSULTATIONS} "
        "consultations make them (`ConsultationLog`: requested, ringing ×2, then answered, "
        "media_connected, reconnected, ended, rated, or for 30 % fallback, a sealed callback "
        "number, rated), each awaited before the next (the screen waits for it), into a new "
        "outbox in a temporary directory on this machine's disk; ours with the outbox's WAL "
        "and `synchronous=FULL` (kept when it returns, through a power cut); anchor: the same "
        "with `synchronous=OFF` (no fsync: what durability costs on this disk). Drained: "
        f"median of {DRAIN_ROUNDS} rounds each, alternating, of {DRAIN_CONSULTATIONS} "
        f"consultations ({events:,} events; one in six with a sealed callback number) to the "
        "real hub (`python -m kiosk.hub --demo`, SQLite) on loopback, from a full outbox, the "
        "`Uploader`'s start to its last acknowledgement kept (one `PUT /v1/records/{id}` a "
        "consultation, its events removed from the outbox after the hub's answer, the freed "
        "pages purged after a sealed one); anchor: consultations made the same way PUT one after "
        "another by a plain `httpx.AsyncClient` loop, no outbox.",
    )
    print("\n" + table)
    assert full_s > 0 and ours_s > 0
