"""The hub in-process, on a fresh demo database per test, on SQLite and on PostgreSQL.

Migrating and seeding once per backend into a template, then copying it
(a file copy; `CREATE DATABASE ... TEMPLATE`), keeps a fresh database per test cheap.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kiosk.hub.app import create_app, prepare_database
from kiosk.hub.demo import DEMO_ADMIN, DEMO_LAWYERS
from kiosk.hub.settings import HubSettings
from kiosk.hub.state import HubState
from tests.support import postgres
from tests.support.served import ServedHub, served_hub

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
TEMPLATE_DB = "kiosk_template"
CLIENT_ADDRESS = "198.51.100.7"
_names = itertools.count()


class Clock:
    """Real time plus an offset the test can advance: expiry without sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def settings_for(db_url: str, clock: Clock | None = None, **overrides: Any) -> HubSettings:
    return HubSettings(
        db_url=db_url,
        password_hash_fast=True,
        secure_cookies=False,
        clock=clock or Clock(),
        **overrides,
    )


def _build_template(db_url: str) -> None:
    app = create_app(settings_for(db_url, seed_demo=True))
    state: HubState = app.state.hub
    prepare_database(state)
    state.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hub.sqlite3"
    _build_template(f"sqlite:///{path}")
    # The last connection closed checkpointed the WAL, so the main file is the whole database.
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: postgres.Cluster) -> str:
    _build_template(postgres_cluster.create_database(TEMPLATE_DB))
    return TEMPLATE_DB


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database holding the demo data, on the backend under test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "hub.sqlite3"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    cluster: postgres.Cluster = request.getfixturevalue("postgres_cluster")
    template_name: str = request.getfixturevalue("postgres_template")
    return cluster.create_database(f"kiosk_{next(_names)}", template=template_name)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database (no schema) on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    cluster: postgres.Cluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"kiosk_empty_{next(_names)}")


@dataclass
class Api:
    """The app under test and logged-in clients of it (closed by the fixture)."""

    app: FastAPI
    clock: Clock
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def state(self) -> HubState:
        state: HubState = self.app.state.hub
        return state

    def client(self, address: str = CLIENT_ADDRESS, **kwargs: Any) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(
            app=self.app, raise_app_exceptions=False, client=(address, 40000)
        )
        client = httpx.AsyncClient(transport=transport, base_url="http://hub.test", **kwargs)
        self._clients.append(client)
        return client

    async def login(self, username: str, password: str) -> httpx.AsyncClient:
        client = self.client()
        response = await client.post(
            "/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    async def admin(self) -> httpx.AsyncClient:
        return await self.login(DEMO_ADMIN.username, DEMO_ADMIN.password)

    async def lawyer(self, index: int = 0) -> httpx.AsyncClient:
        return await self.login(DEMO_LAWYERS[index].username, DEMO_LAWYERS[index].password)

    async def enrol(self, terminal_id: int = 1) -> str:
        admin = await self.admin()
        code = (await admin.post(f"/v1/terminals/{terminal_id}/enrolment-code")).json()["code"]
        response = await self.client().post("/v1/terminals/enroll", json={"code": code})
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    async def terminal(self, terminal_id: int = 1) -> httpx.AsyncClient:
        token = await self.enrol(terminal_id)
        return self.client(headers={"Authorization": f"Bearer {token}"})

    async def expert_id(self, name: str) -> int:
        admin = await self.admin()
        experts = (await admin.get("/v1/experts")).json()
        return next(int(e["id"]) for e in experts if e["name"] == name)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


def make_app(db_url: str, clock: Clock, **overrides: Any) -> Iterator[FastAPI]:
    app = create_app(settings_for(db_url, clock, **overrides))
    state: HubState = app.state.hub
    # What the lifespan does; httpx's ASGI transport does not run lifespans.
    prepare_database(state)
    try:
        yield app
    finally:
        state.engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(db_url: str, clock: Clock) -> Iterator[FastAPI]:
    yield from make_app(db_url, clock)


@pytest.fixture
async def api(app: FastAPI, clock: Clock) -> AsyncIterator[Api]:
    harness = Api(app=app, clock=clock)
    try:
        yield harness
    finally:
        await harness.aclose()


# --- the hub served on a real socket, for signaling (WebSocket) tests ----------------------

# Short enough that no test waits long, long enough that a slow machine never trips them.
SIGNAL_OVERRIDES: dict[str, Any] = {"ring_timeout": timedelta(seconds=30)}


@pytest.fixture
def serve_hub(db_url: str, clock: Clock) -> Iterator[Callable[..., ServedHub]]:
    """`serve_hub(**settings)`: the demo hub on this test's database, served on a loopback
    port with these HubSettings overrides; stopped at the end of the test."""
    stack = ExitStack()

    def start(**overrides: Any) -> ServedHub:
        app = create_app(settings_for(db_url, clock, **{**SIGNAL_OVERRIDES, **overrides}))
        return stack.enter_context(served_hub(app))

    with stack:
        yield start


@pytest.fixture
def hub(serve_hub: Callable[..., ServedHub]) -> ServedHub:
    """The demo hub served on a loopback port with the signaling test settings."""
    return serve_hub()
