"""The terminal's signaling socket: `WS /v1/signal/terminal` (docs/signaling.md).

One `SignalClient` lives as long as the app: it connects with the terminal's
Bearer token, sends `ping` every 20 s, reconnects with exponential backoff and
jitter, and hands every well-formed message (`kiosk.domain.signaling.TO_TERMINAL`)
to its subscribers. Anything else (not JSON, unknown type, a binary frame) is
logged, counted and dropped; the socket stays open.

Consultations come and go on top of it (`subscribe` returns the unsubscribe).
A message sent while the link is down is dropped (`send` returns False) unless
`keep=True`: then it waits in a short queue for the next connection (used for
`call.cancel` and `call.hangup`, which the hub must hear even late).

The socket is injected (`connect=`), websockets' client by default; tests use
a real local websockets server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from kiosk.call.events import EventSink, LinkChanged, discard
from kiosk.domain.signaling import TO_TERMINAL, Ping, Pong, ToTerminal

log = logging.getLogger(__name__)

PATH = "/v1/signal/terminal"
# closes the hub uses (docs/signaling.md): no point hammering it
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY_REFUSED = 4429
MAX_MESSAGE = 256 * 1024


class SignalSocket(Protocol):
    """The part of a websockets connection the client uses."""

    async def send(self, message: str) -> None: ...

    async def recv(self) -> str | bytes: ...


Connector = Callable[[str, dict[str, str]], AbstractAsyncContextManager[SignalSocket]]


def websockets_connector(*, open_timeout: float = 10, keepalive_s: float = 20) -> Connector:
    """websockets' client: protocol-level keepalive too, bounded message size."""

    def connect(url: str, headers: dict[str, str]) -> AbstractAsyncContextManager[SignalSocket]:
        cm: AbstractAsyncContextManager[SignalSocket] = ws_connect(
            url,
            additional_headers=headers,
            open_timeout=open_timeout,
            ping_interval=keepalive_s,
            ping_timeout=keepalive_s,
            close_timeout=5,
            max_size=MAX_MESSAGE,
        )
        return cm

    return connect


def signal_url(hub_url: str) -> str:
    """`https://hub:443` -> `wss://hub:443/v1/signal/terminal`."""
    parts = urlsplit(hub_url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None:
        raise ValueError(f"not an http(s) address: {hub_url!r}")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + PATH, "", ""))


class LinkState(StrEnum):
    NEW = "new"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    WAITING = "waiting"  # disconnected, backing off before the next try
    CLOSED = "closed"


