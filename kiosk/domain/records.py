"""Session records: what a terminal reports of each consultation, event by event.

A consultation's events are made on the kiosk, kept in its outbox, and uploaded
with `PUT /v1/records/{consultation_id}`. Each event carries its own id, so a
replay changes nothing, and its place in the consultation (`seq`, from 1), so
the hub can tell a gap from a replay. The hub keeps its own signaling view of
the same consultation beside it and flags where the two disagree.

No image and no sound ever goes into a record. A callback number travels in
the `callback_requested` event; the kiosk keeps it encrypted until the hub has
it and then forgets it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from kiosk.domain.codes import ExpertGroup, ServiceCode
from kiosk.domain.consultations import Phone, TerminalPlace
from kiosk.domain.signaling import EndReason, Outcome, Party

# One upload carries at most this many events; a week offline drains in several.
MAX_EVENTS_PER_UPLOAD = 500


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventKind(StrEnum):
    REQUESTED = "requested"  # the resident tapped call: the consultation exists from here
    RINGING = "ringing"  # the hub rang experts (or queued the call)
    ANSWERED = "answered"  # an expert accepted
    MEDIA_CONNECTED = "media_connected"  # the first picture or sound of the expert arrived
    RECONNECTED = "reconnected"  # media came back after a rebuild of the connection
    ENDED = "ended"  # a conversation took place and ended
    FALLBACK = "fallback"  # nobody was reached: the fallback screen was shown
    CALLBACK_REQUESTED = "callback_requested"  # the resident left a number
    RATED = "rated"  # the resident's rating, or a skip


class FallbackReason(StrEnum):
    NO_ANSWER = "no_answer"
    ALL_BUSY = "all_busy"
    NOBODY_ON_DUTY = "nobody_on_duty"
    MEDIA_LOST = "media_lost"  # the connection could not be rebuilt
    UNREACHABLE = "unreachable"  # the hub or the network did not answer
    FAILED = "failed"  # the call broke on the kiosk


def fallback_reason(reason: EndReason | None, *, failed: bool, rang: bool) -> FallbackReason:
    """Why nobody was reached, from how the call ended: the words the resident's fallback
    screen shows and the record keeps are this one answer.

    `rang`: the hub queued the call. A "no answer" without that is a hub that never
    took the call in hand, not experts who let it ring.
    """
    if failed or reason is None:
        return FallbackReason.FAILED
    if reason == EndReason.NO_ANSWER and not rang:
        return FallbackReason.UNREACHABLE
    if reason == EndReason.HUB_RESTARTED:
        # The bureau's system restarted and the other side did not come back: the call
        # was cut, not left unanswered.
        return FallbackReason.MEDIA_LOST
    try:
        return FallbackReason(reason.value)
    except ValueError:
        return FallbackReason.NO_ANSWER  # e.g. the expert hung up before anyone spoke


class MediaSummary(_Strict):
    """How the call went technically, from the kiosk's side."""

    seconds_with_media: float = Field(ge=0)
    send_kbps_mean: float = Field(ge=0)
    recv_kbps_mean: float = Field(ge=0)
    freezes: int = Field(ge=0)  # times the expert's picture stopped for a second or more
    relay_used: bool
    reconnects: int = Field(ge=0)
    audio_only_seconds: float = Field(default=0, ge=0)


class _Event(_Strict):
    id: UUID
    seq: int = Field(ge=1)
    at: AwareDatetime  # the kiosk's wall clock
    # Seconds since the consultation's first event on the kiosk's monotonic clock: true
    # durations even when the wall clock jumps.
    mono_s: float = Field(ge=0)
    # The wall clock moved this many seconds against the monotonic clock since the
    # previous event (0 when it did not); the hub flags a record that has one.
    clock_jump_s: float = 0


class Requested(_Event):
    kind: Literal[EventKind.REQUESTED] = EventKind.REQUESTED
    service: ServiceCode
    expert_id: int | None = None  # the expert the resident chose, or None for anyone on duty


class Ringing(_Event):
    kind: Literal[EventKind.RINGING] = EventKind.RINGING
    queue_position: int = Field(default=0, ge=0)


