"""The session record of one consultation, written event by event as it happens.

`ConsultationLog` numbers the events, stamps them with both clocks and appends
each to the outbox before it returns: the caller moves the screen on after
that. `MediaTally` sums up the call's one-second media samples for the record;
it holds numbers only, never a picture or a sound.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from kiosk.domain.codes import ExpertGroup, ServiceCode
from kiosk.domain.records import (
    Answered,
    CallbackRequested,
    Ended,
    FallbackReason,
    FallbackTaken,
    MediaConnected,
    MediaSummary,
    Rated,
    Reconnected,
    RecordEvent,
    Requested,
    Ringing,
)
from kiosk.domain.signaling import EndReason, Party
from kiosk.outbox.outbox import Outbox

log = logging.getLogger(__name__)

# The wall clock may drift or be nudged by NTP; a step larger than this is a jump.
CLOCK_JUMP_S = 2.0


@dataclass
class MediaTally:
    """One-second samples of a call, summed for its record."""

    seconds_with_media: float = 0.0
    audio_only_seconds: float = 0.0
    freezes: int = 0
    relay_used: bool = False
    reconnects: int = 0
    _send_kbps: float = 0.0
    _recv_kbps: float = 0.0
    _picture_moving: bool = False

    def sample(self, *, seconds: float, send_kbps: float, recv_kbps: float, fps_in: float,
               relay: bool | None, audio_only: bool) -> None:
        if relay:
            self.relay_used = True
        if recv_kbps <= 0:
            self._picture_moving = False
            return
        self.seconds_with_media += seconds
        self._send_kbps += send_kbps * seconds
        self._recv_kbps += recv_kbps * seconds
        if audio_only:
            self.audio_only_seconds += seconds
            self._picture_moving = False
            return
        moving = fps_in >= 1
        if self._picture_moving and not moving:
            self.freezes += 1
        self._picture_moving = moving

    def summary(self) -> MediaSummary:
        span = self.seconds_with_media
        return MediaSummary(
            seconds_with_media=round(span, 1),
            send_kbps_mean=round(self._send_kbps / span, 1) if span else 0.0,
            recv_kbps_mean=round(self._recv_kbps / span, 1) if span else 0.0,
            freezes=self.freezes,
            relay_used=self.relay_used,
            reconnects=self.reconnects,
            audio_only_seconds=round(self.audio_only_seconds, 1),
        )


@dataclass
class ConsultationLog:
    """Every event of one consultation goes through here, in order."""

    outbox: Outbox
    consultation_id: UUID = field(default_factory=uuid.uuid4)
    wall: Callable[[], datetime] = lambda: datetime.now(UTC)
    mono: Callable[[], float] = time.monotonic
    on_clock_jump: Callable[[float], None] | None = None
    tally: MediaTally = field(default_factory=MediaTally)
    _seq: int = 0
    _origin: float | None = None
    _last: tuple[datetime, float] | None = None
    kinds: list[str] = field(default_factory=list)  # what has been recorded, in order

    def has(self, kind: str) -> bool:
        return kind in self.kinds

    async def requested(self, service: ServiceCode, expert_id: int | None) -> bool:
        return await self._add(Requested, service=service, expert_id=expert_id)

    async def ringing(self, queue_position: int) -> bool:
        return await self._add(Ringing, queue_position=queue_position)

    async def answered(self, expert_id: int, group: ExpertGroup, name: str) -> bool:
        return await self._add(Answered, expert_id=expert_id, expert_group=group,
                               expert_name=name[:60])

    async def media_connected(self, relay: bool | None) -> bool:
        return await self._add(MediaConnected, relay=relay)

    async def reconnected(self, attempt: int) -> bool:
        self.tally.reconnects += 1
        return await self._add(Reconnected, attempt=max(attempt, 1))

    async def ended(self, by: Party, reason: EndReason) -> bool:
        return await self._add(Ended, ended_by=by, reason=reason, media=self.tally.summary())

    async def fallback(self, reason: FallbackReason) -> bool:
        media = self.tally.summary() if self.tally.seconds_with_media else None
        return await self._add(FallbackTaken, reason=reason, media=media)

    async def callback(self, phone: str) -> bool:
        return await self._add(CallbackRequested, phone=phone)

    async def rated(self, score: int) -> bool:
        return await self._add(Rated, score=score)

    async def _add(self, model: Callable[..., RecordEvent], **fields: Any) -> bool:
        """Stamp, number and keep one event; True once it is on disk."""
        wall, mono = self.wall(), self.mono()
        if self._origin is None:
            self._origin = mono
        jump = 0.0
        if self._last is not None:
            last_wall, last_mono = self._last
            jump = (wall - last_wall).total_seconds() - (mono - last_mono)
            if abs(jump) < CLOCK_JUMP_S:
                jump = 0.0
            else:
                log.warning("consultation %s: the wall clock jumped %+.1f s",
                            self.consultation_id, jump)
                if self.on_clock_jump is not None:
                    self.on_clock_jump(jump)
        self._last = (wall, mono)
        self._seq += 1
        event = model(id=uuid.uuid4(), seq=self._seq, at=wall,
                      mono_s=round(mono - self._origin, 3), clock_jump_s=round(jump, 3), **fields)
        self.kinds.append(event.kind.value)
        return await self.outbox.append(self.consultation_id, [event])
