"""A small HTTP proxy on loopback in front of the real hub that, on command, misbehaves.

It forwards each request to the hub unchanged, one upstream connection per
request, unless a fault is armed for it: then it answers 500, or 503 with
`Retry-After`, or a captive portal's 200 page, or a 200 whose gzip body cannot be
inflated, or 400/422; or it forwards (so
the hub commits) and then resets the connection halfway through the answer, or
holds the answer back past the client's timeout. Each armed fault serves a
given number of matching requests, then the proxy forwards again. Every request
is logged with its monotonic time, so a test can see how long a client waited.

It runs its own event loop on a thread, so a test may block on the hub's admin
API (httpx's sync client) while an uploader on the test's loop talks through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass
from enum import StrEnum


class Fault(StrEnum):
    FORWARD = "forward"
    ERROR_500 = "500"
    BUSY_503 = "503"  # with Retry-After
    CAPTIVE_200 = "captive"  # a captive portal's login page, status 200
    GARBLED_200 = "garbled"  # 200 saying gzip, with a body that is not: a meddling middlebox
    REFUSE_400 = "400"
    REFUSE_422 = "422"
    RESET_AFTER_COMMIT = "reset"  # forwarded; the answer cut off by a TCP reset
    HOLD_AFTER_COMMIT = "hold"  # forwarded; the answer held back, then the connection closed


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    at: float  # time.monotonic() when the request had arrived whole
    fault: Fault
    upstream_status: int | None  # the hub's answer, when the request went on to it


@dataclass
class _Armed:
    fault: Fault
    times: int
    path_contains: str


CAPTIVE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Wi-Fi login</title></head>"
    b"<body><form action='/login'>Accept the terms to go online</form></body></html>"
)


def _reply(status: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


_PROBLEM = "application/problem+json"
_CANNED: dict[Fault, bytes] = {
    Fault.ERROR_500: _reply("500 Internal Server Error", b'{"detail":"boom"}', _PROBLEM),
    Fault.BUSY_503: _reply(
        "503 Service Unavailable", b'{"detail":"busy"}', _PROBLEM, "Retry-After: 2\r\n"
    ),
    Fault.CAPTIVE_200: _reply("200 OK", CAPTIVE_PAGE, "text/html; charset=utf-8"),
    Fault.GARBLED_200: _reply(
        "200 OK", b"\x1f\x8c not gzip", "application/json", "Content-Encoding: gzip\r\n"
    ),
    Fault.REFUSE_400: _reply("400 Bad Request", b'{"detail":"bad request"}', _PROBLEM),
    Fault.REFUSE_422: _reply(
        "422 Unprocessable Entity", b'{"detail":"events.0.seq: not accepted"}', _PROBLEM
    ),
}


class FaultyProxy:
    """`start()`, then point a client at `url`; `arm(...)` a fault; `stop()` at the end."""

    def __init__(self, upstream_host: str, upstream_port: int, *, hold_s: float = 3.0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.hold_s = hold_s
        self.port = 0
        self._armed: list[_Armed] = []
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="faulty proxy",
                                        daemon=True)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultyProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def arm(self, fault: Fault, times: int = 1, path_contains: str = "/v1/records/") -> None:
        """The next `times` PUTs whose path contains `path_contains` meet `fault`."""
        with self._lock:
            self._armed.append(_Armed(fault, times, path_contains))

    def disarm(self) -> None:
        with self._lock:
            self._armed.clear()

    @property
    def armed(self) -> int:
        """Requests still to be failed."""
        with self._lock:
            return sum(a.times for a in self._armed)

    def seen(self, fault: Fault | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self._seen if fault is None or s.fault == fault]

    def puts(self) -> list[Seen]:
        return [s for s in self.seen() if s.method == "PUT"]

    # --- the proxy's loop ---------------------------------------------------------------

    async def _listen(self) -> asyncio.Server:
        return await asyncio.start_server(self._track, "127.0.0.1", 0)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        for task in list(self._handlers):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _track(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        finally:
            self._handlers.discard(task)

    def _take(self, method: str, path: str) -> Fault:
        with self._lock:
            for armed in self._armed:
                if method == "PUT" and armed.path_contains in path and armed.times > 0:
                    armed.times -= 1
                    if armed.times == 0:
                        self._armed.remove(armed)
                    return armed.fault
        return Fault.FORWARD

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            length = 0
            for line in header_lines:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            body = await reader.readexactly(length)
            at = time.monotonic()
            fault = self._take(method, path)
            if fault in _CANNED:
                self._log(Seen(method, path, at, fault, None))
                writer.write(_CANNED[fault])
                await writer.drain()
            else:
                answer = await self._forward(head, body)
                # Logged before the client hears anything: the hub has committed by now.
                self._log(Seen(method, path, at, fault, int(answer.split(b" ", 2)[1])))
                await self._answer(fault, answer, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            # One request per connection (each answer says `Connection: close`).
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _log(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        """The hub's whole answer, `Connection: close` both ways, so it ends at EOF."""
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            writer.write(_with_close(head) + body)
            await writer.drain()
            answer = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        answer_head, _, answer_body = answer.partition(b"\r\n\r\n")
        return _with_close(answer_head + b"\r\n\r\n") + answer_body

    async def _answer(self, fault: Fault, answer: bytes, writer: asyncio.StreamWriter) -> None:
        if fault == Fault.FORWARD:
            writer.write(answer)
            await writer.drain()
        elif fault == Fault.RESET_AFTER_COMMIT:
            head, _, body = answer.partition(b"\r\n\r\n")
            writer.write(head + b"\r\n\r\n" + body[: len(body) // 2])
            await writer.drain()
            await asyncio.sleep(0.05)  # let the half reach the client before the reset
            sock = writer.get_extra_info("socket")
            # Linger 0: close() sends RST instead of FIN, as a dropped NAT mapping would.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        elif fault == Fault.HOLD_AFTER_COMMIT:
            await asyncio.sleep(self.hold_s)


def _with_close(head: bytes) -> bytes:
    """`head` (ending in an empty line) with its Connection header set to close."""
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    kept = [line for line in lines if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"
