"""A real HTTP server on loopback that misbehaves the way a distant hub can."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class BadHub:
    """Answers with raw bytes: `routes[path]` if the path matches, else `reply`.

    `mode` makes it misbehave instead: `reset` drops the connection, `hang`
    never answers.
    """

    mode: str = "reply"  # reply | reset | hang
    reply: bytes = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
    routes: dict[str, bytes] = field(default_factory=dict)
    requests: list[bytes] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.requests.append(head)
            if self.mode == "reset":
                writer.transport.abort()
                return
            if self.mode == "hang":
                await asyncio.sleep(3600)
            path = head.split(b" ", 2)[1].split(b"?")[0].decode()
            writer.write(self.routes.get(path, self.reply))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def http_reply(
    status: str, body: bytes, content_type: str = "application/json", extra: str = ""
) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


@asynccontextmanager
async def bad_hub(**kwargs: object) -> AsyncIterator[BadHub]:
    hub = BadHub(**kwargs)  # type: ignore[arg-type]
    server = await asyncio.start_server(hub._serve, "127.0.0.1", 0)
    hub.port = server.sockets[0].getsockname()[1]
    try:
        yield hub
    finally:
        server.close()
        # Connections left hanging on purpose must not keep the loop alive.
        server.close_clients() if hasattr(server, "close_clients") else None
