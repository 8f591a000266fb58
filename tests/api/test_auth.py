"""Login, sessions, CSRF and the throttling of failed logins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from kiosk.hub.auth import verify_password
from kiosk.hub.demo import DEMO_ADMIN, DEMO_LAWYERS
from kiosk.hub.routes import auth as auth_routes
from tests.api.conftest import Api

WRONG = {"detail": "Wrong username or password.", "errors": []}


async def _login(api: Api, username: str, password: str, address: str = "198.51.100.7") -> int:
    response = await api.client(address).post(
        "/v1/auth/login", json={"username": username, "password": password}
    )
    return response.status_code


async def test_login_sets_strict_http_only_session_and_readable_csrf_cookie(api: Api) -> None:
    client = api.client()
    response = await client.post(
        "/v1/auth/login", json={"username": "zhangwei", "password": DEMO_LAWYERS[0].password}
    )
    assert response.status_code == 200
    info = response.json()
    assert info["role"] == "lawyer" and info["display_name"] == "张伟" and info["expert_id"]
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    assert "httponly" in cookies["kiosk_session"] and "samesite=strict" in cookies["kiosk_session"]
    assert "path=/" in cookies["kiosk_session"]
    assert "httponly" not in cookies["kiosk_csrf"] and "samesite=strict" in cookies["kiosk_csrf"]
    assert client.cookies["kiosk_csrf"] == info["csrf_token"]
    session = await client.get("/v1/auth/session")
    assert session.status_code == 200 and session.json() == info


async def test_unknown_user_and_wrong_password_get_the_same_answer(api: Api) -> None:
    client = api.client()
    unknown = await client.post("/v1/auth/login", json={"username": "nobody", "password": "x"})
    wrong = await client.post("/v1/auth/login", json={"username": "admin", "password": "x"})
    assert (
        (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json()) == (401, WRONG)
    )
    assert "set-cookie" not in unknown.headers and "set-cookie" not in wrong.headers


async def test_repeated_failures_for_one_username_are_throttled_with_growing_backoff(
    api: Api,
) -> None:
    free = api.state.settings.throttle_user.free_failures
    # From different addresses: only the per-username count can be what blocks.
    for i in range(free):
        assert await _login(api, "admin", "wrong", address=f"192.0.2.{i + 1}") == 401
    response = await api.client("192.0.2.200").post(
        "/v1/auth/login", json={"username": "admin", "password": DEMO_ADMIN.password}
    )
    assert response.status_code == 429
    first_wait = int(response.headers["Retry-After"])
    assert first_wait >= 1 and "Try again" in response.json()["detail"]
    # Once the block has passed, one more failure blocks for longer.
    api.clock.advance(timedelta(seconds=first_wait))
    assert await _login(api, "admin", "wrong") == 401
    response = await api.client().post(
        "/v1/auth/login", json={"username": "admin", "password": DEMO_ADMIN.password}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > first_wait
    # Other users are not affected; and after the block the right password works again.
    assert await _login(api, "zhangwei", DEMO_LAWYERS[0].password, address="192.0.2.201") == 200
    api.clock.advance(timedelta(seconds=int(response.headers["Retry-After"])))
    assert await _login(api, "admin", DEMO_ADMIN.password) == 200


async def test_unknown_usernames_are_throttled_too(api: Api) -> None:
    for _ in range(api.state.settings.throttle_user.free_failures):
        assert await _login(api, "ghost", "x") == 401
    assert await _login(api, "ghost", "x") == 429


async def test_repeated_failures_from_one_address_are_throttled(api: Api) -> None:
    free = api.state.settings.throttle_address.free_failures
    for i in range(free):
        assert await _login(api, f"guess{i}", "x", address="203.0.113.9") == 401
    response = await api.client("203.0.113.9").post(
        "/v1/auth/login", json={"username": "admin", "password": DEMO_ADMIN.password}
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert await _login(api, "admin", DEMO_ADMIN.password, address="203.0.113.10") == 200


async def test_success_forgets_earlier_failures_of_the_username(api: Api) -> None:
    free = api.state.settings.throttle_user.free_failures
    for _ in range(free - 1):
        assert await _login(api, "admin", "wrong") == 401
    assert await _login(api, "admin", DEMO_ADMIN.password) == 200
    for _ in range(free - 1):
        assert await _login(api, "admin", "wrong") == 401
    assert await _login(api, "admin", DEMO_ADMIN.password) == 200


async def test_unsafe_methods_need_the_csrf_header(api: Api) -> None:
    admin = await api.admin()
    token = admin.headers.pop("X-CSRF-Token")
    body = {"county": "康平县", "town": "东关街道", "village": "东关村", "site_name": "便民服务室"}
    missing = await admin.post("/v1/terminals", json=body)
    assert missing.status_code == 403 and "X-CSRF-Token" in missing.json()["detail"]
    wrong = await admin.post("/v1/terminals", json=body, headers={"X-CSRF-Token": token + "x"})
    assert wrong.status_code == 403
    # Reads need none; and with the right token the write goes through.
    assert (await admin.get("/v1/terminals")).status_code == 200
    right = await admin.post("/v1/terminals", json=body, headers={"X-CSRF-Token": token})
    assert right.status_code == 201
    lawyer = await api.lawyer()
    del lawyer.headers["X-CSRF-Token"]
    response = await lawyer.put("/v1/me/availability", json={"availability": "away"})
    assert response.status_code == 403
    assert (await lawyer.post("/v1/auth/logout")).status_code == 403


async def test_terminals_need_no_csrf_token(api: Api) -> None:
    terminal = await api.terminal()
    assert "X-CSRF-Token" not in terminal.headers
    assert (await terminal.get("/v1/terminal")).status_code == 200


async def test_logout_ends_the_session(api: Api) -> None:
    lawyer = await api.lawyer()
    stolen_cookie = lawyer.cookies["kiosk_session"]
    response = await lawyer.post("/v1/auth/logout")
    assert response.status_code == 204
    assert any("kiosk_session=" in c for c in response.headers.get_list("set-cookie"))
    assert (await lawyer.get("/v1/auth/session")).status_code == 401
    replay = api.client(cookies={"kiosk_session": stolen_cookie})
    assert (await replay.get("/v1/me")).status_code == 401


async def test_sessions_expire(api: Api) -> None:
    lawyer = await api.lawyer()
    assert (await lawyer.get("/v1/me")).status_code == 200
    api.clock.advance(api.state.settings.session_lifetime + timedelta(seconds=1))
    response = await lawyer.get("/v1/me")
    assert response.status_code == 401 and response.json()["detail"]


async def test_garbage_credentials_are_401_not_500(api: Api) -> None:
    for headers in (
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "Bearer"},
        {"Cookie": "kiosk_session=nonsense"},
    ):
        response = await api.client().get("/v1/schedule", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["detail"] == "Authentication required."


async def test_unknown_users_cost_a_password_verification_too(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = verify_password

    def spy(hasher: PasswordHasher, stored: str, password: str) -> bool:
        calls.append(stored)
        return real(hasher, stored, password)

    monkeypatch.setattr(auth_routes, "verify_password", spy)
    assert await _login(api, "nobody-at-all", "whatever") == 401
    assert await _login(api, "admin", "whatever") == 401
    assert len(calls) == 2 and all(c.startswith("$argon2") for c in calls)
