"""What the admin manages: experts, their logins, shifts and terminals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.conftest import Api

T0 = datetime(2031, 6, 2, 8, 30, tzinfo=UTC)


def _shift(expert_id: int, start: datetime, hours: float) -> dict[str, Any]:
    end = start + timedelta(hours=hours)
    return {"expert_id": expert_id, "starts_at": start.isoformat(), "ends_at": end.isoformat()}


async def _new_expert(admin: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "孟凡", "group": "lawyer", "services": ["legal_aid"], **fields}
    response = await admin.post("/v1/experts", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_experts_are_created_listed_and_updated(api: Api) -> None:
    admin = await api.admin()
    created = await _new_expert(
        admin, services=["mediation", "legal_aid", "mediation"], organisation="辽宁同方律师事务所"
    )
    assert created["services"] == ["legal_aid", "mediation"]
    assert created["availability"] == "away" and created["username"] is None
    listed = (await admin.get("/v1/experts")).json()
    assert [e["id"] for e in listed] == sorted(e["id"] for e in listed)
    assert created in listed
    update = {"name": "孟凡", "group": "arbitration", "services": ["legal_consultation"]}
    changed = (await admin.put(f"/v1/experts/{created['id']}", json=update)).json()
    assert changed["group"] == "arbitration" and changed["services"] == ["legal_consultation"]
    assert changed["organisation"] == ""


async def test_overlapping_shifts_of_one_expert_conflict(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    first = await admin.post("/v1/shifts", json=_shift(expert["id"], T0, 3.5))
    assert first.status_code == 201
    clash = await admin.post("/v1/shifts", json=_shift(expert["id"], T0 + timedelta(hours=3), 2))
    assert clash.status_code == 409
    assert f"shift {first.json()['id']}" in clash.json()["detail"]
    inside = await admin.post("/v1/shifts", json=_shift(expert["id"], T0 + timedelta(hours=1), 1))
    assert inside.status_code == 409
    # Back-to-back is fine, and so is another expert at the same time.
    touching = await admin.post(
        "/v1/shifts", json=_shift(expert["id"], T0 + timedelta(hours=3.5), 1)
    )
    assert touching.status_code == 201
    other = await _new_expert(admin, name="韩雪")
    assert (await admin.post("/v1/shifts", json=_shift(other["id"], T0, 3.5))).status_code == 201


async def test_offsets_are_kept_as_instants(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    body = {
        "expert_id": expert["id"],
        "starts_at": "2031-06-02T08:30:00+08:00",
        "ends_at": "2031-06-02T12:00:00+08:00",
    }
    created = (await admin.post("/v1/shifts", json=body)).json()
    assert datetime.fromisoformat(created["starts_at"]) == datetime(2031, 6, 2, 0, 30, tzinfo=UTC)
    # The same span written in UTC is the same shift, so it overlaps.
    utc = {**body, "starts_at": "2031-06-02T00:30:00Z", "ends_at": "2031-06-02T04:00:00Z"}
    assert (await admin.post("/v1/shifts", json=utc)).status_code == 409


async def test_shift_lists_filter_by_window_and_expert(api: Api) -> None:
    admin = await api.admin()
    a, b = await _new_expert(admin), await _new_expert(admin, name="韩雪")
    for expert in (a, b):
        for day in range(3):
            response = await admin.post(
                "/v1/shifts", json=_shift(expert["id"], T0 + timedelta(days=day), 3)
            )
            assert response.status_code == 201
    window = {"from": T0.isoformat(), "to": (T0 + timedelta(days=2)).isoformat()}
    both = (await admin.get("/v1/shifts", params=window)).json()
    assert len(both) == 4
    only_a = (await admin.get("/v1/shifts", params={**window, "expert_id": a["id"]})).json()
    assert [s["expert_id"] for s in only_a] == [a["id"], a["id"]]
    assert (await admin.delete(f"/v1/shifts/{only_a[0]['id']}")).status_code == 204
    assert len((await admin.get("/v1/shifts", params=window)).json()) == 3
    assert (await admin.delete(f"/v1/shifts/{only_a[0]['id']}")).status_code == 404


async def test_ids_of_deleted_shifts_are_not_reused(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    first = (await admin.post("/v1/shifts", json=_shift(expert["id"], T0, 1))).json()
    assert (await admin.delete(f"/v1/shifts/{first['id']}")).status_code == 204
    second = (await admin.post("/v1/shifts", json=_shift(expert["id"], T0, 1))).json()
    assert second["id"] > first["id"]


async def test_deleting_an_expert_keeps_the_past_and_drops_the_future(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    now = api.clock()
    past = _shift(expert["id"], now - timedelta(days=2), 3)
    ongoing = _shift(expert["id"], now - timedelta(hours=1), 3)
    future = _shift(expert["id"], now + timedelta(days=2), 3)
    for body in (past, ongoing, future):
        assert (await admin.post("/v1/shifts", json=body)).status_code == 201
    account = {"username": "mengfan", "password": "long-enough-1"}
    assert (await admin.put(f"/v1/experts/{expert['id']}/account", json=account)).status_code == 204
    lawyer = await api.login("mengfan", "long-enough-1")

    assert (await admin.delete(f"/v1/experts/{expert['id']}")).status_code == 204

    window = {
        "from": (now - timedelta(days=3)).isoformat(),
        "to": (now + timedelta(days=3)).isoformat(),
        "expert_id": expert["id"],
    }
    kept = (await admin.get("/v1/shifts", params=window)).json()
    assert len(kept) == 2  # the past one, and the ongoing one cut short at the deletion
    assert datetime.fromisoformat(kept[1]["ends_at"]) <= api.clock()
    assert expert["id"] not in [e["id"] for e in (await admin.get("/v1/experts")).json()]
    assert (await lawyer.get("/v1/me")).status_code == 401
    login = await api.client().post("/v1/auth/login", json=account)
    assert login.status_code == 401
    assert (await admin.delete(f"/v1/experts/{expert['id']}")).status_code == 404
    again = await admin.post("/v1/shifts", json=_shift(expert["id"], T0, 1))
    assert again.status_code == 404


async def test_accounts_are_created_and_reset(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    path = f"/v1/experts/{expert['id']}/account"
    assert (
        await admin.put(path, json={"username": "mengfan", "password": "first-pass-1"})
    ).status_code == 204
    listed = (await admin.get("/v1/experts")).json()
    assert next(e for e in listed if e["id"] == expert["id"])["username"] == "mengfan"
    lawyer = await api.login("mengfan", "first-pass-1")
    assert (await lawyer.get("/v1/me")).json()["id"] == expert["id"]
    # A reset ends the sessions opened with the old password.
    assert (
        await admin.put(path, json={"username": "mengfan2", "password": "second-pass-2"})
    ).status_code == 204
    assert (await lawyer.get("/v1/me")).status_code == 401
    assert (
        await api.client().post(
            "/v1/auth/login", json={"username": "mengfan", "password": "first-pass-1"}
        )
    ).status_code == 401
    await api.login("mengfan2", "second-pass-2")


async def test_usernames_are_unique(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    for taken in ("admin", "zhangwei"):
        response = await admin.put(
            f"/v1/experts/{expert['id']}/account",
            json={"username": taken, "password": "long-enough-1"},
        )
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "username"


async def test_weak_account_input_is_refused(api: Api) -> None:
    admin = await api.admin()
    expert = await _new_expert(admin)
    response = await admin.put(
        f"/v1/experts/{expert['id']}/account", json={"username": "a b", "password": "short"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"username", "password"}


async def test_terminals_are_created_updated_and_listed(api: Api) -> None:
    admin = await api.admin()
    body = {
        "county": "康平县",
        "town": "方家屯镇",
        "village": "方家屯村",
        "site_name": "村委会便民服务室",
    }
    created = await admin.post("/v1/terminals", json=body)
    assert created.status_code == 201
    terminal = created.json()
    assert terminal["enrolled"] is False and terminal["last_seen_at"] is None
    moved = {**body, "site_name": "村党群服务中心"}
    updated = (await admin.put(f"/v1/terminals/{terminal['id']}", json=moved)).json()
    assert updated["site_name"] == "村党群服务中心"
    listed = (await admin.get("/v1/terminals")).json()
    assert listed[-1] == updated and len(listed) == 7


async def test_a_lawyer_sees_and_changes_only_their_own(api: Api) -> None:
    lawyer = await api.lawyer()
    me = (await lawyer.get("/v1/me")).json()
    assert me["name"] == "张伟" and me["username"] == "zhangwei"
    now = api.clock()
    window = {"from": now.isoformat(), "to": (now + timedelta(days=28)).isoformat()}
    shifts = (await lawyer.get("/v1/me/shifts", params=window)).json()
    assert shifts and {s["expert_id"] for s in shifts} == {me["id"]}
    away = await lawyer.put("/v1/me/availability", json={"availability": "away"})
    assert away.status_code == 200 and away.json()["availability"] == "away"
    admin = await api.admin()
    listed = (await admin.get("/v1/experts")).json()
    assert next(e for e in listed if e["id"] == me["id"])["availability"] == "away"
    bad = await lawyer.put("/v1/me/availability", json={"availability": "busy"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "availability"
