"""Session records: the terminal's upload (idempotent, after the commit), the flags against the
hub's own signaling view, and the admin's reading of them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select

from kiosk.domain.records import RecordAck, SessionRecord
from kiosk.domain.signaling import EndReason, HangUp
from kiosk.hub import queries
from kiosk.hub.signaling import store
from kiosk.hub.tables import CallbackRequestRow, RecordEventRow
from tests.api.calls import accept, answer, arrange, offer, request
from tests.api.conftest import Api
from tests.api.kiosk_records import (
    KioskRecord,
    answered_call,
    counts,
    fallback_call,
    hub_consultation,
)
from tests.support.served import ServedHub
from tests.support.signal import console_socket, terminal_socket


async def _put(client: httpx.AsyncClient, record: KioskRecord, **kwargs: Any) -> RecordAck:
    response = await client.put(record.path, json=record.body(**kwargs))
    assert response.status_code == 200, response.text
    return RecordAck.model_validate(response.json())


async def _record(api: Api, consultation_id: UUID) -> SessionRecord:
    admin = await api.admin()
    response = await admin.get(f"/v1/records/{consultation_id}")
    assert response.status_code == 200, response.text
    return SessionRecord.model_validate(response.json())


# --- storing ----------------------------------------------------------------------------


async def test_a_whole_record_is_stored_and_read_back_beside_the_hubs_view(api: Api) -> None:
    zhang = await api.expert_id("张伟")
    record = answered_call(zhang, score=4)
    hub_consultation(
        api.state.sessions, record.consultation_id, requested_at=record.start, accepted_by=zhang
    )
    terminal = await api.terminal(1)
    ack = await _put(terminal, record)
    assert ack.consultation_id == record.consultation_id
    assert [str(i) for i in ack.stored] == record.ids() and ack.already_had == []
    assert ack.events_held == 6 and ack.flags == []

    held = await _record(api, record.consultation_id)
    assert (held.terminal_id, held.village, held.site_name) == (1, "大民屯村", "村委会便民服务室")
    assert held.service == "legal_aid" and held.expert_id == zhang and held.expert_group == "lawyer"
    assert held.requested_at == record.start
    assert held.answered_at == record.start + timedelta(seconds=20)
    assert held.ended_at == record.start + timedelta(seconds=720)
    assert (held.ended_by, held.end_reason, held.fallback) == ("expert", "hung_up", None)
    assert held.rating == 4 and held.callback_requested is False
    assert held.media is not None and held.media.seconds_with_media == 695
    assert held.hub_accepted_expert_id == zhang and held.hub_ended_by == "expert"
    assert held.hub_accepted_at == record.start + timedelta(seconds=20)
    assert held.events == 6 and held.flags == []
    assert held.first_received_at == held.last_received_at


async def test_a_replay_stores_nothing_twice(api: Api) -> None:
    record = fallback_call("no_answer")
    terminal = await api.terminal(1)
    first = await _put(terminal, record)
    before = counts(api.state.sessions)
    again = await _put(terminal, record)
    assert again.stored == [] and [str(i) for i in again.already_had] == record.ids()
    assert again.events_held == first.events_held == 3
    assert again.flags == first.flags == ["not_signaled"]
    assert counts(api.state.sessions) == before


async def test_a_record_grows_upload_by_upload(api: Api) -> None:
    record = answered_call(await api.expert_id("张伟"))
    terminal = await api.terminal(1)
    first = await _put(terminal, record, events=record.events[:2])
    assert first.events_held == 2
    rest = await _put(terminal, record)  # the first two again, with the rest
    assert [str(i) for i in rest.already_had] == record.ids()[:2]
    assert [str(i) for i in rest.stored] == record.ids()[2:]
    assert rest.events_held == 6
    held = await _record(api, record.consultation_id)
    assert held.rating == 5 and held.ended_by == "expert"
    assert held.last_received_at >= held.first_received_at


async def test_events_out_of_order_are_kept_and_a_gap_is_flagged_until_filled(api: Api) -> None:
    record = answered_call(await api.expert_id("张伟"))
    terminal = await api.terminal(1)
    later = await _put(terminal, record, events=record.events[3:])
    assert later.events_held == 3 and "sequence_gap" in later.flags
    gap = await _put(terminal, record, events=[record.events[0], record.events[2]])
    assert gap.events_held == 5 and "sequence_gap" in gap.flags
    # Shuffled within an upload too: the hub orders by seq.
    filled = await _put(terminal, record, events=list(reversed(record.events)))
    assert filled.events_held == 6 and [str(i) for i in filled.stored] == [record.ids()[1]]
    assert filled.flags == ["not_signaled"]
    assert (await _record(api, record.consultation_id)).expert_id is not None


async def test_the_same_id_with_other_content_keeps_the_first_and_is_flagged(api: Api) -> None:
    record = answered_call(await api.expert_id("张伟"), score=5)
    terminal = await api.terminal(1)
    await _put(terminal, record)
    changed = [dict(e) for e in record.events]
    changed[-1]["score"] = 1
    ack = await _put(terminal, record, events=changed)
    assert ack.stored == [] and len(ack.already_had) == 6  # still 2xx: the kiosk's queue drains
    assert "conflicting_replay" in ack.flags
    held = await _record(api, record.consultation_id)
    assert held.rating == 5 and held.events == 6
    # Told once, remembered: a faithful replay later does not clear it.
    assert "conflicting_replay" in (await _put(terminal, record)).flags


async def test_a_second_event_at_a_taken_place_is_kept_and_flagged(api: Api) -> None:
    record = fallback_call("all_busy")
    terminal = await api.terminal(1)
    await _put(terminal, record)
    other = {**record.events[2], "id": str(uuid4()), "reason": "no_answer"}
    ack = await _put(terminal, record, events=[other])
    assert [str(i) for i in ack.stored] == [other["id"]]
    assert ack.events_held == 4 and "conflicting_replay" in ack.flags


async def test_racing_uploads_of_the_same_events_store_each_once(api: Api) -> None:
    record = fallback_call("nobody_on_duty", phone="13812345678")
    terminal = await api.terminal(1)
    responses = await asyncio.gather(
        *(terminal.put(record.path, json=record.body()) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    acks = [RecordAck.model_validate(r.json()) for r in responses]
    stored = [i for ack in acks for i in ack.stored]
    assert sorted(map(str, stored)) == sorted(record.ids())  # each stored by exactly one
    for ack in acks:
        assert {str(i) for i in [*ack.stored, *ack.already_had]} == set(record.ids())
        assert ack.events_held == 4
    assert counts(api.state.sessions).events == 4
    with api.state.sessions() as db:
        rows = db.scalars(select(CallbackRequestRow)).all()
    assert [r.consultation_id for r in rows] == [record.consultation_id]


async def test_racing_uploads_of_different_events_leave_the_whole_record(api: Api) -> None:
    zhang = await api.expert_id("张伟")
    record = answered_call(zhang)
    hub_consultation(
        api.state.sessions, record.consultation_id, requested_at=record.start, accepted_by=zhang
    )
    terminal = await api.terminal(1)
    halves = (record.events[:3], record.events[3:], record.events[1:5], record.events[::2])
    responses = await asyncio.gather(
        *(terminal.put(record.path, json=record.body(part)) for part in halves)
    )
    assert [r.status_code for r in responses] == [200] * 4
    held = await _record(api, record.consultation_id)
    # Each upload summed up every event committed before it: the last one saw them all.
    assert held.events == 6 and held.rating == 5 and held.ended_by == "expert"
    assert held.flags == []


# PostgreSQL only: on SQLite the upload holds the write lock, so no one can get between.
@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_an_upload_that_loses_a_race_for_the_callback_is_run_again(
    api: Api, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = fallback_call("no_answer", phone="13812345678")
    real = queries.file_callback
    raced: list[UUID] = []

    def file_then_lose(*args: Any, **kwargs: Any) -> CallbackRequestRow:
        row = real(*args, **kwargs)
        if not raced:
            # POST /v1/callbacks of the same consultation commits between the look and the insert.
            with api.state.sessions() as other:
                other.add(
                    CallbackRequestRow(
                        consultation_id=record.consultation_id,
                        terminal_id=1,
                        phone="02412345678",
                        created_at=datetime.now(UTC),
                    )
                )
                other.commit()
            raced.append(record.consultation_id)
        return row

    monkeypatch.setattr("kiosk.hub.records.file_callback", file_then_lose)
    terminal = await api.terminal(1)
    ack = await _put(terminal, record)
    assert raced and ack.events_held == 4 and len(ack.stored) == 4
    with api.state.sessions() as db:
        (row,) = db.scalars(select(CallbackRequestRow)).all()
    assert row.phone == "02412345678"  # the first request stands, as with POST /v1/callbacks


# --- whose it is ------------------------------------------------------------------------


async def test_a_terminal_writes_only_records_of_its_own_consultations(api: Api) -> None:
    signaled = answered_call(await api.expert_id("张伟"))
    hub_consultation(api.state.sessions, signaled.consultation_id, requested_at=signaled.start)
    unsignaled = fallback_call("unreachable")
    one, two = await api.terminal(1), await api.terminal(2)
    await _put(one, unsignaled)
    before = counts(api.state.sessions)
    for record in (signaled, unsignaled):
        refused = await two.put(record.path, json=record.body())
        assert refused.status_code == 403, refused.text
        assert refused.json() == {
            "detail": "The consultation belongs to another terminal.",
            "errors": [],
        }
    assert counts(api.state.sessions) == before
    assert (await _put(one, signaled)).events_held == 6
    # A callback another terminal filed marks the consultation as theirs too.
    posted = {"consultation_id": str(uuid4()), "phone": "13812345678"}
    assert (await one.post("/v1/callbacks", json=posted)).status_code == 201
    theirs = fallback_call("no_answer", consultation_id=UUID(posted["consultation_id"]))
    assert (await two.put(theirs.path, json=theirs.body())).status_code == 403
    # And a record another terminal uploaded makes POST /v1/callbacks refuse as it always did.
    taken = {"consultation_id": str(unsignaled.consultation_id), "phone": "13812345678"}
    assert (await two.post("/v1/callbacks", json=taken)).status_code == 409


async def test_a_callback_event_files_the_callback_request_without_keeping_the_number(
    api: Api,
) -> None:
    record = fallback_call("all_busy", phone=" +8613812345678 ")
    terminal = await api.terminal(1)
    await _put(terminal, record)
    await _put(terminal, record)
    lawyer = await api.lawyer(1)
    listed = [c for c in (await lawyer.get("/v1/callbacks")).json()]
    assert [(c["consultation_id"], c["phone"]) for c in listed] == [
        (str(record.consultation_id), "+8613812345678")
    ]
    assert listed[0]["village"] == "大民屯村"
    with api.state.sessions() as db:
        events = {e.kind: e.body for e in db.scalars(select(RecordEventRow))}
    assert len(events) == 4 and not any("13812345678" in body for body in events.values())
    assert json.loads(events["callback_requested"]) == {}
    # POST /v1/callbacks of the same consultation answers with the same request.
    posted = await terminal.post(
        "/v1/callbacks",
        json={"consultation_id": str(record.consultation_id), "phone": "13900000000"},
    )
    assert posted.status_code == 201 and posted.json()["id"] == listed[0]["id"]
    assert (await _record(api, record.consultation_id)).callback_requested is True


async def test_a_callback_already_done_is_not_opened_again_by_a_replay(api: Api) -> None:
    record = fallback_call("no_answer", phone="13812345678")
    terminal = await api.terminal(1)
    await _put(terminal, record)
    lawyer = await api.lawyer()
    (open_one,) = (await lawyer.get("/v1/callbacks")).json()
    assert (await lawyer.put(f"/v1/callbacks/{open_one['id']}/done")).status_code == 204
    await _put(terminal, record)
    assert (await lawyer.get("/v1/callbacks")).json() == []


# --- flags ------------------------------------------------------------------------------

Arrange = Callable[[Api, int, int], tuple[KioskRecord, dict[str, Any] | None]]


def _matching(zhang: int) -> tuple[KioskRecord, dict[str, Any]]:
    record = answered_call(zhang)
    return record, {"accepted_by": zhang}


def _expert_differs(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    record = answered_call(wang, name="王丽")
    return record, {"accepted_by": zhang}


def _answer_unseen(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    return answered_call(zhang), {"accepted_by": None, "end_reason": "no_answer", "ended_by": "hub"}


def _answer_unreported(
    api: Api, zhang: int, wang: int
) -> tuple[KioskRecord, dict[str, Any] | None]:
    return fallback_call("media_lost"), {"accepted_by": zhang, "ended_by": "hub"}


def _ended_by_differs(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    return answered_call(zhang, ended_by="terminal"), {"accepted_by": zhang}


def _duration_differs(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    # 61 s more on the hub than on the kiosk's monotonic clock.
    return answered_call(zhang, talk_s=700), {"accepted_by": zhang, "talk_s": 761}


def _duration_close(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    return answered_call(zhang, talk_s=700), {"accepted_by": zhang, "talk_s": 759}


def _clock_jumped(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    record, hub = _matching(zhang)
    record.events[4]["clock_jump_s"] = -3600.0  # the wall clock went back an hour mid-call
    return record, hub


def _sequence_gap(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    record, hub = _matching(zhang)
    del record.events[1]
    return record, hub


def _not_signaled(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    return fallback_call("unreachable"), None


def _in_agreement(api: Api, zhang: int, wang: int) -> tuple[KioskRecord, dict[str, Any] | None]:
    return _matching(zhang)


FLAG_CASES: list[tuple[str, Arrange, list[str]]] = [
    ("in agreement", _in_agreement, []),
    ("expert differs", _expert_differs, ["expert_differs"]),
    # The hub, which saw no accept, ended the call itself: who ended it differs too.
    ("answer unseen", _answer_unseen, ["answer_unseen", "ended_by_differs"]),
    ("answer unreported", _answer_unreported, ["answer_unreported"]),
    ("ended by differs", _ended_by_differs, ["ended_by_differs"]),
    ("duration differs", _duration_differs, ["duration_differs"]),
    ("duration within a minute", _duration_close, []),
    ("clock jumped", _clock_jumped, ["clock_jumped"]),
    ("sequence gap", _sequence_gap, ["sequence_gap"]),
    ("not signaled", _not_signaled, ["not_signaled"]),
]


@pytest.mark.parametrize(
    ("name", "arrange_case", "flags"), FLAG_CASES, ids=[c[0] for c in FLAG_CASES]
)
async def test_each_disagreement_is_flagged(
    api: Api, name: str, arrange_case: Arrange, flags: list[str]
) -> None:
    zhang, wang = await api.expert_id("张伟"), await api.expert_id("王丽")
    record, hub = arrange_case(api, zhang, wang)
    if hub is not None:
        hub_consultation(
            api.state.sessions, record.consultation_id, requested_at=record.start, **hub
        )
    ack = await _put(await api.terminal(1), record)
    assert ack.flags == flags, name
    assert (await _record(api, record.consultation_id)).flags == flags


async def test_flags_follow_the_switchboard_as_it_writes_the_consultation(api: Api) -> None:
    """The switchboard's own writes (store.create, store.change) reconcile the record."""
    zhang = await api.expert_id("张伟")
    record = answered_call(zhang, talk_s=300)
    terminal = await api.terminal(1)
    sessions = api.state.sessions
    # The kiosk's first events arrive before the switchboard has written anything.
    early = await _put(terminal, record, events=record.events[:2])
    assert early.flags == ["not_signaled"]
    store.create(
        sessions,
        {
            "id": record.consultation_id,
            "terminal_id": 1,
            "service": "legal_aid",
            "requested_expert_id": None,
            "requested_at": record.start,
        },
    )
    assert (await _record(api, record.consultation_id)).flags == []
    # The kiosk reports the whole call before the hub has seen the accept: unseen, for now.
    assert (await _put(terminal, record)).flags == ["answer_unseen"]
    accepted_at = record.start + timedelta(seconds=20)
    store.change(
        sessions, record.consultation_id, {"accepted_expert_id": zhang, "accepted_at": accepted_at}
    )
    assert (await _record(api, record.consultation_id)).flags == []
    # The hub ends it long after the kiosk did (its orphan timer): the talk times disagree.
    store.change(
        sessions,
        record.consultation_id,
        {
            "ended_at": accepted_at + timedelta(seconds=300 + 180),
            "ended_by": "hub",
            "end_reason": "media_lost",
        },
    )
    held = await _record(api, record.consultation_id)
    assert held.flags == ["ended_by_differs", "duration_differs"]
    assert held.hub_ended_by == "hub"


