"""Every route against every principal: anonymous 401, wrong role 403, right role 2xx."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from kiosk.hub.app import create_app
from kiosk.hub.settings import HubSettings
from kiosk.hub.tables import CallbackRequestRow
from tests.api.calls import insert_consultation
from tests.api.conftest import Api

TERMINAL, LAWYER, ADMIN = "terminal", "lawyer", "admin"
ROLES = (TERMINAL, LAWYER, ADMIN)
# Open to anyone: they are tested on their own (login, enrolment, health).
PUBLIC = {("GET", "/healthz"), ("POST", "/v1/auth/login"), ("POST", "/v1/terminals/enroll")}

Request = tuple[str, dict[str, Any]]  # path, extra httpx arguments
Setup = Callable[[Api], Awaitable[Request]]


def _soon(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(days=60, hours=hours)).isoformat()


async def _fixed(path: str, **kwargs: Any) -> Request:
    return path, kwargs


async def _new_expert(api: Api) -> int:
    admin = await api.admin()
    body = {"name": "测试专家", "group": "lawyer", "services": ["legal_aid"]}
    response = await admin.post("/v1/experts", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _new_shift(api: Api) -> int:
    admin = await api.admin()
    body = {"expert_id": await _new_expert(api), "starts_at": _soon(0), "ends_at": _soon(2)}
    response = await admin.post("/v1/shifts", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _callback_path(api: Api) -> Request:
    with api.state.sessions() as db:
        row = CallbackRequestRow(
            consultation_id=uuid4(),
            terminal_id=1,
            phone="13812345678",
            created_at=datetime.now(UTC),
        )
        db.add(row)
        db.commit()
        return f"/v1/callbacks/{row.id}/done", {}


async def _record_upload(_api: Api) -> Request:
    event = {
        "id": str(uuid4()),
        "seq": 1,
        "kind": "requested",
        "at": datetime.now(UTC).isoformat(),
        "mono_s": 0,
        "service": "legal_aid",
    }
    return f"/v1/records/{uuid4()}", {"json": {"events": [event]}}


async def _record_path(api: Api) -> Request:
    path, kwargs = await _record_upload(api)
    # Not terminal 1: enrolling it again would revoke the token of the table's terminal.
    terminal = await api.terminal(2)
    response = await terminal.put(path, **kwargs)
    assert response.status_code == 200, response.text
    return path, {}


async def _outcome_path(api: Api) -> Request:
    # Accepted by the first demo lawyer, who is the LAWYER principal of this table.
    cid = insert_consultation(api.state.sessions, accepted_by=await api.expert_id("张伟"))
    return f"/v1/consultations/{cid}/outcome", {"json": {"outcome": "answered"}}


EXPERT_BODY = {"name": "李娜", "group": "notary", "services": ["legal_consultation"]}
TERMINAL_BODY = {
    "county": "法库县",
    "town": "叶茂台镇",
    "village": "叶茂台村",
    "site_name": "村委会",
}


async def _expert_path(api: Api, suffix: str = "", **kwargs: Any) -> Request:
    return f"/v1/experts/{await _new_expert(api)}{suffix}", kwargs


async def _shift_body(api: Api) -> Request:
    body = {"expert_id": await _new_expert(api), "starts_at": _soon(0), "ends_at": _soon(3)}
    return "/v1/shifts", {"json": body}


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route's path template, as FastAPI knows it
    allowed: tuple[str, ...]
    ok: int
    setup: Setup


CASES: tuple[Case, ...] = (
    Case("POST", "/v1/auth/logout", (LAWYER, ADMIN), 204, lambda _: _fixed("/v1/auth/logout")),
    Case("GET", "/v1/auth/session", (LAWYER, ADMIN), 200, lambda _: _fixed("/v1/auth/session")),
    Case("GET", "/v1/services", ROLES, 200, lambda _: _fixed("/v1/services")),
    Case("GET", "/v1/expert-groups", ROLES, 200, lambda _: _fixed("/v1/expert-groups")),
    Case("GET", "/v1/schedule", ROLES, 200, lambda _: _fixed("/v1/schedule")),
    Case("GET", "/v1/terminal", (TERMINAL,), 200, lambda _: _fixed("/v1/terminal")),
    Case("GET", "/v1/me", (LAWYER,), 200, lambda _: _fixed("/v1/me")),
    Case("GET", "/v1/me/shifts", (LAWYER,), 200, lambda _: _fixed("/v1/me/shifts")),
    Case(
        "PUT",
        "/v1/me/availability",
        (LAWYER,),
        200,
        lambda _: _fixed("/v1/me/availability", json={"availability": "away"}),
    ),
    Case("GET", "/v1/experts", (ADMIN,), 200, lambda _: _fixed("/v1/experts")),
    Case("POST", "/v1/experts", (ADMIN,), 201, lambda _: _fixed("/v1/experts", json=EXPERT_BODY)),
    Case(
        "PUT",
        "/v1/experts/{expert_id}",
        (ADMIN,),
        200,
        lambda api: _expert_path(api, json=EXPERT_BODY),
    ),
    Case("DELETE", "/v1/experts/{expert_id}", (ADMIN,), 204, _expert_path),
    Case(
        "PUT",
        "/v1/experts/{expert_id}/account",
        (ADMIN,),
        204,
        lambda api: _expert_path(
            api, "/account", json={"username": "lina", "password": "long-enough-1"}
        ),
    ),
    Case("GET", "/v1/shifts", (ADMIN,), 200, lambda _: _fixed("/v1/shifts")),
    Case("POST", "/v1/shifts", (ADMIN,), 201, _shift_body),
    Case(
        "DELETE",
        "/v1/shifts/{shift_id}",
        (ADMIN,),
        204,
        lambda api: _in_path("/v1/shifts/{}", _new_shift(api)),
    ),
    Case("GET", "/v1/terminals", (ADMIN,), 200, lambda _: _fixed("/v1/terminals")),
    Case(
        "POST",
        "/v1/terminals",
        (ADMIN,),
        201,
        lambda _: _fixed("/v1/terminals", json=TERMINAL_BODY),
    ),
    Case(
        "PUT",
        "/v1/terminals/{terminal_id}",
        (ADMIN,),
        200,
        lambda _: _fixed("/v1/terminals/2", json=TERMINAL_BODY),
    ),
    Case(
        "POST",
        "/v1/terminals/{terminal_id}/enrolment-code",
        (ADMIN,),
        201,
        lambda _: _fixed("/v1/terminals/3/enrolment-code"),
    ),
    Case("GET", "/v1/ice-servers", (TERMINAL, LAWYER), 200, lambda _: _fixed("/v1/ice-servers")),
    Case(
        "POST",
        "/v1/callbacks",
        (TERMINAL,),
        201,
        lambda _: _fixed(
            "/v1/callbacks", json={"consultation_id": str(uuid4()), "phone": "13812345678"}
        ),
    ),
    Case("GET", "/v1/callbacks", (LAWYER, ADMIN), 200, lambda _: _fixed("/v1/callbacks")),
    Case("PUT", "/v1/callbacks/{callback_id}/done", (LAWYER, ADMIN), 204, _callback_path),
    Case("GET", "/v1/consultations", (LAWYER, ADMIN), 200, lambda _: _fixed("/v1/consultations")),
    Case(
        "PUT",
        "/v1/consultations/{consultation_id}/outcome",
        (LAWYER,),
        204,
        _outcome_path,
    ),
    Case("PUT", "/v1/records/{consultation_id}", (TERMINAL,), 200, _record_upload),
    Case("GET", "/v1/records", (ADMIN,), 200, lambda _: _fixed("/v1/records")),
    Case("GET", "/v1/records/{consultation_id}", (ADMIN,), 200, _record_path),
    Case(
        "GET", "/v1/reports/subsidy", (LAWYER, ADMIN), 200, lambda _: _fixed("/v1/reports/subsidy")
    ),
    Case(
        "GET",
        "/v1/reports/subsidy.csv",
        (LAWYER, ADMIN),
        200,
        lambda _: _fixed("/v1/reports/subsidy.csv"),
    ),
)


async def _in_path(template: str, ident: Awaitable[int]) -> Request:
    return template.format(await ident), {}


def test_every_route_is_in_the_table() -> None:
    app = create_app(HubSettings(db_url="sqlite://", password_hash_fast=True))
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    table = {(case.method, case.route) for case in CASES}
    assert routes - PUBLIC == table, "add new routes to CASES (and their roles to the contract)"


async def _principals(api: Api) -> dict[str, httpx.AsyncClient]:
    return {
        "anonymous": api.client(),
        TERMINAL: await api.terminal(),
        LAWYER: await api.lawyer(),
        ADMIN: await api.admin(),
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.route}")
async def test_role_checks(api: Api, case: Case) -> None:
    clients = await _principals(api)
    path, kwargs = await case.setup(api)
    seen: dict[str, int] = {}
    # Refusals first, so a DELETE still has its target when the right role comes.
    order = ["anonymous", *(r for r in ROLES if r not in case.allowed), *case.allowed]
    for who in order:
        response = await clients[who].request(case.method, path, **kwargs)
        seen[who] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"detail", "errors"}, response.text
    expected = {
        who: 401 if who == "anonymous" else case.ok if who in case.allowed else 403 for who in order
    }
    assert seen == expected
