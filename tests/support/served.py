"""An app built in the test process, served by uvicorn on a loopback port in its own thread.

For tests that need real sockets (WebSockets) and settings of their own
(short timeouts, a TURN secret, a clock), which the subprocess hub cannot take.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from kiosk.hub.demo import DEMO_ADMIN, DEMO_LAWYERS
from kiosk.hub.server import WS_MAX_SIZE
from tests.support.hub import Credentials, HubAccess, HubStartError
from tests.support.net import free_port


@dataclass
class ServedHub(HubAccess):
    """A demo hub served in this process: the sync helpers of `HubAccess`, plus the app."""

    app: FastAPI


@contextmanager
def serve_app(app: FastAPI, startup_timeout: float = 30.0) -> Iterator[str]:
    """Serve `app` (lifespan included) on 127.0.0.1; yields its base URL; stops it after."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        ws_max_size=WS_MAX_SIZE,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            raise HubStartError("the in-process hub stopped while starting")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise HubStartError(f"the in-process hub did not start in {startup_timeout} s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@contextmanager
def served_hub(app: FastAPI) -> Iterator[ServedHub]:
    """`app` must hold the demo data (e.g. built on the `db_url` fixture of tests/api)."""
    with serve_app(app) as base_url:
        lawyer = DEMO_LAWYERS[0]
        yield ServedHub(
            base_url=base_url,
            admin=Credentials(DEMO_ADMIN.username, DEMO_ADMIN.password),
            lawyer=Credentials(lawyer.username, lawyer.password),
            app=app,
        )