class Answered(_Event):
    kind: Literal[EventKind.ANSWERED] = EventKind.ANSWERED
    expert_id: int
    expert_group: ExpertGroup
    expert_name: str = Field(max_length=60)


class MediaConnected(_Event):
    kind: Literal[EventKind.MEDIA_CONNECTED] = EventKind.MEDIA_CONNECTED
    relay: bool | None = None


class Reconnected(_Event):
    kind: Literal[EventKind.RECONNECTED] = EventKind.RECONNECTED
    attempt: int = Field(ge=1)


class Ended(_Event):
    kind: Literal[EventKind.ENDED] = EventKind.ENDED
    ended_by: Party
    reason: EndReason
    media: MediaSummary


class FallbackTaken(_Event):
    kind: Literal[EventKind.FALLBACK] = EventKind.FALLBACK
    reason: FallbackReason
    media: MediaSummary | None = None  # when a call with media broke


class CallbackRequested(_Event):
    kind: Literal[EventKind.CALLBACK_REQUESTED] = EventKind.CALLBACK_REQUESTED
    phone: Phone


class Rated(_Event):
    kind: Literal[EventKind.RATED] = EventKind.RATED
    score: int = Field(ge=0, le=5)  # 1..5 faces; 0 the resident skipped or walked away


RecordEvent = Annotated[
    Requested | Ringing | Answered | MediaConnected | Reconnected | Ended | FallbackTaken
    | CallbackRequested | Rated,
    Field(discriminator="kind"),
]


class RecordUpload(_Strict):
    """Body of `PUT /v1/records/{consultation_id}`: events in `seq` order."""

    events: list[RecordEvent] = Field(min_length=1, max_length=MAX_EVENTS_PER_UPLOAD)


class Disagreement(StrEnum):
    """Where the kiosk's record and the hub's signaling view differ."""

    NOT_SIGNALED = "not_signaled"  # the hub never saw the consultation (e.g. offline fallback)
    EXPERT_DIFFERS = "expert_differs"  # answered by another expert than the hub connected
    ANSWER_UNSEEN = "answer_unseen"  # the kiosk says answered, the hub saw no accept
    ANSWER_UNREPORTED = "answer_unreported"  # the hub saw an accept the kiosk did not report
    ENDED_BY_DIFFERS = "ended_by_differs"
    DURATION_DIFFERS = "duration_differs"  # talk time differs by more than a minute
    CLOCK_JUMPED = "clock_jumped"  # the kiosk's clock jumped during the consultation
    SEQUENCE_GAP = "sequence_gap"  # events are missing between ones the hub has
    CONFLICTING_REPLAY = "conflicting_replay"  # an event id came again with other content


class RecordAck(BaseModel):
    """The hub's answer, sent only after its commit: these event ids are stored."""

    consultation_id: UUID
    stored: list[UUID]  # new in this upload
    already_had: list[UUID]  # replays: stored before, unchanged
    events_held: int  # all events the hub holds for this consultation
    flags: list[Disagreement]


class SessionRecord(TerminalPlace):
    """One consultation as the hub holds it: the kiosk's report beside the hub's own view."""

    consultation_id: UUID
    service: ServiceCode | None = None
    expert_id: int | None = None
    expert_group: ExpertGroup | None = None
    requested_at: AwareDatetime | None = None  # the kiosk's clock
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    ended_by: Party | None = None
    end_reason: EndReason | None = None
    fallback: FallbackReason | None = None
    callback_requested: bool = False
    rating: int | None = None  # None: not rated yet; 0: skipped
    media: MediaSummary | None = None
    outcome: Outcome | None = None  # what the expert recorded in the console
    # The hub's own signaling view (its clock).
    hub_accepted_expert_id: int | None = None
    hub_accepted_at: AwareDatetime | None = None
    hub_ended_at: AwareDatetime | None = None
    hub_ended_by: Party | None = None
    events: int
    first_received_at: AwareDatetime
    last_received_at: AwareDatetime
    flags: list[Disagreement]
