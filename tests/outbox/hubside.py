"""What the hub holds of a terminal's records: its admin API, and its SQLite file read-only.

The admin API (`GET /v1/records`) says how many events a record has and whether
the hub saw a gap or a conflicting replay; it does not list them. Which events
they are, and the order they arrived in (the table's rowid), only the file says,
so that is read too, read-only, beside the running hub.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from kiosk.outbox import Outbox
from tests.support.hub import RunningHub

# (event id, seq): an event as the kiosk made it.
Made = tuple[UUID, int]


@dataclass(frozen=True)
class Terminal:
    """An enrolled terminal of the hub: its id, and the token the kiosk sends."""

    id: int
    token: str


@dataclass(frozen=True)
class HubEvent:
    event_id: UUID
    seq: int
    arrival: int  # the row's rowid: the order the hub stored events in


def records_by_api(hub: RunningHub, terminal_id: int) -> dict[UUID, dict[str, Any]]:
    """Every session record of the terminal, through the admin API (all pages)."""
    found: dict[UUID, dict[str, Any]] = {}
    with hub.admin_client() as admin:
        offset = 0
        while True:
            response = admin.get(
                "/v1/records", params={"terminal_id": terminal_id, "limit": 500, "offset": offset}
            )
            assert response.status_code == 200, response.text
            page = response.json()
            found.update({UUID(r["consultation_id"]): r for r in page})
            offset += len(page)
            if not page or offset >= int(response.headers["X-Total-Count"]):
                return found


def record_by_api(hub: RunningHub, consultation_id: UUID) -> dict[str, Any] | None:
    with hub.admin_client() as admin:
        response = admin.get(f"/v1/records/{consultation_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


def events_in_file(hub: RunningHub, terminal_id: int) -> dict[UUID, list[HubEvent]]:
    """The terminal's events in the hub's database, each consultation's in arrival order."""
    assert hub.db_url.startswith("sqlite:///"), hub.db_url
    path = hub.db_url.removeprefix("sqlite:///")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT rowid, id, consultation_id, seq FROM record_events WHERE terminal_id = ?"
            " ORDER BY rowid",
            (terminal_id,),
        ).fetchall()
    finally:
        db.close()
    found: dict[UUID, list[HubEvent]] = defaultdict(list)
    for rowid, event_id, consultation_id, seq in rows:
        found[UUID(consultation_id)].append(HubEvent(UUID(event_id), seq, rowid))
    return dict(found)


async def made_in(outbox: Outbox) -> dict[UUID, list[Made]]:
    """What the outbox holds now, by consultation, in seq order: what the hub must get."""
    made: dict[UUID, list[Made]] = defaultdict(list)
    for item in await outbox.pending():
        made[item.consultation_id].append((item.event_id, item.seq))
    return {cid: sorted(events, key=lambda e: e[1]) for cid, events in made.items()}


def assert_hub_holds(
    hub: RunningHub, terminal_id: int, made: dict[UUID, list[Made]], *, only: bool = False
) -> None:
    """Each consultation of `made` is on the hub with exactly its events, once each, received
    in seq order; with `only`, the terminal has no other records either."""
    by_api = records_by_api(hub, terminal_id)
    in_file = events_in_file(hub, terminal_id)
    missing = [cid for cid in made if cid not in by_api]
    assert not missing, f"{len(missing)} of {len(made)} consultations not on the hub"
    for cid, events in made.items():
        record = by_api[cid]
        assert record["events"] == len(events), (cid, record["events"], len(events))
        assert "sequence_gap" not in record["flags"], (cid, record["flags"])
        assert "conflicting_replay" not in record["flags"], (cid, record["flags"])
        held = [(e.event_id, e.seq) for e in in_file.get(cid, [])]
        assert held == sorted(events, key=lambda e: e[1]), f"{cid}: {held} != {events}"
    if only:
        assert set(by_api) == set(made), set(by_api) ^ set(made)
        assert set(in_file) == set(made), set(in_file) ^ set(made)


def union(*parts: dict[UUID, list[Made]]) -> dict[UUID, list[Made]]:
    joined: dict[UUID, set[Made]] = defaultdict(set)
    for part in parts:
        for cid, events in part.items():
            joined[cid] |= set(events)
    return {cid: sorted(events, key=lambda e: e[1]) for cid, events in joined.items()}
