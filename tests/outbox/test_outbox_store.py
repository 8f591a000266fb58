"""The outbox on the kiosk's disk: nothing appended is lost, nothing is kept twice.

Real SQLite files in a temporary directory; a full disk is made real too: a page
limit on the store's connection, or a file-size limit on a child process.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from kiosk.domain.codes import ServiceCode
from kiosk.domain.records import (
    CallbackRequested,
    Ended,
    EventKind,
    FallbackReason,
    FallbackTaken,
    MediaSummary,
    RecordEvent,
    Requested,
)
from kiosk.domain.signaling import EndReason, Party
from kiosk.outbox import ConsultationLog, MediaTally, Outbox, OutboxStore, Sealer, load_sealer
from kiosk.outbox.outbox import RESERVE_FILE
from kiosk.outbox.store import OUTBOX_FILE, NewEvent
from tests.outbox.scenario import PHONE_PREFIX, play

REPO = Path(__file__).resolve().parents[2]


def new_event(consultation_id: UUID, seq: int, body: bytes | None = None) -> NewEvent:
    return NewEvent(consultation_id, uuid.uuid4(), seq, body or f'{{"seq": {seq}}}'.encode())


def file_bytes(data_dir: Path) -> bytes:
    """The outbox as a thief with a copy of the directory would have it: file, WAL, index."""
    parts = []
    for suffix in ("", "-wal", "-shm"):
        path = data_dir / f"{OUTBOX_FILE}{suffix}"
        if path.exists():
            parts.append(path.read_bytes())
    return b"".join(parts)


def count_rows(path: Path, table: str = "events") -> int:
    """Counted through a connection of its own, as another process would find the file."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    finally:
        db.close()
    return int(count)


async def all_events(box: Outbox) -> list[RecordEvent]:
    batch = await box.next_batch(500)
    assert batch is not None
    return batch.events


# --- durability, replays, order ------------------------------------------------------------


async def test_appended_events_are_on_disk_and_survive_reopening(
    data_dir: Path, sealer: Sealer
) -> None:
    box = Outbox(data_dir, sealer)
    await box.open()
    log = ConsultationLog(box)
    done = await play(log, random.Random(1), fallback=False)
    assert done == [True] * 8
    # Committed when append returned, not merely cached by this connection.
    assert count_rows(data_dir / OUTBOX_FILE) == 8
    await box.aclose()

    again = Outbox(data_dir, sealer)
    health = await again.open()
    try:
        assert (health.pending, health.consultations, health.set_aside) == (8, 1, ())
        events = await all_events(again)
        assert [e.seq for e in events] == list(range(1, 9))
        assert [e.kind for e in events] == [
            EventKind.REQUESTED, EventKind.RINGING, EventKind.RINGING, EventKind.ANSWERED,
            EventKind.MEDIA_CONNECTED, EventKind.RECONNECTED, EventKind.ENDED, EventKind.RATED,
        ]
        # A reopened outbox goes on after the old rows, not among them.
        later = ConsultationLog(again)
        assert await later.requested(ServiceCode.MEDIATION, None)
        stored = await again.pending()
        assert [s.consultation_id for s in stored][-1] == later.consultation_id
        assert stored[-1].pos > max(s.pos for s in stored[:-1])
    finally:
        await again.aclose()


def test_the_same_event_ids_again_are_kept_once(tmp_path: Path) -> None:
    store = OutboxStore(tmp_path / OUTBOX_FILE)
    try:
        cid = uuid.uuid4()
        first, second, third = (new_event(cid, seq) for seq in (1, 2, 3))
        store.append([first, second])
        store.append([first, second])  # a retry after an error whose commit did land
        store.append([second, third])  # part old, part new: the new one must not be lost
        pending = store.pending()
        assert [p.event_id for p in pending] == [first.event_id, second.event_id, third.event_id]
        assert [p.body for p in pending] == [first.body, second.body, third.body]
    finally:
        store.close()


