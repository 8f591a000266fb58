"""Garbage in, `ErrorBody` out: malformed JSON, unknown fields, wrong types, unknown ids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kiosk.hub.app import create_app
from tests.api.conftest import Api, Clock, settings_for

SHIFT = {
    "expert_id": 1,
    "starts_at": "2031-05-06T08:30:00+08:00",
    "ends_at": "2031-05-06T12:00:00+08:00",
}


def _is_error_body(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and set(body) == {"detail", "errors"}
        and isinstance(body["detail"], str)
        and body["detail"] != ""
        and all(set(e) == {"field", "message"} for e in body["errors"])
    )


GARBAGE: list[tuple[str, bytes, str, int]] = [
    ("not json", b"{expert_id: 1", "application/json", 422),
    ("truncated", b'{"expert_id": 1, "starts_at": "2031-', "application/json", 422),
    ("a list", b"[1, 2, 3]", "application/json", 422),
    ("a string", b'"shift"', "application/json", 422),
    ("null", b"null", "application/json", 422),
    ("empty", b"", "application/json", 422),
    ("plain text", b"expert_id=1", "text/plain", 422),
    ("form", b"expert_id=1&starts_at=x", "application/x-www-form-urlencoded", 422),
    ("binary", bytes(range(256)), "application/octet-stream", 422),
    # Not text at all: FastAPI cannot even decode it, so 400 rather than 422.
    ("bad utf-8", b'{"expert_id": "\xff\xfe"}', "application/json", 400),
]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "status"), GARBAGE, ids=[g[0] for g in GARBAGE]
)
async def test_garbage_bodies_get_error_bodies(
    api: Api, name: str, content: bytes, content_type: str, status: int
) -> None:
    admin = await api.admin()
    response = await admin.post(
        "/v1/shifts", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == status, (name, response.text)
    body = response.json()
    assert _is_error_body(body), body
    assert body["errors"] or status != 422


async def test_malformed_json_says_so(api: Api) -> None:
    admin = await api.admin()
    response = await admin.post(
        "/v1/experts", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert response.json() == {
        "detail": "body: The request body is not valid JSON.",
        "errors": [{"field": "body", "message": "The request body is not valid JSON."}],
    }


FIELD_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("unknown field", {**SHIFT, "note": "x"}, ["note"]),
    ("wrong type", {**SHIFT, "expert_id": "one"}, ["expert_id"]),
    ("not a datetime", {**SHIFT, "starts_at": "monday"}, ["starts_at"]),
    ("naive datetime", {**SHIFT, "ends_at": "2031-05-06T12:00:00"}, ["ends_at"]),
    ("missing", {"expert_id": 1}, ["starts_at", "ends_at"]),
    ("zero id", {**SHIFT, "expert_id": 0}, ["expert_id"]),
    ("backwards", {**SHIFT, "ends_at": "2031-05-06T08:00:00+08:00"}, ["ends_at"]),
    ("two days", {**SHIFT, "ends_at": "2031-05-08T08:00:00+08:00"}, ["ends_at"]),
]


@pytest.mark.parametrize(("name", "body", "fields"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
async def test_validation_errors_name_each_field(
    api: Api, name: str, body: dict[str, Any], fields: list[str]
) -> None:
    admin = await api.admin()
    response = await admin.post("/v1/shifts", json=body)
    assert response.status_code == 422, name
    answer = response.json()
    assert _is_error_body(answer)
    assert [e["field"] for e in answer["errors"]] == fields
    assert answer["detail"].startswith(f"{fields[0]}: ")


async def test_the_documented_example_shape(api: Api) -> None:
    admin = await api.admin()
    response = await admin.post("/v1/shifts", json={**SHIFT, "starts_at": "soon"})
    body = response.json()
    assert body["detail"] == f"starts_at: {body['errors'][0]['message']}"
    assert body["errors"][0]["field"] == "starts_at"
    assert "valid datetime" in body["errors"][0]["message"]


async def test_errors_do_not_echo_input(api: Api) -> None:
    client = api.client()
    secret = "hunter2-" * 40  # too long: fails validation
    response = await client.post("/v1/auth/login", json={"username": "admin", "password": secret})
    assert response.status_code == 422
    assert "hunter2" not in response.text


async def test_nested_fields_are_named_with_dots(api: Api) -> None:
    admin = await api.admin()
    body = {"name": "李娜", "group": "notary", "services": ["legal_consultation", "divorce"]}
    response = await admin.post("/v1/experts", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["services.1"]


async def test_expert_and_terminal_fields(api: Api) -> None:
    admin = await api.admin()
    expert = await admin.post(
        "/v1/experts", json={"name": " ", "group": "judge", "services": [], "organisation": 5}
    )
    assert expert.status_code == 422
    assert {e["field"] for e in expert.json()["errors"]} == {
        "name",
        "group",
        "services",
        "organisation",
    }
    terminal = await admin.post("/v1/terminals", json={"county": "x" * 81})
    assert {e["field"] for e in terminal.json()["errors"]} == {
        "county",
        "town",
        "village",
        "site_name",
    }


UNKNOWN_IDS = [
    ("PUT", "/v1/experts/999", {"name": "某某", "group": "lawyer", "services": ["legal_aid"]}),
    ("DELETE", "/v1/experts/999", None),
    ("PUT", "/v1/experts/999/account", {"username": "someone", "password": "long-enough-1"}),
    ("POST", "/v1/shifts", {**SHIFT, "expert_id": 999}),
    ("DELETE", "/v1/shifts/999999", None),
    (
        "PUT",
        "/v1/terminals/999",
        {"county": "康平县", "town": "两家子乡", "village": "两家子村", "site_name": "村委会"},
    ),
    ("POST", "/v1/terminals/999/enrolment-code", None),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), UNKNOWN_IDS, ids=[f"{m} {p}" for m, p, _ in UNKNOWN_IDS]
)
async def test_unknown_ids_are_404(api: Api, method: str, path: str, body: Any) -> None:
    admin = await api.admin()
    response = await admin.request(method, path, json=body)
    assert response.status_code == 404
    assert _is_error_body(response.json()) and "999" in response.json()["detail"]


async def test_non_integer_ids_name_the_path_parameter(api: Api) -> None:
    admin = await api.admin()
    response = await admin.delete("/v1/shifts/abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shift_id"


async def test_unknown_routes_and_methods(api: Api) -> None:
    client = api.client()
    missing = await client.get("/v1/nothing-here")
    assert missing.status_code == 404 and _is_error_body(missing.json())
    wrong_method = await client.delete("/v1/services")
    assert wrong_method.status_code == 405 and _is_error_body(wrong_method.json())


async def test_crashes_answer_500_without_a_traceback(api: Api, app: FastAPI) -> None:
    def explode() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_api_route("/boom", explode)
    response = await api.client().get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "errors": []}


async def test_health_says_503_when_the_database_is_gone(clock: Clock) -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    app = create_app(settings_for("postgresql://nobody@127.0.0.1:1/none", clock))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"detail": "The database does not answer.", "errors": []}
