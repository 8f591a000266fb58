"""What `kiosk.call` tells the UI: one union of small frozen events, and a stream to read them.

Every object of this package that changes state (a consultation, a peer, a
media source, the bitrate policy, the signaling link) does it in one method
that logs `old -> new` and emits exactly one event here. Events are emitted
on the asyncio loop's thread, synchronously: a handler must not block (the UI
bridge turns each one into a queued Qt signal).

Video frames are not events: they go through a `FrameSlot` (see `frames.py`).

This module imports neither aiortc nor av, so the UI may import it freely.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, TypeVar
from uuid import UUID

from kiosk.domain.signaling import EndReason, ExpertBrief, Party

log = logging.getLogger(__name__)


class CallState(StrEnum):
    """The life of one consultation, as the resident sees it."""

    IDLE = "idle"  # made, not started
    REQUESTED = "requested"  # call.request sent (or waiting for the signaling link)
    QUEUED = "queued"  # the hub answered: position, estimate, who is rung
    ACCEPTED = "accepted"  # an expert accepted
    CONNECTING = "connecting"  # peer connection built, offer sent, waiting for media
    CONNECTED = "connected"  # media flows
    RECONNECTING = "reconnecting"  # media lost: a new peer connection, attempt + 1
    ENDED = "ended"  # someone hung up (or the resident cancelled before an answer)
    FALLBACK = "fallback"  # nobody could be reached or media could not be kept: show 12348
    FAILED = "failed"  # refused by the hub or an error of ours: show 12348 too

    @property
    def finished(self) -> bool:
        return self in (CallState.ENDED, CallState.FALLBACK, CallState.FAILED)


class PeerState(StrEnum):
    """One RTCPeerConnection of a consultation (there is a new one per attempt)."""

    NEW = "new"
    OFFERED = "offered"  # local offer made (complete, candidates included)
    ANSWERED = "answered"  # remote answer applied (or, answering side: local answer made)
    CONNECTED = "connected"  # ICE + DTLS up
    MEDIA_LOST = "media_lost"  # no RTP from the other side for `media_lost_after_s`
    FAILED = "failed"  # ICE or DTLS failed
    CLOSED = "closed"


class PolicyMode(StrEnum):
    """What the bitrate policy lets the video sender do."""

    VIDEO = "video"  # normal: the target follows the estimate, clamped to [floor, ceiling]
    AUDIO_ONLY = "audio_only"  # thin uplink: the last frame frozen, resent at 1 fps
    PROBING = "probing"  # trying video again at the floor; back to VIDEO if it holds


DeviceKind = Literal["camera", "microphone", "speaker"]


@dataclass(frozen=True)
class StateChanged:
    consultation_id: UUID
    old: CallState
    new: CallState
    attempt: int
    reason: EndReason | None = None  # for ENDED / FALLBACK / FAILED
    by: Party | None = None  # who ended it
    detail: str = ""


@dataclass(frozen=True)
class QueueMoved:
    """Sent with each `call.queued`: where the resident stands and who is being rung."""

    consultation_id: UUID
    position: int
    estimated_wait_s: int
    ringing: tuple[ExpertBrief, ...]


@dataclass(frozen=True)
class ExpertJoined:
    consultation_id: UUID
    expert: ExpertBrief


@dataclass(frozen=True)
class PeerStateChanged:
    peer: str  # the peer's name, e.g. "<consultation id>#2"
    old: PeerState
    new: PeerState
    detail: str = ""


@dataclass(frozen=True)
class FirstFrame:
    """The first remote video frame of a peer connection, `after_s` after its offer/answer."""

    peer: str
    after_s: float
    width: int
    height: int


@dataclass(frozen=True)
class MediaStats:
    """One sample a second of one peer connection. Rates are over the last interval."""

    peer: str
    at: float  # time.monotonic()
    send_kbps: float
    recv_kbps: float
    fps_in: float  # remote video frames decoded a second
    fps_out: float  # local video frames handed to the encoder a second
    frames_decoded: int  # since the peer connection started
    frames_dropped: int  # decoded but replaced before the UI took them (latest frame only)
    packets_lost: int  # reported by the other side for what we send (cumulative)
    rtt_ms: float | None
    relay: bool | None  # the selected ICE pair uses a TURN relay (None: not known yet)
    local_candidate: str | None  # "host" | "srflx" | "relay" ... of the selected pair
    target_kbps: float | None  # what the VP8 encoder aims at now
    estimate_kbps: float | None  # the last REMB from the other side
    policy: PolicyMode
    media_silent_s: float  # since the last RTP frame of any kind arrived
    send_step: str | None = None  # the send-size ladder's step, e.g. "640x480@15"
    cpu_busy: float | None = None  # the machine's busy share the ladder read (0..1)


@dataclass(frozen=True)
class MediaLost:
    peer: str
    silent_s: float


@dataclass(frozen=True)
class MediaRestored:
    peer: str


@dataclass(frozen=True)
class DeviceFallback:
    """A camera/microphone/speaker is missing or failed: the call goes on with a substitute."""

    kind: DeviceKind
    device: str
    reason: str
    substitute: str  # "still" (camera unavailable frame), "silence", "discard"


@dataclass(frozen=True)
class PolicyChanged:
    old: PolicyMode
    new: PolicyMode
    estimate_kbps: float | None
    detail: str = ""


@dataclass(frozen=True)
class SendStepChanged:
    """The send-size ladder (`ladder.py`) moved: sizes as `640x480@15`."""

    old: str
    new: str
    detail: str = ""


@dataclass(frozen=True)
class DocumentRequested:
    """The lawyer asked for a still of a paper: count down, then `send_document`."""

    consultation_id: UUID | None
    peer: str


@dataclass(frozen=True)
class DocumentSent:
    consultation_id: UUID | None
    peer: str
    size: int


@dataclass(frozen=True)
class DocumentReceived:
    """Answering side only (a Python console, tests): a complete still arrived."""

    peer: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class LinkChanged:
    """The signaling WebSocket went up or down."""

    up: bool
    detail: str = ""


CallEvent = (
    StateChanged
    | QueueMoved
    | ExpertJoined
    | PeerStateChanged
    | FirstFrame
    | MediaStats
    | MediaLost
    | MediaRestored
    | DeviceFallback
    | PolicyChanged
    | SendStepChanged
    | DocumentRequested
    | DocumentSent
    | DocumentReceived
    | LinkChanged
)

EventSink = Callable[[CallEvent], None]


def discard(event: CallEvent) -> None:
    """An `EventSink` that drops everything."""


E = TypeVar("E", bound=CallEvent)


class EventStream:
    """An `EventSink` that keeps events for `async for` and `wait_for`.

    Pass the stream itself where a sink is asked for. Bounded: when nobody
    reads, the oldest events go (stats come every second; the UI bridge
    should use a plain callback instead).
    """

    def __init__(self, maxlen: int = 10_000) -> None:
        self.events: deque[CallEvent] = deque(maxlen=maxlen)
        self._changed: asyncio.Event | None = None
        self._read = 0  # index (in `self._total` terms) of the next event for `__anext__`
        self._total = 0

    def __call__(self, event: CallEvent) -> None:
        self.events.append(event)
        self._total += 1
        if self._changed is not None:
            self._changed.set()

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(
        self, kind: type[E], predicate: Callable[[E], bool] = lambda _: True, timeout: float = 30
    ) -> E:
        """The first event (already kept or still to come) of `kind` that matches."""
        deadline = time.monotonic() + timeout
        while True:
            for event in list(self.events):
                if isinstance(event, kind) and predicate(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {kind.__name__} in {timeout} s")
            changed = self._event()
            changed.clear()
            waiter = asyncio.ensure_future(changed.wait())
            try:
                await asyncio.wait((waiter,), timeout=remaining)
            finally:
                waiter.cancel()

    def __aiter__(self) -> AsyncIterator[CallEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[CallEvent]:
        while True:
            lost = self._total - len(self.events)
            if self._read < lost:
                self._read = lost
            if self._read < self._total:
                event = self.events[self._read - lost]
                self._read += 1
                yield event
                continue
            changed = self._event()
            changed.clear()
            await changed.wait()