async def test_an_event_appended_twice_through_the_outbox_is_sent_once(outbox: Outbox) -> None:
    cid = uuid.uuid4()
    event = Requested(id=uuid.uuid4(), seq=1, at=datetime.now(UTC), mono_s=0.0,
                      service=ServiceCode.LEGAL_AID)
    assert await outbox.append(cid, [event])
    assert await outbox.append(cid, [event])
    batch = await outbox.next_batch(500)
    assert batch is not None and batch.events == [event]


def test_next_batch_is_the_oldest_consultation_in_seq_order(tmp_path: Path) -> None:
    store = OutboxStore(tmp_path / OUTBOX_FILE)
    try:
        a, b = uuid.uuid4(), uuid.uuid4()
        a1, b1, a3, a2 = new_event(a, 1), new_event(b, 1), new_event(a, 3), new_event(a, 2)
        for event in (a1, b1, a3, a2):
            store.append([event])
        batch = store.next_batch(10)
        assert [(e.consultation_id, e.seq) for e in batch] == [(a, 1), (a, 2), (a, 3)]
        assert [e.event_id for e in store.next_batch(2)] == [a1.event_id, a2.event_id]

        assert store.acknowledge([a1.event_id, a2.event_id]) == 2
        # a's first event is gone, so b's waits longest now.
        assert [e.event_id for e in store.next_batch(10)] == [b1.event_id]
        assert [e.event_id for e in store.pending()] == [b1.event_id, a3.event_id]
        assert store.acknowledge([uuid.uuid4()]) == 0
        assert store.acknowledge([]) == 0
        assert store.acknowledge([a1.event_id]) == 0  # already gone: nothing else goes with it
        assert len(store.pending()) == 2
        assert store.acknowledge([b1.event_id, a3.event_id]) == 2
        assert store.next_batch(10) == []
    finally:
        store.close()