async def test_a_real_call_through_the_switchboard_then_its_record(hub: ServedHub) -> None:
    """Signaling over the sockets, the record uploaded during the call, the hub's end after it."""
    zhang, _, _ = hub.lawyers
    lawyers = arrange(hub, on_duty=(zhang,))
    terminal_id, token = hub.enrol_terminal(1)
    call = request()
    cid = call.consultation_id
    record = answered_call(lawyers.id(zhang), consultation_id=cid, start=call.requested_at)
    async with (
        await console_socket(hub, zhang) as console,
        await terminal_socket(hub, token) as kiosk,
        httpx.AsyncClient(
            base_url=hub.base_url, headers={"Authorization": f"Bearer {token}"}
        ) as rest,
    ):
        await kiosk.send(call)
        await kiosk.expect("call.queued")
        await console.expect("call.ringing", consultation_id=str(cid))
        await console.send(accept(cid))
        await console.expect("call.taken", by_you=True)
        await kiosk.expect("call.accepted", consultation_id=str(cid))
        await kiosk.send(offer(cid))
        await console.expect("sdp.offer")
        await console.send(answer(cid))
        await kiosk.expect("sdp.answer")
        # The kiosk's outbox drains while the call is still on.
        during = await rest.put(record.path, json=record.body(record.events[:4]))
        assert during.status_code == 200 and during.json()["flags"] == []
        # The kiosk says it ended; the hub has not heard the hang-up yet, so nothing to compare.
        ended = await rest.put(record.path, json=record.body())
        assert ended.json()["flags"] == []
        await console.send(HangUp(consultation_id=cid, reason=EndReason.HUNG_UP))
        await kiosk.expect("call.ended", consultation_id=str(cid))
    with hub.admin_client() as admin:
        held = SessionRecord.model_validate(admin.get(f"/v1/records/{cid}").json())
    assert held.terminal_id == terminal_id and held.hub_ended_by == "expert"
    # The hub's talk time was seconds; the kiosk's record says 700 s.
    assert held.flags == ["duration_differs"]


