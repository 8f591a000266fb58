"""The kiosk's record keeping alone in a process, to be killed with SIGKILL (`test_crash.py`).

    python -m tests.outbox.crash_child DATA_DIR KEY_FILE HUB_URL TOKEN SEED [--drain]

Plain asyncio, no Qt. It imports what it needs, says `READY`, and waits for a
line on stdin before it touches DATA_DIR (so the test can start the next one
while the last one still runs, yet never two on the same outbox). Then it opens
the outbox, starts the uploader against the hub, and makes consultations one
after another for as long as it lives. Each line goes out with one `write` (a
pipe keeps it whole up to 4 KiB, through the kill):

    NEW <consultation_id>                      before its first event
    ACK <event_id> <consultation_id> <seq>     append returned True: what the UI would show
    UNSAVED <event_id> <consultation_id> <seq> append returned False (only in memory)
    PUT <consultation_id> <events>             an upload leaves
    PUTOK <consultation_id> <stored> <already_had>   the hub's answer to it

With `--drain` it only sends what the outbox holds, then prints
`DRAINED <json>` (the outbox's health) and exits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import sys
from pathlib import Path
from uuid import UUID

from kiosk.api.client import HubClient
from kiosk.api.errors import HubError
from kiosk.domain.records import RecordAck, RecordEvent
from kiosk.outbox import ConsultationLog, Outbox, Uploader, load_sealer
from tests.outbox.scenario import play


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


class AckingOutbox(Outbox):
    async def append(self, consultation_id: UUID, events: list[RecordEvent]) -> bool:
        kept = await super().append(consultation_id, events)
        word = "ACK" if kept else "UNSAVED"
        for event in events:
            say(f"{word} {event.id} {consultation_id} {event.seq}")
        return kept


class MarkedClient:
    """The hub client, saying when an upload leaves and when its answer came."""

    def __init__(self, client: HubClient) -> None:
        self._client = client

    async def put_record(self, consultation_id: UUID, events: list[RecordEvent]) -> RecordAck:
        say(f"PUT {consultation_id} {len(events)}")
        ack = await self._client.put_record(consultation_id, events)
        say(f"PUTOK {consultation_id} {len(ack.stored)} {len(ack.already_had)}")
        return ack


async def work(box: Outbox, rng: random.Random) -> None:
    while True:
        log = ConsultationLog(box)
        say(f"NEW {log.consultation_id}")
        # Each append is awaited in turn, as the call desk does: one event in flight at most.
        await play(log, rng)
        # A moment for the uploader, as between two residents.
        await asyncio.sleep(rng.uniform(0.0, 0.01))


async def drain(uploader: Uploader, box: Outbox) -> None:
    for _ in range(100):
        try:
            await uploader.drain()
        except HubError as exc:
            print(f"drain: {exc}", file=sys.stderr)
            await asyncio.sleep(0.2)
        if not await box.pending():
            return


async def main(data_dir: Path, key_file: Path, hub_url: str, token: str, seed: int,
               drain_only: bool) -> None:
    box = AckingOutbox(data_dir, load_sealer(key_file))
    await box.open()
    client = HubClient(hub_url, token, timeout=5.0)
    marked = MarkedClient(client)
    uploader = Uploader(box, lambda: marked, backoff=lambda n: 0.05)
    if drain_only:
        await drain(uploader, box)
        health = await box.refresh_health()
        say(f"DRAINED {json.dumps(dataclasses.asdict(health))}")
    else:
        uploader.start()
        say("UP")
        await work(box, random.Random(seed))
    await uploader.aclose()
    await client.aclose()
    await box.aclose()


if __name__ == "__main__":
    data_dir, key_file, hub_url, token, seed, *flags = sys.argv[1:]
    say("READY")
    if not sys.stdin.readline():
        sys.exit(0)  # the test ended without needing this one
    asyncio.run(main(Path(data_dir), Path(key_file), hub_url, token, int(seed),
                     "--drain" in flags))