def test_a_parked_consultation_is_kept_aside_and_comes_back_first(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    store = OutboxStore(path)
    try:
        a, b = uuid.uuid4(), uuid.uuid4()
        for event in (new_event(a, 1), new_event(b, 1), new_event(a, 2), new_event(b, 2)):
            store.append([event])
        assert store.park(a, "the hub refused: 422 bad seq") == 2
        assert [e.consultation_id for e in store.next_batch(10)] == [b, b]
        status = store.status()
        assert (status.pending, status.consultations, status.parked) == (2, 1, 2)
        assert count_rows(path, "parked") == 2
        db = sqlite3.connect(path)
        try:
            reasons = {r for (r,) in db.execute("SELECT reason FROM parked")}
        finally:
            db.close()
        assert reasons == {"the hub refused: 422 bad seq"}
        assert store.park(a, "again") == 0  # nothing of a is pending any more

        assert store.unpark() == 2
        assert store.status().parked == 0
        # Back in its old place: a's events waited longest, so they go first again.
        assert [(e.consultation_id, e.seq) for e in store.next_batch(10)] == [(a, 1), (a, 2)]
        assert len(store.pending()) == 4
    finally:
        store.close()


# --- damaged files -------------------------------------------------------------------------


async def test_a_file_of_garbage_is_set_aside_and_a_new_outbox_works(
    data_dir: Path, sealer: Sealer
) -> None:
    garbage = b"<html>not an outbox</html>\n" * 400
    (data_dir / OUTBOX_FILE).write_bytes(garbage)
    box = Outbox(data_dir, sealer)
    health = await box.open()
    try:
        assert len(health.set_aside) == 1
        aside = Path(health.set_aside[0])
        assert aside.parent == data_dir and aside.name != OUTBOX_FILE
        assert aside.read_bytes() == garbage
        assert health.needs_attention
        assert health.pending == 0
        log = ConsultationLog(box)
        assert await log.requested(ServiceCode.LEGAL_AID, None)
        assert [e.seq for e in await all_events(box)] == [1]
    finally:
        await box.aclose()


def rows_in(aside: Path) -> int:
    """Rows a scan of the damaged file gives before it meets the missing pages."""
    db = sqlite3.connect(f"file:{aside}?mode=ro", uri=True)
    db.execute("PRAGMA writable_schema=ON")
    count = 0
    try:
        # All columns, as the salvage reads them: `pos` alone would scan an index instead.
        for _ in db.execute("SELECT pos, consultation_id, event_id, body FROM events"):
            count += 1
    except sqlite3.DatabaseError:
        pass
    finally:
        db.close()
    return count


async def test_a_truncated_file_is_set_aside_and_its_readable_rows_salvaged(
    tmp_path: Path, sealer: Sealer
) -> None:
    """Cut off at a page boundary and at many places inside the page after it.

    A page's cells are written from its end backwards, so a cut inside a page tears
    its first rows: a body (decoded later, set aside as unreadable), or the ids
    themselves (such a row cannot even be named, and must not stop the queue).
    """
    made = tmp_path / "made"
    made.mkdir()
    box = Outbox(made, sealer)
    await box.open()
    rng = random.Random(2)
    start = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC)
    for _ in range(20):
        # Fixed clocks, so the rows, and where a cut tears them, are the same on every run.
        log = ConsultationLog(box, wall=lambda: start, mono=lambda: 100.0)
        assert all(await play(log, rng, fallback=False))
    original = {s.event_id: s for s in await box.pending()}
    await box.aclose()  # the last connection folds the WAL in: the file is the whole outbox
    assert not (made / f"{OUTBOX_FILE}-wal").exists()
    whole = (made / OUTBOX_FILE).read_bytes()
    assert len(whole) > 10 * 4096

    torn_bodies = ids_left_behind = 0
    for cut in range(0, 4096, 128):
        data_dir = tmp_path / f"cut-{cut}"
        data_dir.mkdir()
        half = whole[: len(whole) // 2 // 4096 * 4096 + cut]
        (data_dir / OUTBOX_FILE).write_bytes(half)
        again = Outbox(data_dir, sealer)
        health = await again.open()
        try:
            assert len(health.set_aside) == 1
            aside = Path(health.set_aside[0])
            assert aside.read_bytes() == half
            salvaged = await again.pending()
            # About half the rows live in the half that is left.
            assert len(original) // 4 < len(salvaged) < len(original), cut
            ids_left_behind += rows_in(aside) - len(salvaged)
            torn = [s for s in salvaged if s != original.get(s.event_id)]
            assert len(torn) <= 20, "more rows differ than one page holds"
            for item in torn:
                # Only a body can be torn and still be copied: its ids are whole.
                assert original[item.event_id].consultation_id == item.consultation_id
                assert item.body != original[item.event_id].body

            # The uploader's view: every readable event as it was made, the torn set aside.
            sent: set[UUID] = set()
            while (batch := await again.next_batch(500)) is not None:
                for item in batch.stored:
                    assert item == original[item.event_id]
                sent |= {e.id for e in batch.events}
                acked = await again.acknowledge(batch, {e.id for e in batch.events})
                assert acked == len(batch.events)
            health = await again.refresh_health()
            assert len(sent) + health.parked == len(salvaged)
            assert (health.parked > 0) == bool(torn)
            torn_bodies += len(torn)

            log = ConsultationLog(again)
            assert await log.requested(ServiceCode.LEGAL_AID, None)
            assert len(await again.pending()) == 1
        finally:
            await again.aclose()
    # Both kinds of tear happened among the cuts: the checks above met each.
    assert torn_bodies > 0
    assert ids_left_behind > 0


def test_two_files_set_aside_within_one_second_are_both_kept(tmp_path: Path) -> None:
    path = tmp_path / OUTBOX_FILE
    # Start early in a second (the monotonic sleep may wake a little before the wall clock's
    # next second), so that both land in it.
    time.sleep(1.05 - time.time() % 1)
    kept: list[str] = []
    for garbage in (b"first damaged outbox " * 300, b"second damaged outbox " * 300):
        path.write_bytes(garbage)
        store = OutboxStore(path)
        kept.extend(store.set_aside)
        store.close()
    assert len(set(kept)) == 2
    assert Path(kept[0]).read_bytes().startswith(b"first damaged")
    assert Path(kept[1]).read_bytes().startswith(b"second damaged")


# --- a full disk ---------------------------------------------------------------------------


async def _on_store_thread(box: Outbox, sql: str) -> Any:
    """Run `sql` on the outbox's own connection, which lives on the outbox's worker thread."""
    store = box._store
    assert store is not None
    return await box._run(lambda: store._db.execute(sql).fetchone())


async def test_a_full_database_keeps_events_in_memory_until_there_is_room(
    data_dir: Path, outbox: Outbox
) -> None:
    log = ConsultationLog(outbox)
    assert all(await play(log, random.Random(3), fallback=False))
    (pages,) = await _on_store_thread(outbox, "PRAGMA page_count")
    await _on_store_thread(outbox, f"PRAGMA max_page_count={pages}")
    assert (data_dir / RESERVE_FILE).exists()

    # The pages there are have some room left: appends fit until one needs a new page.
    fitted = 0
    while await log.ringing(fitted):
        fitted += 1
        assert fitted < 200, "the page limit never bit"
    health = outbox.health
    assert (health.unsaved, health.disk_full, health.reserve_used) == (1, True, True)
    assert "full" in health.problem
    assert health.needs_attention
    # The reserve went first, though it could not help with this limit.
    assert not (data_dir / RESERVE_FILE).exists()
    assert not await log.ringing(99)
    assert not await log.ended(Party.TERMINAL, EndReason.HUNG_UP)
    assert outbox.health.unsaved == 3
    assert count_rows(data_dir / OUTBOX_FILE) == 8 + fitted

    await _on_store_thread(outbox, "PRAGMA max_page_count=1073741823")
    assert await log.rated(4)
    health = outbox.health
    assert (health.unsaved, health.disk_full) == (0, False)
    stored = await outbox.pending()
    total = 8 + fitted + 4
    assert count_rows(data_dir / OUTBOX_FILE) == total
    # In the order they were made: seq and position agree, no hole, nothing twice.
    assert [s.seq for s in stored] == list(range(1, total + 1))
    assert [s.pos for s in stored] == sorted(s.pos for s in stored)
    events = await all_events(outbox)
    assert [e.kind for e in events][-4:] == [
        EventKind.RINGING, EventKind.RINGING, EventKind.ENDED, EventKind.RATED
    ]


def run_disk_child(*args: str) -> dict[str, Any]:
    env = {**os.environ, "KIOSK_CREDENTIALS": "file"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.outbox.disk_child", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_a_file_size_limit_keeps_events_in_memory_and_the_retry_writes_them(
    data_dir: Path, tmp_path: Path
) -> None:
    seen = run_disk_child("store", str(data_dir), str(tmp_path / "keys" / "outbox.key"))
    assert seen["before"] == [True, True]
    assert seen["reserve_before"]
    assert seen["first_refused"] is False
    assert seen["health_first"]["unsaved"] == 1
    assert seen["health_first"]["disk_full"] is True
    assert seen["health_first"]["reserve_used"] is True
    assert seen["health_first"]["problem"]
    assert seen["reserve_while_full"] is False
    assert seen["more_refused"] == [False, False]
    assert seen["unsaved_while_full"] == 3
    assert seen["on_disk_while_full"] == 2
    # Room again, and no new event to carry them: the outbox's own retry wrote them.
    assert seen["retried"]
    assert seen["health_after"] == {
        "unsaved": 0, "disk_full": False, "reserve_used": False, "problem": ""
    }
    assert seen["reserve_after"]
    assert seen["on_disk_after"] == 5
    assert [seq for seq, _ in seen["pending"]] == [1, 2, 3, 4, 5]
    positions = [pos for _, pos in seen["pending"]]
    assert positions == sorted(positions)


# --- the callback number -------------------------------------------------------------------


async def test_a_callback_number_is_sealed_on_disk_and_gone_after_the_hub_has_it(
    data_dir: Path, outbox: Outbox
) -> None:
    phone = f"{PHONE_PREFIX}12345678"
    digits = phone.lstrip("+").encode()
    log = ConsultationLog(outbox)
    assert await log.requested(ServiceCode.LEGAL_AID, None)
    assert await log.fallback(FallbackReason.ALL_BUSY)
    assert await log.callback(phone)
    assert await log.rated(0)

    on_disk = file_bytes(data_dir)
    assert digits not in on_disk and digits[-8:] not in on_disk
    db = sqlite3.connect(f"file:{data_dir / OUTBOX_FILE}?mode=ro", uri=True)
    try:
        (sealed,) = db.execute("SELECT body FROM events WHERE sealed = 1").fetchone()
    finally:
        db.close()
    # The search can find what is there: the sealed bytes themselves are.
    assert bytes(sealed) in on_disk

    batch = await outbox.next_batch(500)
    assert batch is not None
    callbacks = [e for e in batch.events if isinstance(e, CallbackRequested)]
    assert [c.phone for c in callbacks] == [phone]
    assert [e.seq for e in batch.events] == [1, 2, 3, 4]

    assert await outbox.acknowledge(batch, {e.id for e in batch.events}) == 4
    after = file_bytes(data_dir)
    chunks = {bytes(sealed[i : i + 12]) for i in range(0, len(sealed) - 12, 4)}
    assert not [c for c in chunks if c in after], "sealed bytes left in the outbox files"
    assert digits not in after


async def test_purging_freed_pages_overwrites_a_deleted_sealed_row(
    data_dir: Path, outbox: Outbox
) -> None:
    """The same through the store alone: acknowledge, then purge."""
    log = ConsultationLog(outbox)
    assert await log.callback(f"{PHONE_PREFIX}87654321")
    batch = await outbox.next_batch(10)
    assert batch is not None
    sealed = batch.stored[0].body
    store = outbox._store
    assert store is not None
    assert await outbox._run(store.acknowledge, [batch.stored[0].event_id]) == 1
    # Deleted but not yet purged: the WAL still holds the page with the row.
    assert sealed in file_bytes(data_dir)
    await outbox._run(store.purge_freed_pages)
    assert sealed not in file_bytes(data_dir)


async def test_numbers_sealed_with_a_lost_key_are_parked_and_the_rest_still_goes(
    data_dir: Path, sealer: Sealer, tmp_path: Path
) -> None:
    """A key lost (the keyring wiped): many unreadable consultations in a row, then one fine."""
    box = Outbox(data_dir, sealer)
    await box.open()
    for _ in range(1100):
        assert await ConsultationLog(box).callback(f"{PHONE_PREFIX}11112222")
    readable = ConsultationLog(box)
    assert await readable.requested(ServiceCode.LEGAL_AID, None)
    await box.aclose()

    other_key = Outbox(data_dir, load_sealer(tmp_path / "new-key", use_keyring=False))
    await other_key.open()
    try:
        batch = await other_key.next_batch(500)
        assert batch is not None and batch.consultation_id == readable.consultation_id
        health = await other_key.refresh_health()
        assert (health.parked, health.pending) == (1100, 1)
    finally:
        await other_key.aclose()


# --- the consultation's log ----------------------------------------------------------------


async def test_the_log_numbers_stamps_and_notices_a_clock_jump(outbox: Outbox) -> None:
    start = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    # (wall offset s, monotonic s): drift under 2 s is no jump; an hour forward, then back.
    ticks = [(0.0, 1000.0), (1.0, 1001.0), (3.5, 1002.0), (3605.5, 1004.0), (3305.75, 1004.25)]
    walls = iter(start + timedelta(seconds=w) for w, _ in ticks)
    monos = iter(m for _, m in ticks)
    jumps: list[float] = []
    log = ConsultationLog(outbox, wall=lambda: next(walls), mono=lambda: next(monos),
                          on_clock_jump=jumps.append)
    assert await log.requested(ServiceCode.DUTY_LAWYER, 12)
    assert await log.ringing(0)
    assert await log.ringing(0)
    assert await log.fallback(FallbackReason.NO_ANSWER)
    assert await log.rated(2)

    events = await all_events(outbox)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.at for e in events] == [start + timedelta(seconds=w) for w, _ in ticks]
    assert [e.mono_s for e in events] == [0.0, 1.0, 2.0, 4.0, 4.25]
    assert [e.clock_jump_s for e in events] == [0.0, 0.0, 0.0, 3600.0, -300.0]
    assert jumps == [3600.0, -300.0]
    assert log.kinds == ["requested", "ringing", "ringing", "fallback", "rated"]
    assert isinstance(events[3], FallbackTaken) and events[3].media is None


