"""Terminal enrolment: one-time, expiring codes; re-enrolment revokes the old token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kiosk.hub.tables import TerminalRow
from tests.api.conftest import Api

BAD_CODE = "Unknown, used or expired enrolment code."


async def _code(api: Api, terminal_id: int = 1) -> str:
    admin = await api.admin()
    response = await admin.post(f"/v1/terminals/{terminal_id}/enrolment-code")
    assert response.status_code == 201
    body = response.json()
    assert body["terminal_id"] == terminal_id and body["expires_at"]
    code: str = body["code"]
    return code


async def _enrol(api: Api, code: str, address: str = "198.51.100.7") -> tuple[int, dict[str, Any]]:
    response = await api.client(address).post("/v1/terminals/enroll", json={"code": code})
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def test_a_code_enrols_once(api: Api) -> None:
    code = await _code(api, 2)
    status, result = await _enrol(api, code)
    assert status == 200 and result["terminal_id"] == 2 and len(result["token"]) >= 32
    status, again = await _enrol(api, code)
    assert status == 401
    assert again["errors"] == [{"field": "code", "message": BAD_CODE}]


async def test_codes_are_forgiving_about_case_and_dashes(api: Api) -> None:
    code = await _code(api)
    status, _ = await _enrol(api, " " + code.replace("-", " ").lower() + " ")
    assert status == 200


async def test_a_code_expires(api: Api) -> None:
    code = await _code(api)
    api.clock.advance(api.state.settings.enrolment_code_lifetime + timedelta(seconds=1))
    status, _ = await _enrol(api, code)
    assert status == 401


async def test_a_new_code_replaces_the_old_one(api: Api) -> None:
    old = await _code(api)
    new = await _code(api)
    assert (await _enrol(api, old))[0] == 401
    assert (await _enrol(api, new))[0] == 200


async def test_re_enrolling_revokes_the_old_token(api: Api) -> None:
    _, first = await _enrol(api, await _code(api))
    _, second = await _enrol(api, await _code(api))
    old = api.client(headers={"Authorization": f"Bearer {first['token']}"})
    new = api.client(headers={"Authorization": f"Bearer {second['token']}"})
    assert (await old.get("/v1/terminal")).status_code == 401
    profile = await new.get("/v1/terminal")
    assert profile.status_code == 200
    body = profile.json()
    assert body["terminal"]["enrolled"] is True and body["terminal"]["last_seen_at"]
    assert body["bureau_name"] == "沈阳市公共法律服务中心" and body["hotline"] == "12348"


async def test_the_token_is_stored_only_as_a_hash(api: Api) -> None:
    _, result = await _enrol(api, await _code(api))
    admin = await api.admin()
    listed = (await admin.get("/v1/terminals")).json()
    assert result["token"] not in str(listed)
    with api.state.sessions() as db:
        row = db.get(TerminalRow, 1)
        assert row is not None and row.token_hash is not None
        assert result["token"] not in row.token_hash


async def test_guessing_codes_is_throttled(api: Api) -> None:
    for _ in range(api.state.settings.throttle_enrol.free_failures):
        assert (await _enrol(api, "AAAA-BBBB-CCCC", address="203.0.113.50"))[0] == 401
    response = await api.client("203.0.113.50").post(
        "/v1/terminals/enroll", json={"code": await _code(api)}
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
