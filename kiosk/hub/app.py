"""The hub as an ASGI app: `create_app(settings)`."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

import kiosk
from kiosk.hub import demo, errors
from kiosk.hub.auth import make_hasher
from kiosk.hub.db import make_engine, make_sessionmaker, migrate
from kiosk.hub.routes import ROUTERS
from kiosk.hub.settings import HubSettings
from kiosk.hub.signaling.switchboard import Switchboard
from kiosk.hub.state import HubState

log = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).with_name("console")

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def prepare_database(state: HubState) -> None:
    """Migrate to head, then seed demo data if asked and the database is empty."""
    migrate(state.engine)
    if state.settings.seed_demo:
        with state.sessions() as db:
            if demo.seed(db, state.hasher, state.now()):
                log.info("seeded demo data")
            else:
                log.info("database not empty: demo data not seeded")
                if demo.ensure_on_call(db, state.now()):
                    log.info("added a demo on-call shift covering now")


def create_app(settings: HubSettings) -> FastAPI:
    engine = make_engine(settings.db_url)
    hasher = make_hasher(settings.password_hash_fast)
    sessions = make_sessionmaker(engine)
    state = HubState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        hasher=hasher,
        dummy_hash=hasher.hash(secrets.token_urlsafe(16)),
        switchboard=Switchboard(settings, sessions),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        prepare_database(state)
        try:
            await state.switchboard.start()
            yield
        finally:
            await state.switchboard.stop()
            engine.dispose()

    app = FastAPI(
        title="Village legal-service hub",
        version=kiosk.__version__,
        description="Central API of the village legal-service kiosks (docs/api-contract.md).",
        lifespan=lifespan,
    )
    app.state.hub = state
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/v1/"):
            # Answers carry personal and session data: no cache keeps them unless a route says so.
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.url.path.startswith("/console/"):
            # Revalidate every time, so an upgraded hub never serves a mix of old and new scripts.
            response.headers.setdefault("Cache-Control", "no-cache")
        return response

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/")

    _mount_console(app)
    return app


def _mount_console(app: FastAPI) -> None:
    try:
        CONSOLE_DIR.mkdir(exist_ok=True)
    except OSError:
        log.warning("cannot create %s; the console will answer 404", CONSOLE_DIR)
    app.mount(
        "/console",
        StaticFiles(directory=CONSOLE_DIR, html=True, check_dir=False),
        name="console",
    )
