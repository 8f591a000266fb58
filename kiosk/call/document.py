"""The `document` data channel: the lawyer asks for a still of a paper, the kiosk sends it.

Console -> kiosk: `{"type": "document.request"}` (text).
Kiosk -> console: `{"type": "document.still", "mime": "image/jpeg", "size": N}` (text),
then the N bytes in binary messages of at most 16 KiB. Nothing of it is stored.
Kiosk -> console: `{"type": "document.error", "reason": "..."}` (text) when the kiosk
cannot take the still (the camera is broken): the console stops waiting at once.

The same channel carries the kiosk's device notes for the lawyer:
Kiosk -> console: `{"type": "device.status", "kind": "camera" | "microphone" | "speaker",
"working": false, "substitute": "still" | "silence" | "discard"}` (text) when a device is
missing or fails; the call goes on with the substitute. Each peer connection has a channel
of its own, so the kiosk sends every device problem again whenever a channel opens.

Anything else on the channel is logged and ignored: a wrong message never ends a call.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, get_args

from aiortc import RTCDataChannel

from kiosk.call.events import DeviceKind

log = logging.getLogger(__name__)

LABEL = "document"
CHUNK = 16 * 1024
MAX_STILL = 8 * 1024 * 1024
# Do not pile more than this into SCTP at once: a thin uplink also carries the call.
HIGH_WATER = 256 * 1024
DEVICE_KINDS: tuple[DeviceKind, ...] = get_args(DeviceKind)
MAX_REASON = 200  # characters of a `document.error` reason


class DocumentChannelClosed(Exception):
    """The data channel is not open (yet, or any more)."""


class DocumentChannel:
    """One `document` RTCDataChannel, either side."""

    def __init__(self, channel: RTCDataChannel, *,
                 on_request: Callable[[], None] = lambda: None,
                 on_still: Callable[[str, bytes], None] = lambda mime, data: None,
                 on_status: Callable[[DeviceKind, bool, str | None], None] = (
                     lambda kind, working, substitute: None),
                 on_error: Callable[[str], None] = lambda reason: None,
                 on_open: Callable[[], None] = lambda: None) -> None:
        """`on_open` runs when the channel opens, not if it is open already (see `is_open`)."""
        self.channel = channel
        self._on_request = on_request
        self._on_still = on_still
        self._on_status = on_status
        self._on_error = on_error
        self._on_open = on_open
        self._incoming: bytearray | None = None
        self._incoming_size = 0
        self._incoming_mime = ""
        self.refused = 0
        self._opened = asyncio.Event()
        if channel.readyState == "open":
            self._opened.set()
        channel.on("open", self._opened_now)
        channel.on("message", self._on_message)

    @property
    def is_open(self) -> bool:
        return self.channel.readyState == "open"

    def _opened_now(self) -> None:
        self._opened.set()
        self._on_open()

    def _refuse(self, why: str) -> None:
        self.refused += 1
        log.warning("document channel: refused %s", why)

    def _on_message(self, message: Any) -> None:
        if isinstance(message, bytes):
            if self._incoming is None:
                self._refuse(f"{len(message)} bytes with no still announced")
                return
            self._incoming += message
            if len(self._incoming) >= self._incoming_size:
                data = bytes(self._incoming[: self._incoming_size])
                extra = len(self._incoming) - self._incoming_size
                self._incoming = None
                if extra:
                    self._refuse(f"{extra} bytes past the announced size")
                self._on_still(self._incoming_mime, data)
            return
        try:
            parsed = json.loads(message)
        except (TypeError, ValueError):
            self._refuse(f"text that is not JSON ({str(message)[:60]!r})")
            return
        kind = parsed.get("type") if isinstance(parsed, dict) else None
        if kind == "document.request":
            self._on_request()
        elif kind == "document.still":
            size, mime = parsed.get("size"), parsed.get("mime")
            if (not isinstance(size, int) or isinstance(size, bool)
                    or not 0 < size <= MAX_STILL or not isinstance(mime, str)):
                self._refuse(f"a still header with size {size!r}, mime {mime!r}")
                return
            self._incoming = bytearray()
            self._incoming_size = size
            self._incoming_mime = mime
        elif kind == "device.status":
            device, working = parsed.get("kind"), parsed.get("working")
            substitute = parsed.get("substitute")
            if (device not in DEVICE_KINDS or not isinstance(working, bool)
                    or not (substitute is None or isinstance(substitute, str))):
                self._refuse(f"a device status {device!r}, working {working!r}")
                return
            self._on_status(device, working, substitute)
        elif kind == "document.error":
            reason = parsed.get("reason", "")
            if not isinstance(reason, str):
                self._refuse(f"a document error with reason {reason!r}")
                return
            self._on_error(reason[:MAX_REASON])
        else:
            self._refuse(f"a message of type {kind!r}")

    async def wait_open(self, timeout: float = 10) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self._opened.wait()
        except TimeoutError:
            raise DocumentChannelClosed("the document channel did not open") from None

    def _check_open(self) -> None:
        if self.channel.readyState != "open":
            raise DocumentChannelClosed(f"the document channel is {self.channel.readyState}")

    async def request(self) -> None:
        """Console side (and tests): ask the kiosk for a still."""
        await self.wait_open()
        self._check_open()
        self.channel.send(json.dumps({"type": "document.request"}))

    def send_json(self, message: Mapping[str, Any]) -> None:
        """One small text message now; `DocumentChannelClosed` if the channel is not open."""
        self._check_open()
        self.channel.send(json.dumps(message, ensure_ascii=False))

    def send_status(self, kind: DeviceKind, *, working: bool,
                    substitute: str | None = None) -> None:
        """Kiosk side: `device.status`, whether a device of the resident's works."""
        message: dict[str, Any] = {"type": "device.status", "kind": kind, "working": working}
        if substitute is not None:
            message["substitute"] = substitute
        self.send_json(message)

    def send_error(self, reason: str) -> None:
        """Kiosk side: `document.error`, the still asked for cannot be taken."""
        self.send_json({"type": "document.error", "reason": reason[:MAX_REASON]})

    async def send_still(self, data: bytes, mime: str = "image/jpeg") -> None:
        """Kiosk side: the header, then 16 KiB chunks, never more than HIGH_WATER queued."""
        if not 0 < len(data) <= MAX_STILL:
            raise ValueError(f"a still must be 1 byte to {MAX_STILL} bytes, not {len(data)}")
        await self.wait_open()
        self._check_open()
        self.channel.send(json.dumps({"type": "document.still", "mime": mime, "size": len(data)}))
        for start in range(0, len(data), CHUNK):
            while self.channel.bufferedAmount > HIGH_WATER:
                self._check_open()
                await asyncio.sleep(0.05)
            self._check_open()
            self.channel.send(data[start:start + CHUNK])