class SignalClient:
    def __init__(
        self,
        url: str,
        token: str | Callable[[], str],
        *,
        on_event: EventSink = discard,
        connect: Connector | None = None,
        ping_interval_s: float = 20.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        auth_backoff_s: float = 60.0,
        keep_max: int = 32,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.url = url
        self._token = token
        self._on_event = on_event
        self._connect = connect or websockets_connector()
        self.ping_interval_s = ping_interval_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.auth_backoff_s = auth_backoff_s
        self._rng = rng
        self.state = LinkState.NEW
        self._socket: SignalSocket | None = None
        self._task: asyncio.Task[None] | None = None
        self._subscribers: list[Callable[[ToTerminal], None]] = []
        self._link_subscribers: list[Callable[[bool], None]] = []
        self._kept: deque[BaseModel] = deque(maxlen=keep_max)
        self._up = asyncio.Event()
        self.connections = 0
        self.received = 0
        self.refused = 0
        self.last_close: str = ""

    # --- state ---------------------------------------------------------------------------

    def _set_state(self, new: LinkState, detail: str = "") -> None:
        old = self.state
        if old == new:
            return
        self.state = new
        log.info("signal link: %s -> %s%s", old, new, f" ({detail})" if detail else "")
        was_up, up = old == LinkState.CONNECTED, new == LinkState.CONNECTED
        if was_up != up:
            if up:
                self._up.set()
            else:
                self._up.clear()
            self._on_event(LinkChanged(up, detail))
            for callback in list(self._link_subscribers):
                callback(up)

    @property
    def up(self) -> bool:
        return self.state == LinkState.CONNECTED

    async def wait_up(self, timeout: float | None = None) -> None:
        async with asyncio.timeout(timeout):
            await self._up.wait()

    def subscribe(self, callback: Callable[[ToTerminal], None],
                  on_link: Callable[[bool], None] | None = None) -> Callable[[], None]:
        """Messages (and, if given, link up/down) until the returned function is called."""
        self._subscribers.append(callback)
        if on_link is not None:
            self._link_subscribers.append(on_link)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)
            if on_link is not None:
                with contextlib.suppress(ValueError):
                    self._link_subscribers.remove(on_link)

        return unsubscribe

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> SignalClient:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="signal-client")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._set_state(LinkState.CLOSED)

    # --- sending -------------------------------------------------------------------------------

    async def send(self, message: BaseModel, *, keep: bool = False) -> bool:
        """Send now; False if the link is down (then, with `keep`, sent on reconnect)."""
        socket = self._socket
        if socket is not None:
            try:
                await socket.send(message.model_dump_json())
                return True
            except ConnectionClosed:
                pass
        if keep:
            self._kept.append(message)
            log.info("signal link down: %s kept for the next connection",
                     getattr(message, "type", "message"))
        return False

    # --- the connection loop -------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        token = self._token() if callable(self._token) else self._token
        return {"Authorization": f"Bearer {token}"}

    def _delay(self, failures: int) -> float:
        base = min(self.backoff_max_s, self.backoff_initial_s * 2.0 ** min(failures, 16))
        return float(base * (0.5 + self._rng() / 2))  # "equal jitter": never zero, never in step

    async def _run(self) -> None:
        failures = 0
        while True:
            self._set_state(LinkState.CONNECTING)
            delay_floor = 0.0
            detail = ""
            try:
                async with self._connect(self.url, self._headers()) as socket:
                    self._socket = socket
                    self.connections += 1
                    failures = 0
                    self._set_state(LinkState.CONNECTED)
                    await self._flush_kept(socket)
                    pinger = asyncio.create_task(self._pinger(socket), name="signal-ping")
                    try:
                        while True:
                            self._dispatch(await socket.recv())
                    finally:
                        pinger.cancel()
                        with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                            await pinger
            except asyncio.CancelledError:
                self._socket = None
                raise
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
                detail = f"closed ({code} {exc.rcvd.reason if exc.rcvd else ''})".strip()
                if code in (CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN, CLOSE_TOO_MANY_REFUSED):
                    delay_floor = self.auth_backoff_s
                    log.warning("signal link refused by the hub: %s", detail)
            except InvalidStatus as exc:
                status = exc.response.status_code
                detail = f"HTTP {status} on upgrade"
                if status in (401, 403):
                    delay_floor = self.auth_backoff_s
                    log.warning("signal link refused by the hub: %s", detail)
            except (OSError, TimeoutError, InvalidHandshake) as exc:
                detail = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # a bug of a connector must not end the loop
                detail = f"{type(exc).__name__}: {exc}"
                log.exception("signal link: unexpected error")
            self._socket = None
            self.last_close = detail
            delay = max(delay_floor, self._delay(failures))
            failures += 1
            self._set_state(LinkState.WAITING, f"{detail}; next try in {delay:.1f} s")
            await asyncio.sleep(delay)

    async def _flush_kept(self, socket: SignalSocket) -> None:
        while self._kept:
            message = self._kept[0]
            await socket.send(message.model_dump_json())
            self._kept.popleft()

    async def _pinger(self, socket: SignalSocket) -> None:
        ping = Ping().model_dump_json()
        while True:
            await asyncio.sleep(self.ping_interval_s)
            await socket.send(ping)

    def _dispatch(self, raw: str | bytes) -> None:
        if isinstance(raw, bytes):
            self._refuse(f"a binary frame of {len(raw)} bytes")
            return
        try:
            message = TO_TERMINAL.validate_json(raw)
        except ValidationError as exc:
            errors = exc.errors()
            why = errors[0]["msg"] if errors else "invalid"
            self._refuse(f"{raw[:80]!r}: {why}")
            return
        self.received += 1
        if isinstance(message, Pong):
            return
        for callback in list(self._subscribers):
            try:
                callback(message)
            except Exception:
                log.exception("signal link: a subscriber failed on %s", message.type)

    def _refuse(self, what: str) -> None:
        self.refused += 1
        log.warning("signal link: refused %s", what)
