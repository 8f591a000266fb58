"""The terminal's side of a video consultation, for the console tests.

`SignalClient` is a signaling socket of the real hub driven from Python (a
terminal with its Bearer token, or a second lawyer with a session cookie);
`MediaPeer` is a bare page of the test browser (the hub's `/healthz`, only
because getUserMedia needs a secure context, which a fresh `about:blank` is
not) with fake camera and microphone that plays the kiosk's WebRTC part: it
makes the offer (with the `document` data channel), takes the answer, and
answers `document.request` with a JPEG still in 16 KiB chunks (or with
`document.error` once `fail_documents()` was called). `send_document_message`
sends anything else over that channel (the kiosk's `device.status`, garbage).
The offer and answer travel through the hub over the Python socket, as they
would from the kiosk.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Browser, Page
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from tests.support.hub import Credentials, HubAccess, RunningHub

Message = dict[str, Any]


class SignalClient:
    """One signaling socket; keeps every message it has read, for `expect` to search."""

    def __init__(self, ws: ClientConnection, who: str) -> None:
        self.ws = ws
        self.who = who
        self.seen: list[Message] = []  # read and not yet returned by `expect`

    @classmethod
    @contextmanager
    def terminal(
        cls, hub: HubAccess, token: str, *, sock: socket.socket | None = None
    ) -> Iterator[SignalClient]:
        """`sock`: a socket already connected to the hub (made inside another namespace)."""
        url = hub.base_url.replace("http", "ws", 1) + "/v1/signal/terminal"
        tls = ssl.create_default_context(cafile=str(hub.ca)) if hub.ca is not None else None
        with connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, proxy=None, sock=sock,
            ssl=tls,
        ) as ws:
            yield cls(ws, "terminal")

    @classmethod
    @contextmanager
    def lawyer(cls, hub: RunningHub, credentials: Credentials) -> Iterator[SignalClient]:
        """A console tab without a browser: the session cookie and the hub's own Origin."""
        with hub.login(credentials) as client:
            cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        url = hub.base_url.replace("http://", "ws://") + "/v1/signal/console"
        with connect(
            url, origin=Origin(hub.base_url), additional_headers={"Cookie": cookie}, proxy=None
        ) as ws:
            yield cls(ws, credentials.username)

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps(message, default=str))

    def expect(
        self,
        type_: str,
        timeout: float = 15.0,
        where: Callable[[Message], bool] = lambda _m: True,
    ) -> Message:
        """The first message of `type_` (matching `where`) not yet returned; waits for it."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(len(self.seen)):
                message = self.seen[index]
                if message.get("type") == type_ and where(message):
                    self.seen.pop(index)
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.who}: no {type_} within {timeout} s; saw {self.seen}")
            try:
                raw = self.ws.recv(timeout=min(left, 1.0))
            except TimeoutError:
                continue
            except ConnectionClosed as closed:
                raise AssertionError(
                    f"{self.who}: socket closed ({closed}); saw {self.seen}"
                ) from None
            self._keep(json.loads(raw))

    def drain(self, seconds: float = 0.3) -> list[Message]:
        """Reads what arrives within `seconds`; returns the types seen so far."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._keep(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                break
        return list(self.seen)

    def _keep(self, message: Message) -> None:
        if message.get("type") == "ping":  # the hub's heartbeat of a lawyer's socket
            self.ws.send('{"type": "pong"}')
        else:
            self.seen.append(message)

    def request_call(
        self, service: str = "legal_consultation", expert_id: int | None = None
    ) -> str:
        consultation_id = str(uuid.uuid4())
        self.send(
            type="call.request",
            consultation_id=consultation_id,
            service=service,
            expert_id=expert_id,
            requested_at=datetime.now(UTC).isoformat(),
        )
        return consultation_id