# --- bad input ----------------------------------------------------------------------------


def _event(kind: str = "ringing", **fields: Any) -> dict[str, Any]:
    event = {
        "id": str(uuid4()),
        "seq": 1,
        "kind": kind,
        "at": "2026-11-25T09:00:00+08:00",
        "mono_s": 0,
        "clock_jump_s": 0,
        **fields,
    }
    return event


BAD_BODIES: list[tuple[str, Any, str]] = [
    ("no events", {"events": []}, "events"),
    ("not a list", {"events": {"seq": 1}}, "events"),
    ("unknown kind", {"events": [_event("hung_up")]}, "events.0"),
    ("seq 0", {"events": [_event(seq=0)]}, "events.0.ringing.seq"),
    ("naive time", {"events": [_event(at="2026-11-25T09:00:00")]}, "events.0.ringing.at"),
    ("unknown field", {"events": [_event(note="x")]}, "events.0.ringing.note"),
    ("missing field", {"events": [_event("answered")]}, "events.0.answered.expert_id"),
    ("bad phone", {"events": [_event("callback_requested", phone="024-1234")]}, "events.0"),
    ("rating 6", {"events": [_event("rated", score=6)]}, "events.0.rated.score"),
    ("too many", {"events": [_event(seq=i + 1) for i in range(501)]}, "events"),
    ("unknown top field", {"events": [_event()], "terminal": 2}, "terminal"),
]


