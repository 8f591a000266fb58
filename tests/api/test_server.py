"""The real server: `python -m kiosk.hub --demo` in a subprocess, spoken to over TCP."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.domain import Schedule, ServiceCode
from kiosk.domain.schedule import callable_now
from tests.support import postgres
from tests.support.hub import RunningHub, running_hub
from tests.support.presence import console_open


def test_health_console_and_login(demo_hub: RunningHub) -> None:
    with demo_hub.client() as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
        root = client.get("/")
        assert root.status_code in (302, 307) and root.headers["location"] == "/console/"
        assert client.get("/console/").status_code == 200
        assert client.get("/v1/schedule").status_code == 401
    with demo_hub.client() as client:
        response = client.post(
            "/v1/auth/login",
            json={"username": demo_hub.admin.username, "password": demo_hub.admin.password},
        )
        assert response.status_code == 200
        # Loopback is plain http: a Secure cookie would be dropped by the browser.
        assert all("secure" not in c.lower() for c in response.headers.get_list("set-cookie"))
    with demo_hub.admin_client() as admin:
        assert admin.get("/v1/auth/session").json()["role"] == "admin"


def test_a_terminal_finds_someone_to_call_and_revalidates_by_etag(demo_hub: RunningHub) -> None:
    terminal_id, token = demo_hub.enrol_terminal()
    demo_hub.set_on_duty_now(demo_hub.lawyer)  # on call, whatever other tests did
    with demo_hub.terminal_client(token) as terminal, console_open(demo_hub, demo_hub.lawyer):
        profile = terminal.get("/v1/terminal").json()
        assert profile["terminal"]["id"] == terminal_id and profile["hotline"] == "12348"
        params = {"service": "duty_lawyer"}
        first = terminal.get("/v1/schedule", params=params)
        schedule = Schedule.model_validate(first.json())
        callable_ = callable_now(schedule.entries, ServiceCode.DUTY_LAWYER, datetime.now(UTC))
        assert callable_, "the demo's lawyer on call, with the console open, can be called"
        again = terminal.get(
            "/v1/schedule", params=params, headers={"If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304


def test_put_shift_now_makes_an_expert_on_duty(demo_hub: RunningHub) -> None:
    with demo_hub.admin_client() as admin:
        experts = admin.get("/v1/experts").json()
    notary = next(e for e in experts if e["group"] == "notary")
    shift = demo_hub.put_shift_now(notary["id"], hours=2)
    again = demo_hub.put_shift_now(notary["id"], hours=2)  # clears the first one
    assert again["id"] != shift["id"]
    now = datetime.now(UTC)
    with demo_hub.lawyer_client() as lawyer:
        window = {"from": now.isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
        entries = lawyer.get("/v1/schedule", params=window).json()["entries"]
    assert [e["shift_id"] for e in entries if e["expert_id"] == notary["id"]] == [again["id"]]


def test_bad_requests_over_the_wire_get_error_bodies(demo_hub: RunningHub) -> None:
    with demo_hub.admin_client() as admin:
        response = admin.post(
            "/v1/shifts", content=b"\x00garbage", headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_restarting_with_demo_does_not_reseed(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db_url = None
    if backend == "postgresql":
        cluster: postgres.Cluster = request.getfixturevalue("postgres_cluster")
        db_url = cluster.create_database("kiosk_restart")
    with running_hub(tmp_path, db_url) as hub, hub.admin_client() as admin:
        first = admin.get("/v1/experts").json()
        expert_id = first[0]["id"]
        assert admin.delete(f"/v1/experts/{expert_id}").status_code == 204
    with running_hub(tmp_path, hub.db_url) as hub, hub.admin_client() as admin:
        after = admin.get("/v1/experts").json()
        assert len(after) == len(first) - 1 and expert_id not in [e["id"] for e in after]
        assert "not seeded" in hub.log()


def test_the_server_stops_on_sigterm(tmp_path: Path) -> None:
    with running_hub(tmp_path, demo=False) as hub:
        process = hub.process
        assert httpx.get(f"{hub.base_url}/healthz").status_code == 200
    # uvicorn shuts down gracefully, then re-raises the signal as its exit status.
    assert process.returncode in (0, -signal.SIGTERM), hub.log()
    assert "Application shutdown complete" in hub.log()