# The kiosk's part, in the page. Offers are complete (no trickle ICE), like aiortc's.
PEER_JS = """
() => {
  if (window.peer) return;
  // Host candidates only (no ICE servers): gathered within milliseconds. Once in a full run
  // Chromium never said "complete" and the offer hung the test for its 300 s; after 5 s the
  // offer goes with the candidates it has, as a kiosk's would.
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") resolve();
    });
    setTimeout(resolve, 5000);
  });
  async function still() {
    const canvas = document.createElement("canvas");
    canvas.width = 1200; canvas.height = 900;
    const g = canvas.getContext("2d");
    g.fillStyle = "#ffffff"; g.fillRect(0, 0, 1200, 900);
    g.fillStyle = "#111111"; g.font = "bold 64px sans-serif";
    g.fillText("土地承包合同", 380, 140);
    g.font = "32px sans-serif";
    for (let i = 0; i < 14; i++) g.fillText(`第${i + 1}条 ……………………………………`, 120, 240 + i * 44);
    g.strokeStyle = "#aa0000"; g.lineWidth = 8; g.strokeRect(40, 40, 1120, 820);
    const blob = await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.9));
    return new Uint8Array(await blob.arrayBuffer());
  }
  window.peer = {
    pc: null, dc: null, stream: null, requests: 0, stillBytes: 0, failDocuments: false,
    async offer() {
      if (this.pc) this.pc.close();
      this.stream = this.stream || await navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: 640, height: 480 } });
      const pc = new RTCPeerConnection({ iceServers: [] });
      this.pc = pc;
      this.remote = new MediaStream();
      pc.ontrack = (e) => this.remote.addTrack(e.track);
      for (const t of this.stream.getTracks()) pc.addTrack(t, this.stream);
      const dc = pc.createDataChannel("document");
      this.dc = dc;
      dc.binaryType = "arraybuffer";
      dc.onmessage = async (e) => {
        const m = JSON.parse(e.data);
        if (m.type !== "document.request") return;
        this.requests += 1;
        if (this.failDocuments) {
          dc.send(JSON.stringify({ type: "document.error", reason: "camera unavailable" }));
          return;
        }
        const bytes = await still();
        this.stillBytes = bytes.length;
        dc.send(JSON.stringify({ type: "document.still", mime: "image/jpeg", size: bytes.length }));
        for (let i = 0; i < bytes.length; i += 16384) dc.send(bytes.slice(i, i + 16384));
      };
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return pc.localDescription.sdp;
    },
    async answer(sdp) {
      await this.pc.setRemoteDescription({ type: "answer", sdp });
    },
    async send(text) {
      const dc = this.dc;
      if (dc.readyState === "connecting") {
        await new Promise((resolve) => dc.addEventListener("open", resolve, { once: true }));
      }
      dc.send(text);
    },
    state() {
      return this.pc ? this.pc.connectionState : "none";
    },
    async receivedVideoFrames() {
      if (!this.pc) return 0;
      let frames = 0;
      (await this.pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") frames = s.framesDecoded || 0;
      });
      return frames;
    },
    close() {
      if (this.pc) this.pc.close();
      this.pc = null;
    },
  };
}
"""


class MediaPeer:
    """The kiosk's WebRTC end, in a page of its own context (no console login)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        page.evaluate(PEER_JS)

    @classmethod
    @contextmanager
    def open(cls, browser: Browser, hub: RunningHub) -> Iterator[MediaPeer]:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{hub.base_url}/healthz")
            yield cls(page)
        finally:
            context.close()

    def offer(self) -> str:
        sdp: str = self.page.evaluate("() => window.peer.offer()")
        return sdp

    def answer(self, sdp: str) -> None:
        self.page.evaluate("sdp => window.peer.answer(sdp)", sdp)

    def wait_connected(self, timeout: float = 20.0) -> None:
        self.page.wait_for_function(
            "() => window.peer.state() === 'connected'", timeout=timeout * 1000
        )

    def video_frames_received(self) -> int:
        frames: int = self.page.evaluate("() => window.peer.receivedVideoFrames()")
        return frames

    def document_requests(self) -> int:
        count: int = self.page.evaluate("() => window.peer.requests")
        return count

    def send_document_message(self, message: Any) -> None:
        """Over the `document` channel (waits for it to open): a str as it is, else as JSON."""
        text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        self.page.evaluate("text => window.peer.send(text)", text)

    def fail_documents(self) -> None:
        """From now on `document.request` gets `document.error` (a kiosk whose camera broke)."""
        self.page.evaluate("() => { window.peer.failDocuments = true; }")

    def close(self) -> None:
        self.page.evaluate("() => window.peer.close()")


def connect_media(
    terminal: SignalClient, peer: MediaPeer, consultation_id: str, attempt: int = 1
) -> Message:
    """Offer from the peer through the hub; the console's answer back into the peer."""
    terminal.send(
        type="sdp.offer", consultation_id=consultation_id, sdp=peer.offer(), attempt=attempt
    )
    answer = terminal.expect(
        "sdp.answer",
        timeout=20,
        where=lambda m: m.get("consultation_id") == consultation_id and m.get("attempt") == attempt,
    )
    peer.answer(answer["sdp"])
    peer.wait_connected()
    return answer