@pytest.mark.parametrize(("name", "body", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
async def test_bad_uploads_are_refused_and_change_nothing(
    api: Api, name: str, body: Any, field: str
) -> None:
    terminal = await api.terminal(1)
    before = counts(api.state.sessions)
    response = await terminal.put(f"/v1/records/{uuid4()}", json=body)
    assert response.status_code == 422, (name, response.text)
    answer = response.json()
    assert set(answer) == {"detail", "errors"} and answer["errors"], answer
    assert any(e["field"].startswith(field) for e in answer["errors"]), answer
    assert counts(api.state.sessions) == before


async def test_garbage_and_conflicts_change_nothing(api: Api) -> None:
    terminal = await api.terminal(1)
    record = answered_call(await api.expert_id("张伟"), score=None)
    await _put(terminal, record)
    before = counts(api.state.sessions)
    garbage = await terminal.put(
        record.path, content=b'{"events": [', headers={"Content-Type": "application/json"}
    )
    assert garbage.status_code == 422
    assert garbage.json()["errors"] == [
        {"field": "body", "message": "The request body is not valid JSON."}
    ]
    assert (await terminal.put("/v1/records/not-a-uuid", json=record.body())).status_code == 422

    # An event of another consultation, beside new ones: none of it is stored.
    other = fallback_call("no_answer", phone="13812345678")
    mixed = [*other.events, {**record.events[0], "seq": 5}]
    refused = await terminal.put(other.path, json=other.body(mixed))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {"field": "events.4.id", "message": "is an event of another consultation"}
    ]
    # The same event twice in one upload is a kiosk bug, not a replay.
    twice = await terminal.put(other.path, json=other.body([*other.events, other.events[0]]))
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "events.4.id"
    assert counts(api.state.sessions) == before
    held = await _record(api, record.consultation_id)
    assert held.events == 5 and held.rating is None


# --- reading ------------------------------------------------------------------------------


async def test_admins_list_records_by_month_terminal_expert_and_flag(api: Api) -> None:
    zhang, wang = await api.expert_id("张伟"), await api.expert_id("王丽")
    november = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)  # 1 November 07:30 in Shanghai
    october = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 31 October 23:30 in Shanghai
    a = answered_call(zhang, start=october)
    b = answered_call(wang, name="王丽", start=november)
    c = fallback_call("no_answer", start=november + timedelta(hours=1))
    d = answered_call(zhang, start=november + timedelta(hours=2))
    hub_consultation(
        api.state.sessions, d.consultation_id, requested_at=d.start, terminal_id=2, accepted_by=wang
    )
    one, two = await api.terminal(1), await api.terminal(2)
    for client, record in ((one, a), (one, b), (two, c), (two, d)):
        await _put(client, record)
    admin = await api.admin()

    async def listed(**params: Any) -> tuple[list[str], int]:
        response = await admin.get("/v1/records", params=params)
        assert response.status_code == 200, response.text
        return [r["consultation_id"] for r in response.json()], int(
            response.headers["X-Total-Count"]
        )

    ia, ib, ic, id_ = (str(r.consultation_id) for r in (a, b, c, d))
    assert await listed() == ([ia, ib, ic, id_], 4)
    assert await listed(month="2026-10") == ([ia], 1)
    assert await listed(month="2026-11") == ([ib, ic, id_], 3)
    assert await listed(month="2026-11", terminal_id=2) == ([ic, id_], 2)
    # By the kiosk's word or the hub's: d was answered by 王丽 as the hub saw it.
    assert await listed(expert_id=wang) == ([ib, id_], 2)
    assert await listed(expert_id=zhang) == ([ia, id_], 2)
    assert await listed(flagged="true") == ([ia, ib, ic, id_], 4)
    assert await listed(limit=2) == ([ia, ib], 4)
    assert await listed(limit=2, offset=3) == ([id_], 4)
    first = (await admin.get("/v1/records", params={"terminal_id": 2})).json()[1]
    assert "expert_differs" in first["flags"] and first["hub_accepted_expert_id"] == wang

    for bad in ({"month": "2026-13"}, {"month": "26-11"}, {"limit": 0}, {"limit": 501}):
        response = await admin.get("/v1/records", params=bad)
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["field"] == next(iter(bad))
    missing = await admin.get(f"/v1/records/{uuid4()}")
    assert missing.status_code == 404 and set(missing.json()) == {"detail", "errors"}
