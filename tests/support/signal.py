"""Signaling sockets of a hub, as a terminal and as a lawyer's console tab see them.

    async with await terminal_socket(hub, token) as kiosk, \\
               await console_socket(hub, hub.lawyer) as console:
        await kiosk.send(CallRequest(...))
        ringing = await console.expect("call.ringing")

`hub` is anything with a `base_url` (`RunningHub`, `ServedHub`).
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.hub import Credentials

TERMINAL_PATH = "/v1/signal/terminal"
CONSOLE_PATH = "/v1/signal/console"
DEFAULT_TIMEOUT = 5.0
# What the hub sends of its own accord, whatever a test is doing: `recv` sets these aside
# (they are found by `expect` and `wait_for` of their type) and answers the heartbeat.
AMBIENT = frozenset({"ping", "presence", "call.current"})


class HasBaseUrl(Protocol):
    @property
    def base_url(self) -> str: ...


def ws_url(base_url: str, path: str) -> str:
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


class SignalSocket:
    """A connected signaling socket: JSON in and out, with timeouts that fail tests clearly."""

    def __init__(self, connection: ClientConnection, who: str) -> None:
        self.connection = connection
        self.who = who
        self.aside: list[dict[str, Any]] = []  # ambient messages not yet asked for
        self.unread: list[dict[str, Any]] = []  # others read by `wait_for`, for `recv`
        self.answer_pings = True  # False: a tab whose network lets nothing in

    async def __aenter__(self) -> SignalSocket:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def send(self, message: BaseModel | dict[str, Any]) -> None:
        """A contract model (kiosk.domain.signaling) or a plain dict, as one JSON text frame."""
        text = message.model_dump_json() if isinstance(message, BaseModel) else json.dumps(message)
        await self.connection.send(text)

    async def send_raw(self, frame: str | bytes) -> None:
        """Anything at all: garbage, binary frames, oversized text."""
        await self.connection.send(frame)

    async def recv(
        self, timeout: float = DEFAULT_TIMEOUT, *, want: str | None = None
    ) -> dict[str, Any]:
        """The next message that is not ambient (unless of the type `want`); AssertionError
        if none comes within `timeout` or the socket closes."""
        if self.unread:
            return self.unread.pop(0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                frame = await asyncio.wait_for(
                    self.connection.recv(), max(0.0, deadline - loop.time())
                )
            except TimeoutError:
                raise AssertionError(
                    f"{self.who}: no message within {timeout} s (set aside: {self.aside})"
                ) from None
            except ConnectionClosed as closed:
                raise AssertionError(f"{self.who}: closed ({self.close_code}): {closed}") from None
            message: dict[str, Any] = json.loads(frame)
            kind = message.get("type")
            if kind == "ping":
                if self.answer_pings:
                    await self.connection.send('{"type": "pong"}')
                continue
            if kind in AMBIENT and kind != want:
                self.aside.append(message)
                continue
            return message

    async def expect(
        self, type_: str, *, timeout: float = DEFAULT_TIMEOUT, **fields: Any
    ) -> dict[str, Any]:
        """The next message, which must have this `type` and these field values (an ambient
        type: the first set aside, else the next of that type)."""
        if type_ in AMBIENT:
            message = self._take_aside(type_) or await self.recv(timeout, want=type_)
        else:
            message = await self.recv(timeout)
        assert message.get("type") == type_, f"{self.who}: expected {type_}, got {message}"
        for name, value in fields.items():
            assert message.get(name) == value, f"{self.who}: {name} != {value!r} in {message}"
        return message

    async def wait_for(
        self, type_: str, *, timeout: float = DEFAULT_TIMEOUT, **fields: Any
    ) -> dict[str, Any]:
        """The first message of `type_` with these field values, set aside or to come,
        passing over the others of that type (e.g. presence until someone is reachable)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def fits(message: dict[str, Any]) -> bool:
            return message.get("type") == type_ and all(
                message.get(k) == v for k, v in fields.items()
            )

        while True:
            found = next((m for m in self.aside if fits(m)), None)
            if found is not None:
                self.aside.remove(found)
                return found
            self.aside = [m for m in self.aside if m.get("type") != type_]
            message = await self._read_more(max(0.01, deadline - loop.time()), type_)
            if fits(message):
                return message
            if message.get("type") != type_:
                self.unread.append(message)

    async def _read_more(self, timeout: float, want: str) -> dict[str, Any]:
        unread, self.unread = self.unread, []
        try:
            return await self.recv(timeout, want=want)
        finally:
            self.unread = unread + self.unread

    def _take_aside(self, type_: str) -> dict[str, Any] | None:
        for message in self.aside:
            if message.get("type") == type_:
                self.aside.remove(message)
                return message
        return None

    async def until(self, type_: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """Skip messages until one of this `type` arrives."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.recv(max(0.01, deadline - loop.time()))
            if message.get("type") == type_:
                return message

    async def silent(self, within: float = 0.3) -> None:
        """Assert that nothing but ambient messages arrives for `within` seconds."""
        try:
            message = await self.recv(within)
        except AssertionError:
            if self.connection.close_code is not None:
                raise AssertionError(f"{self.who}: closed ({self.close_code})") from None
            return
        raise AssertionError(f"{self.who}: expected silence, got {message!r}")

    async def ping(self) -> None:
        """An application `ping`, answered by `pong`: proves the socket still works."""
        await self.send({"type": "ping"})
        await self.expect("pong")

    async def closed_with(self, timeout: float = DEFAULT_TIMEOUT) -> int | None:
        """Wait for the hub to close the socket (ignoring messages before); its close code."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    await self.connection.recv()
        except ConnectionClosed:
            return self.close_code
        except TimeoutError:
            raise AssertionError(f"{self.who}: still open after {timeout} s") from None

    @property
    def close_code(self) -> int | None:
        return self.connection.close_code

    async def close(self) -> None:
        await self.connection.close()


async def open_socket(
    url: str, who: str, headers: dict[str, str], origin: str | None
) -> SignalSocket:
    """Any socket of any hub, with these headers (and Origin, unless None)."""
    connection = await connect(
        url,
        additional_headers=headers,
        origin=origin,  # type: ignore[arg-type]  # websockets' Origin is a NewType of str
        proxy=None,
        open_timeout=DEFAULT_TIMEOUT,
        close_timeout=2,
    )
    return SignalSocket(connection, who)


async def terminal_socket(hub: HasBaseUrl, token: str) -> SignalSocket:
    """The terminal's socket, authenticated by its bearer token on the upgrade request."""
    return await open_socket(
        ws_url(hub.base_url, TERMINAL_PATH),
        "terminal",
        {"Authorization": f"Bearer {token}"},
        None,
    )


async def session_cookie(hub: HasBaseUrl, credentials: Credentials) -> str:
    """Log in as a lawyer (or admin) and return the `kiosk_session` cookie's value."""
    async with httpx.AsyncClient(base_url=hub.base_url, timeout=10.0, trust_env=False) as client:
        response = await client.post(
            "/v1/auth/login",
            json={"username": credentials.username, "password": credentials.password},
        )
        assert response.status_code == 200, response.text
        return str(response.cookies["kiosk_session"])


async def console_socket(
    hub: HasBaseUrl,
    credentials: Credentials,
    *,
    origin: str | None = "",
    cookie: str | None = None,
) -> SignalSocket:
    """A console tab's socket: logs in as `credentials` (or uses `cookie`), sends the hub's
    own Origin (`origin=""`), another one, or none (`origin=None`)."""
    if cookie is None:
        cookie = await session_cookie(hub, credentials)
    sent_origin = hub.base_url if origin == "" else origin
    return await open_socket(
        ws_url(hub.base_url, CONSOLE_PATH),
        f"console of {credentials.username}",
        {"Cookie": f"kiosk_session={cookie}"},
        sent_origin,
    )
