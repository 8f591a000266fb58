"""A kiosk process whose disk fills up under it: `RLIMIT_FSIZE`, which only a child may take.

    python -m tests.outbox.disk_child store DATA_DIR KEY_FILE
    python -m tests.outbox.disk_child upload DATA_DIR KEY_FILE HUB_URL TOKEN

A file-size limit makes every write past it fail with EFBIG (SIGXFSZ ignored,
as a kiosk must), as a full disk or a quota would; the limit is lowered to the
size the WAL has, so the next write of the outbox fails, and raised again
later. Prints one JSON line of what it saw; the test judges it.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import kiosk.outbox.outbox as outbox_module
from kiosk.domain.codes import ExpertGroup, ServiceCode
from kiosk.domain.signaling import EndReason, Party
from kiosk.outbox import ConsultationLog, Outbox, Uploader, UploadState, load_sealer
from kiosk.outbox.outbox import RESERVE_FILE

RESERVE_BYTES = 256 * 1024


def _limit_writes_to_now(data_dir: Path) -> int:
    limit = (data_dir / "outbox.sqlite3-wal").stat().st_size
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    return limit


def _lift_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))


def _rows_on_disk(data_dir: Path) -> int:
    """What another process would find in the file now."""
    db = sqlite3.connect(f"file:{data_dir / 'outbox.sqlite3'}?mode=ro", uri=True)
    try:
        (count,) = db.execute("SELECT COUNT(*) FROM events").fetchone()
    finally:
        db.close()
    return int(count)


async def _until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return bool(check())


async def store(data_dir: Path, key_file: Path) -> dict[str, Any]:
    # The retry of events kept in memory waits 15 s on a kiosk; the test has no 15 s to spare.
    outbox_module.RETRY_UNSAVED_S = 0.2
    box = Outbox(data_dir, load_sealer(key_file), reserve_bytes=RESERVE_BYTES)
    await box.open()
    log = ConsultationLog(box)
    seen: dict[str, Any] = {}
    seen["before"] = [await log.requested(ServiceCode.LEGAL_AID, None), await log.ringing(1)]
    seen["reserve_before"] = (data_dir / RESERVE_FILE).exists()
    seen["limit"] = _limit_writes_to_now(data_dir)
    seen["first_refused"] = await log.answered(7, ExpertGroup.LAWYER, "张伟")
    first = box.health
    seen["health_first"] = {
        "unsaved": first.unsaved, "disk_full": first.disk_full,
        "reserve_used": first.reserve_used, "problem": first.problem,
    }
    seen["reserve_while_full"] = (data_dir / RESERVE_FILE).exists()
    seen["more_refused"] = [await log.media_connected(None),
                            await log.ended(Party.EXPERT, EndReason.HUNG_UP)]
    seen["unsaved_while_full"] = box.health.unsaved
    seen["on_disk_while_full"] = _rows_on_disk(data_dir)
    _lift_limit()
    # Nothing new is appended: the outbox's own retry must write what waits in memory.
    seen["retried"] = await _until(lambda: box.health.problem == "", timeout=10.0)
    after = box.health
    seen["health_after"] = {
        "unsaved": after.unsaved, "disk_full": after.disk_full,
        "reserve_used": after.reserve_used, "problem": after.problem,
    }
    seen["reserve_after"] = (data_dir / RESERVE_FILE).exists()
    seen["on_disk_after"] = _rows_on_disk(data_dir)
    seen["pending"] = [[e.seq, e.pos] for e in await box.pending()]
    await box.aclose()
    return seen


async def upload(data_dir: Path, key_file: Path, hub_url: str, token: str) -> dict[str, Any]:
    from kiosk.api.client import HubClient

    box = Outbox(data_dir, load_sealer(key_file), reserve_bytes=RESERVE_BYTES)
    await box.open()
    log = ConsultationLog(box)
    seen: dict[str, Any] = {"consultation_id": str(log.consultation_id)}
    seen["appended"] = [
        await log.requested(ServiceCode.LEGAL_AID, None), await log.ringing(1),
        await log.answered(7, ExpertGroup.LAWYER, "张伟"), await log.media_connected(False),
        await log.ended(Party.TERMINAL, EndReason.HUNG_UP), await log.rated(5),
    ]
    client = HubClient(hub_url, token, timeout=5.0)
    states: list[str] = []
    errors: list[str] = []

    def on_status(status: Any) -> None:
        states.append(status.state.value)
        if status.last_error:
            errors.append(status.last_error)

    uploader = Uploader(box, lambda: client, on_status=on_status, backoff=lambda n: 0.05)
    # The hub will take the events; the outbox will not be able to write their removal.
    seen["limit"] = _limit_writes_to_now(data_dir)
    uploader.start()
    seen["waited"] = await _until(lambda: len(errors) >= 3, timeout=10.0)
    seen["alive_while_full"] = uploader._task is not None and not uploader._task.done()
    seen["pending_while_full"] = len(await box.pending())
    _lift_limit()
    uploader.poke()
    seen["drained"] = await _until(
        lambda: uploader.status.state == UploadState.IDLE and box.health.pending == 0, 10.0
    )
    seen["pending_after"] = len(await box.pending())
    seen["errors"] = sorted(set(errors))[:5]
    seen["states"] = states
    await uploader.aclose()
    await client.aclose()
    await box.aclose()
    return seen


def main() -> None:
    # A kiosk ignores SIGXFSZ so that a write past a limit fails instead of killing it.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    mode, data_dir, key_file, *rest = sys.argv[1:]
    if mode == "store":
        seen = asyncio.run(store(Path(data_dir), Path(key_file)))
    else:
        seen = asyncio.run(upload(Path(data_dir), Path(key_file), *rest))
    print(json.dumps(seen), flush=True)


if __name__ == "__main__":
    main()