async def test_two_logs_number_their_own_consultations(outbox: Outbox) -> None:
    first, second = ConsultationLog(outbox), ConsultationLog(outbox)
    assert first.consultation_id != second.consultation_id
    assert await first.requested(ServiceCode.LEGAL_AID, None)
    assert await second.requested(ServiceCode.LEGAL_AID, None)
    assert await first.ringing(1)
    stored = await outbox.pending()
    assert [(s.consultation_id, s.seq) for s in stored] == [
        (first.consultation_id, 1), (second.consultation_id, 1), (first.consultation_id, 2)
    ]


def test_the_media_tally_sums_the_seconds_of_a_call() -> None:
    tally = MediaTally()
    assert tally.summary() == MediaSummary(
        seconds_with_media=0.0, send_kbps_mean=0.0, recv_kbps_mean=0.0, freezes=0,
        relay_used=False, reconnects=0, audio_only_seconds=0.0,
    )
    samples: list[dict[str, Any]] = [
        dict(seconds=1, send_kbps=500, recv_kbps=600, fps_in=15, relay=False, audio_only=False),
        # The picture stops: a freeze.
        dict(seconds=1, send_kbps=700, recv_kbps=800, fps_in=0.5, relay=False, audio_only=False),
        # Still stopped: the same freeze.
        dict(seconds=1, send_kbps=600, recv_kbps=700, fps_in=0, relay=None, audio_only=False),
        dict(seconds=1, send_kbps=600, recv_kbps=700, fps_in=20, relay=None, audio_only=False),
        # Audio only through the relay for two seconds: not a freeze.
        dict(seconds=2, send_kbps=100, recv_kbps=50, fps_in=0, relay=True, audio_only=True),
        # Nothing received: no media second, and the picture counts as stopped.
        dict(seconds=1, send_kbps=600, recv_kbps=0, fps_in=0, relay=None, audio_only=False),
        dict(seconds=1, send_kbps=600, recv_kbps=700, fps_in=12, relay=None, audio_only=False),
        dict(seconds=1, send_kbps=600, recv_kbps=700, fps_in=0, relay=False, audio_only=False),
    ]
    for sample in samples:
        tally.sample(**sample)
    tally.reconnects = 1
    assert tally.summary() == MediaSummary(
        seconds_with_media=8.0,
        send_kbps_mean=round((500 + 700 + 600 + 600 + 2 * 100 + 600 + 600) / 8, 1),
        recv_kbps_mean=round((600 + 800 + 700 + 700 + 2 * 50 + 700 + 700) / 8, 1),
        freezes=2, relay_used=True, reconnects=1, audio_only_seconds=2.0,
    )


