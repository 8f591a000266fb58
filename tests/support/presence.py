"""A lawyer's console tab without a browser, answering the hub's heartbeat, so the lawyer
counts as reachable for as long as it is open (docs/signaling.md, "Presence")."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.support.hub import Credentials, HubAccess


@contextmanager
def console_open(hub: HubAccess, credentials: Credentials) -> Iterator[None]:
    """The lawyer's console socket, open and answering pings in a thread of its own; the
    block starts once the hub counts it (`/v1/me` says the console is connected)."""
    lawyer = hub.login(credentials)
    cookie = "; ".join(f"{name}={value}" for name, value in lawyer.cookies.items())
    url = hub.base_url.replace("http://", "ws://") + "/v1/signal/console"
    stop = threading.Event()
    with connect(
        url, origin=Origin(hub.base_url), additional_headers={"Cookie": cookie}, proxy=None
    ) as ws:

        def answer() -> None:
            while not stop.is_set():
                try:
                    raw = ws.recv(timeout=0.2)
                except TimeoutError:
                    continue
                except ConnectionClosed:
                    return
                if json.loads(raw).get("type") == "ping":
                    ws.send('{"type": "pong"}')

        thread = threading.Thread(target=answer, name=f"console of {credentials.username}")
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not lawyer.get("/v1/me").json()["console_connected"]:
                assert time.monotonic() < deadline, "the hub never saw the console connect"
                time.sleep(0.05)
            yield
        finally:
            stop.set()
            thread.join(5)
            lawyer.close()
