"""A scripted hub for `Consultation` tests: a real local websockets server.

It plays the hub's side of docs/signaling.md for one terminal (token check on
the upgrade, `call.queued`, `call.accepted`, relaying the offer to a lawyer
who answers from a `ConsultationPeer` in this process) and lets a test break
things: send garbage, drop the socket, kill the lawyer's peer connection,
stop answering offers, end the call from the lawyer's side.

What the kiosk says on the `document` data channel besides stills (device notes,
document errors) is no event: the lawyer's peer keeps it (`remote_devices`,
`document_errors`) and a test polls for it with `eventually`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from uuid import UUID

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from kiosk.call.events import EventStream
from kiosk.call.peer import ConsultationPeer
from kiosk.call.sources import AudioSource, VideoSource
from kiosk.domain.catalogue import ExpertGroup
from kiosk.domain.signaling import (
    FROM_TERMINAL,
    Accepted,
    Answer,
    CallRequest,
    Ended,
    EndReason,
    ExpertBrief,
    Offer,
    Party,
    Pong,
    Queued,
)

log = logging.getLogger(__name__)

EXPERT = ExpertBrief(id=7, name="王律师", group=ExpertGroup.LAWYER)


async def eventually(predicate: Callable[[], object], timeout: float = 20) -> None:
    """Wait until `predicate()` is true (polled every 50 ms)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


class FakeHub:
    def __init__(self, token: str = "terminal-token", *, accept: bool = True,
                 answer_offers: bool = True, lawyer_media_lost_after_s: float = 60,
                 on_connect: list[str | bytes] | None = None) -> None:
        self.token = token
        self.accept = accept
        self.answer_offers = answer_offers
        self.on_connect = on_connect or []
        self.received: list[dict[str, Any]] = []
        self.auth_headers: list[str | None] = []
        self.connections = 0
        self.lawyer_events = EventStream()
        self.lawyer: ConsultationPeer | None = None
        self.lawyers: list[ConsultationPeer] = []
        self._lawyer_media_lost_after_s = lawyer_media_lost_after_s
        self._socket: ServerConnection | None = None
        self._server: Server | None = None
        self._changed = asyncio.Event()
        self.video = VideoSource("test-pattern", on_event=self.lawyer_events)
        self.audio = AudioSource("test-tone", on_event=self.lawyer_events)
        self.url = ""

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeHub:
        await self.video.start()
        await self.audio.start()
        self._server = await serve(self._handler, "127.0.0.1", 0,
                                   process_request=self._check_auth)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/v1/signal/terminal"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for peer in self.lawyers:
            await peer.aclose()
        await self.video.aclose()
        await self.audio.aclose()

    def _check_auth(self, connection: ServerConnection, request: Request) -> Response | None:
        header = request.headers.get("Authorization")
        self.auth_headers.append(header)
        self._note()
        if header != f"Bearer {self.token}":
            return connection.respond(HTTPStatus.UNAUTHORIZED, "bad token\n")
        return None

    # --- what the terminal sent ---------------------------------------------------------------

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("type") == kind]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    async def wait_message(self, kind: str, count: int = 1, timeout: float = 20) -> dict[str, Any]:
        await self.wait_for(lambda: len(self.of_type(kind)) >= count, timeout)
        return self.of_type(kind)[count - 1]

    def _note(self) -> None:
        self._changed.set()

    # --- the hub's part -------------------------------------------------------------------

    async def send(self, message: Any) -> None:
        """A model, a JSON string or bytes to the terminal."""
        assert self._socket is not None, "no terminal connected"
        if hasattr(message, "model_dump_json"):
            message = message.model_dump_json()
        await self._socket.send(message)

    async def drop(self) -> None:
        """Close the terminal's socket from the hub's side (a hub restart, a proxy)."""
        if self._socket is not None:
            await self._socket.close(1012, "restarting")

    async def kill_lawyer(self) -> None:
        """The lawyer's peer connection goes away (browser tab crashed, network gone)."""
        if self.lawyer is not None:
            await self.lawyer.aclose()

    def silence_lawyer(self) -> None:
        """The lawyer's media stops but the connection stays (a stuck network path)."""
        assert self.lawyer is not None
        self._silenced = [(t.sender, t.sender.track) for t in self.lawyer.pc.getTransceivers()]
        for sender, _ in self._silenced:
            sender.replaceTrack(None)

    def resume_lawyer(self) -> None:
        """The path carries the lawyer's media again (a village link back after an outage)."""
        for sender, track in self._silenced:
            sender.replaceTrack(track)
        self._silenced = []

    async def end_by_lawyer(self, consultation_id: UUID) -> None:
        await self.send(Ended(consultation_id=consultation_id, by=Party.EXPERT,
                              reason=EndReason.HUNG_UP))

    async def _handler(self, socket: ServerConnection) -> None:
        self._socket = socket
        self.connections += 1
        self._note()
        try:
            for raw in self.on_connect:
                await socket.send(raw)
            async for raw in socket:
                try:
                    data = json.loads(raw)
                    message = FROM_TERMINAL.validate_json(raw)
                except ValueError:
                    log.warning("fake hub: refused %r", raw)
                    continue
                self.received.append(data)
                self._note()
                await self._on_message(message)
        except ConnectionClosed:
            pass
        finally:
            if self._socket is socket:
                self._socket = None
            self._note()

    async def _on_message(self, message: Any) -> None:
        if message.type == "ping":
            await self.send(Pong())
        elif isinstance(message, CallRequest):
            await self.send(Queued(consultation_id=message.consultation_id, position=1,
                                   estimated_wait_s=300, ringing=[EXPERT]))
            if self.accept:
                await self.send(Accepted(consultation_id=message.consultation_id, expert=EXPERT))
        elif isinstance(message, Offer) and self.answer_offers:
            if self.lawyer is not None:
                await self.lawyer.aclose()
            self.lawyer = ConsultationPeer(
                f"lawyer#{message.attempt}", video=self.video, audio=self.audio,
                on_event=self.lawyer_events, stats_interval_s=0.25,
                media_lost_after_s=self._lawyer_media_lost_after_s,
            )
            self.lawyers.append(self.lawyer)
            sdp = await self.lawyer.answer(message.sdp)
            with contextlib.suppress(ConnectionClosed, AssertionError):
                await self.send(Answer(consultation_id=message.consultation_id, sdp=sdp,
                                       attempt=message.attempt))