async def test_the_ended_event_carries_the_tally(outbox: Outbox) -> None:
    log = ConsultationLog(outbox)
    assert await log.requested(ServiceCode.LEGAL_AID, None)
    for _ in range(3):
        log.tally.sample(seconds=1.0, send_kbps=300.0, recv_kbps=400.0, fps_in=15.0,
                         relay=True, audio_only=False)
    assert await log.reconnected(0)  # an attempt number below 1 is recorded as 1
    assert await log.ended(Party.EXPERT, EndReason.HUNG_UP)
    events = await all_events(outbox)
    ended = events[-1]
    assert isinstance(ended, Ended)
    assert ended.media == MediaSummary(
        seconds_with_media=3.0, send_kbps_mean=300.0, recv_kbps_mean=400.0, freezes=0,
        relay_used=True, reconnects=1, audio_only_seconds=0.0,
    )
    assert [e.kind for e in events] == [EventKind.REQUESTED, EventKind.RECONNECTED,
                                        EventKind.ENDED]


@pytest.mark.parametrize("with_media", [False, True])
async def test_a_fallback_carries_media_only_when_there_was_some(
    outbox: Outbox, with_media: bool
) -> None:
    log = ConsultationLog(outbox)
    if with_media:
        log.tally.sample(seconds=2.0, send_kbps=100.0, recv_kbps=100.0, fps_in=10.0,
                         relay=False, audio_only=False)
    assert await log.fallback(FallbackReason.MEDIA_LOST)
    (event,) = await all_events(outbox)
    assert isinstance(event, FallbackTaken)
    assert (event.media is not None) == with_media
