"""The REST side of video consultations: ICE servers, callbacks, records and outcomes."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import select

from kiosk.domain import ServiceCode
from kiosk.domain.signaling import IceServers
from kiosk.hub.tables import CallbackRequestRow
from tests.api.calls import insert_consultation
from tests.api.conftest import Api, Clock, make_app

SECRET = "north-wind-2026"


@pytest.fixture
async def turn_api(db_url: str, clock: Clock) -> AsyncIterator[Api]:
    for app in make_app(db_url, clock, turn_host="turn.example.org", turn_secret=SECRET):
        harness = Api(app=app, clock=clock)
        try:
            yield harness
        finally:
            await harness.aclose()


# --- ICE servers -----------------------------------------------------------------------


async def test_ice_servers_carry_coturn_rest_credentials(turn_api: Api) -> None:
    terminal = await turn_api.terminal(terminal_id=2)
    lawyer = await turn_api.lawyer()
    before = int(datetime.now(UTC).timestamp())
    for client, principal in ((terminal, "terminal-2"), (lawyer, "expert-1")):
        body = IceServers.model_validate((await client.get("/v1/ice-servers")).json())
        stun, turn = body.ice_servers
        assert stun.urls == ["stun:turn.example.org:3478"] and stun.username is None
        assert turn.urls == [
            "turn:turn.example.org:3478?transport=udp",
            "turn:turn.example.org:443?transport=tcp",
            "turns:turn.example.org:443?transport=tcp",
        ]
        assert turn.username is not None and turn.credential is not None
        expiry, _, who = turn.username.partition(":")
        assert who == principal
        assert body.ttl_s == 6 * 3600
        assert before + body.ttl_s <= int(expiry) <= before + body.ttl_s + 5
        # What coturn computes with `use-auth-secret` and `static-auth-secret`.
        expected = hmac.new(SECRET.encode(), turn.username.encode(), hashlib.sha1).digest()
        assert base64.b64decode(turn.credential) == expected


async def test_without_a_turn_server_no_ice_servers_are_offered(api: Api) -> None:
    terminal = await api.terminal()
    assert (await terminal.get("/v1/ice-servers")).json() == {"ice_servers": [], "ttl_s": 0}


async def test_without_a_secret_only_stun_is_offered(db_url: str, clock: Clock) -> None:
    for app in make_app(db_url, clock, turn_host="stun.example.org"):
        harness = Api(app=app, clock=clock)
        try:
            lawyer = await harness.lawyer()
            body = (await lawyer.get("/v1/ice-servers")).json()
        finally:
            await harness.aclose()
    assert body == {
        "ice_servers": [
            {"urls": ["stun:stun.example.org:3478"], "username": None, "credential": None}
        ],
        "ttl_s": 21600,
    }


# --- callback requests -----------------------------------------------------------------


async def test_callbacks_are_idempotent_listed_and_done(api: Api) -> None:
    cid = insert_consultation(api.state.sessions, terminal_id=1, service=ServiceCode.MEDIATION)
    terminal = await api.terminal(1)
    body = {"consultation_id": str(cid), "phone": " +8613812345678 "}
    first = await terminal.post("/v1/callbacks", json=body)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["phone"] == "+8613812345678" and created["service"] == "mediation"
    again = await terminal.post("/v1/callbacks", json={**body, "phone": "13900000000"})
    assert again.status_code == 201 and again.json() == created  # the first one stands

    # A callback of a consultation the hub never saw (the kiosk was offline).
    unseen = {"consultation_id": str(uuid4()), "phone": "024-1234"}
    assert (await terminal.post("/v1/callbacks", json=unseen)).status_code == 422
    unseen["phone"] = "02412345678"
    assert (await terminal.post("/v1/callbacks", json=unseen)).status_code == 201

    lawyer = await api.lawyer(1)
    listed = (await lawyer.get("/v1/callbacks")).json()
    assert [c["consultation_id"] for c in listed] == [str(cid), unseen["consultation_id"]]
    assert listed[0]["village"] == "大民屯村" and listed[0]["site_name"] == "村委会便民服务室"
    assert listed[1]["service"] is None and listed[1]["phone"] == "02412345678"

    done = await lawyer.put(f"/v1/callbacks/{created['id']}/done")
    assert done.status_code == 204
    assert (await lawyer.put(f"/v1/callbacks/{created['id']}/done")).status_code == 204
    assert (await lawyer.put("/v1/callbacks/999/done")).status_code == 404
    admin = await api.admin()
    assert [c["consultation_id"] for c in (await admin.get("/v1/callbacks")).json()] == [
        unseen["consultation_id"]
    ]
    with api.state.sessions() as db:
        row = db.scalars(
            select(CallbackRequestRow).where(CallbackRequestRow.id == created["id"])
        ).one()
        # Done: who and when are kept, the resident's number is not.
        assert row.done_by == "wangli" and row.done_at is not None and row.phone is None


@pytest.mark.parametrize(
    "phone", ["1234", "12345678901234567890123", "+", "phone", "138 1234 5678", "++12345", ""]
)
async def test_a_callback_phone_is_digits(api: Api, phone: str) -> None:
    terminal = await api.terminal()
    response = await terminal.post(
        "/v1/callbacks", json={"consultation_id": str(uuid4()), "phone": phone}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone"


async def test_a_terminal_cannot_file_a_callback_for_another_terminals_call(api: Api) -> None:
    cid = insert_consultation(api.state.sessions, terminal_id=1)
    other = await api.terminal(2)
    body = {"consultation_id": str(cid), "phone": "13812345678"}
    assert (await other.post("/v1/callbacks", json=body)).status_code == 409
    mine = await api.terminal(1)
    assert (await mine.post("/v1/callbacks", json=body)).status_code == 201
    body["consultation_id"] = str(uuid4())
    assert (await mine.post("/v1/callbacks", json=body)).status_code == 201
    assert (await other.post("/v1/callbacks", json=body)).status_code == 409


# --- consultation records and outcomes -------------------------------------------------


async def test_lawyers_see_their_own_consultations_and_admins_all(api: Api) -> None:
    zhang, wang = await api.expert_id("张伟"), await api.expert_id("王丽")
    now = datetime.now(UTC)
    mine = insert_consultation(api.state.sessions, accepted_by=zhang)
    theirs = insert_consultation(api.state.sessions, accepted_by=wang)
    unanswered = insert_consultation(api.state.sessions)
    old = insert_consultation(
        api.state.sessions, accepted_by=zhang, requested_at=now - timedelta(days=30)
    )
    lawyer = await api.lawyer(0)
    assert [c["id"] for c in (await lawyer.get("/v1/consultations")).json()] == [str(mine)]
    month = {"from": (now - timedelta(days=40)).isoformat(), "to": now.isoformat()}
    listed = (await lawyer.get("/v1/consultations", params=month)).json()
    assert [c["id"] for c in listed] == [str(old), str(mine)]
    assert listed[1]["accepted_expert_name"] == "张伟" and listed[1]["county"] == "新民市"
    admin = await api.admin()
    ids = {c["id"] for c in (await admin.get("/v1/consultations")).json()}
    assert ids == {str(mine), str(theirs), str(unanswered)}
    backwards = {"from": now.isoformat(), "to": (now - timedelta(days=1)).isoformat()}
    assert (await admin.get("/v1/consultations", params=backwards)).status_code == 422


async def test_only_the_lawyer_who_accepted_records_the_outcome(api: Api) -> None:
    zhang = await api.expert_id("张伟")
    cid = insert_consultation(api.state.sessions, accepted_by=zhang)
    path = f"/v1/consultations/{cid}/outcome"
    other = await api.lawyer(1)
    body = {"outcome": "referred", "notes": "转法律援助中心。"}
    assert (await other.put(path, json=body)).status_code == 403
    lawyer = await api.lawyer(0)
    assert (await lawyer.put(path, json=body)).status_code == 204
    assert (await lawyer.put(path, json={"outcome": "legal_aid_started"})).status_code == 204
    (record,) = (await lawyer.get("/v1/consultations")).json()
    assert record["outcome"] == "legal_aid_started" and record["notes"] == "转法律援助中心。"
    assert (await lawyer.put(path, json={"outcome": "solved"})).status_code == 422
    missing = f"/v1/consultations/{uuid4()}/outcome"
    assert (await lawyer.put(missing, json=body)).status_code == 404
    assert (await lawyer.put("/v1/consultations/nope/outcome", json=body)).status_code == 422
