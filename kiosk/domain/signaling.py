"""Signaling messages of a video consultation, over one WebSocket per terminal or console tab.

The hub relays SDP between the terminal and the one expert who accepted, and
owns the ringing: which experts are rung, who wins, the queue. Media never
passes through the hub. Every message is JSON with a `type`; anything that
does not parse as one of these models is refused with an `Error`.

Offers come from the terminal, always complete (aiortc gathers all candidates
before it offers), and the browser answers after its own gathering is
complete, so there is no trickle ICE. A terminal that loses media rebuilds its
peer connection and sends a new `Offer` for the same consultation (aiortc has
no ICE restart); the console answers it on a fresh peer connection.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from kiosk.domain.catalogue import ExpertGroup, ServiceCode

# An SDP of a few audio/video/data sections with all candidates fits well under this;
# anything bigger is garbage or an attack on the relay.
MAX_SDP = 64_000
Sdp = Annotated[str, StringConstraints(min_length=10, max_length=MAX_SDP)]
Notes = Annotated[str, StringConstraints(max_length=10_000)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EndReason(StrEnum):
    HUNG_UP = "hung_up"
    CANCELLED = "cancelled"
    NO_ANSWER = "no_answer"
    ALL_BUSY = "all_busy"
    NOBODY_ON_DUTY = "nobody_on_duty"
    MEDIA_LOST = "media_lost"
    HUB_RESTARTED = "hub_restarted"


class Party(StrEnum):
    TERMINAL = "terminal"
    EXPERT = "expert"
    HUB = "hub"


class Outcome(StrEnum):
    ANSWERED = "answered"
    REFERRED = "referred"
    LEGAL_AID_STARTED = "legal_aid_started"
    MEDIATION_ARRANGED = "mediation_arranged"
    CALL_FAILED = "call_failed"


# --- terminal -> hub ---------------------------------------------------------------------


class CallRequest(_Message):
    """A resident asked for a consultation; the id is made on the kiosk and never changes."""

    type: Literal["call.request"] = "call.request"
    consultation_id: UUID
    service: ServiceCode
    expert_id: int | None = Field(default=None, gt=0)  # None: anyone on duty for the service
    requested_at: AwareDatetime


class CallCancel(_Message):
    type: Literal["call.cancel"] = "call.cancel"
    consultation_id: UUID
    # When the resident gave up, on the kiosk's clock; a cancel kept while the hub was
    # away arrives late. The hub clamps it into [requested, now] and stores it as the end.
    at: AwareDatetime | None = None


class Offer(_Message):
    type: Literal["sdp.offer"] = "sdp.offer"
    consultation_id: UUID
    sdp: Sdp
    attempt: int = Field(default=1, ge=1, le=20)  # 2, 3, ...: a rebuilt peer connection


class HangUp(_Message):
    type: Literal["call.hangup"] = "call.hangup"
    consultation_id: UUID
    reason: EndReason = EndReason.HUNG_UP
    # When it was hung up, on the sender's clock: the real end of a call whose hang-up
    # waited for the hub to come back. Clamped by the hub into [accepted, now].
    at: AwareDatetime | None = None


class CallResume(_Message):
    """The terminal's link came back during a call: it still has this one, with its
    offers up to `attempt`. The hub answers `call.accepted` (it goes on) or `call.ended`."""

    type: Literal["call.resume"] = "call.resume"
    consultation_id: UUID
    attempt: int = Field(default=0, ge=0, le=20)


# --- console -> hub ----------------------------------------------------------------------


class Accept(_Message):
    type: Literal["call.accept"] = "call.accept"
    consultation_id: UUID


class Decline(_Message):
    type: Literal["call.decline"] = "call.decline"
    consultation_id: UUID


class Answer(_Message):
    type: Literal["sdp.answer"] = "sdp.answer"
    consultation_id: UUID
    sdp: Sdp
    attempt: int = Field(default=1, ge=1, le=20)


class CallStatus(_Message):
    """A console tab asks what became of a call it had (after a reconnect or a reload);
    answered with `call.current`, `call.ringing`, `call.taken` or `call.ended`."""

    type: Literal["call.status"] = "call.status"
    consultation_id: UUID


class SaveNotes(_Message):
    type: Literal["notes.save"] = "notes.save"
    consultation_id: UUID
    notes: Notes


class Ping(_Message):
    """Either way: the sender wants a `pong`. The hub pings every console tab (its
    heartbeat); a tab that stops answering stops counting as reachable."""

    type: Literal["ping"] = "ping"


# --- hub -> terminal ---------------------------------------------------------------------


class ExpertBrief(_Message):
    id: int
    name: str
    group: ExpertGroup


class Queued(_Message):
    """Where the resident stands: sent on request and whenever the queue moves."""

    type: Literal["call.queued"] = "call.queued"
    consultation_id: UUID
    position: int = Field(ge=1)
    estimated_wait_s: int = Field(ge=0)
    ringing: list[ExpertBrief]


class Accepted(_Message):
    type: Literal["call.accepted"] = "call.accepted"
    consultation_id: UUID
    expert: ExpertBrief


class Presence(_Message):
    """The experts a resident can call now (on duty, marked available, a console tab
    connected and answering): sent when the terminal connects and whenever it changes."""

    type: Literal["presence"] = "presence"
    reachable: list[int]


# --- hub -> console ----------------------------------------------------------------------


class CallPlace(_Message):
    """Where a call comes from and what for: what a lawyer sees of it."""

    consultation_id: UUID
    terminal_id: int
    county: str
    town: str
    village: str
    site_name: str
    service: ServiceCode
    requested_at: AwareDatetime


class Ringing(CallPlace):
    type: Literal["call.ringing"] = "call.ringing"
    for_you_only: bool  # the resident chose this expert by name


class InCall(CallPlace):
    """The lawyer's open consultation, as `call.current` tells a tab about it."""

    accepted_at: AwareDatetime  # the hub's clock
    elapsed_s: float = Field(ge=0)  # since accepted, by the hub's clock: the tab's timer
    attempt: int = Field(ge=0)  # offers relayed so far
    terminal_present: bool  # the terminal is connected (false just after a hub restart)
    elsewhere: bool  # another tab of this lawyer holds the call


class Current(_Message):
    """Sent to every console tab as it connects, and on `call.status`: the lawyer's open
    consultation, or none."""

    type: Literal["call.current"] = "call.current"
    call: InCall | None = None


class Taken(_Message):
    """Stop ringing: someone else accepted it, you declined it, or you became busy or away.
    A call that ended (cancelled, withdrawn) is `call.ended` instead, with the reason."""

    type: Literal["call.taken"] = "call.taken"
    consultation_id: UUID
    by_you: bool


# --- both directions / both parties -----------------------------------------------------


class Ended(_Message):
    type: Literal["call.ended"] = "call.ended"
    consultation_id: UUID
    by: Party
    reason: EndReason
    # The hub's times of an accepted call: its length is ended_at - accepted_at.
    accepted_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None


class Error(_Message):
    """A refused message: one sentence for the log, and the type that was refused."""

    type: Literal["error"] = "error"
    detail: str
    refused: str | None = None
    consultation_id: UUID | None = None


class Pong(_Message):
    type: Literal["pong"] = "pong"


FromTerminal = Annotated[
    CallRequest | CallCancel | CallResume | Offer | HangUp | Ping, Field(discriminator="type")
]
FromConsole = Annotated[
    Accept | Decline | Answer | HangUp | CallStatus | SaveNotes | Ping | Pong,
    Field(discriminator="type"),
]
ToTerminal = Annotated[
    Queued | Accepted | Presence | Answer | Ended | Error | Pong, Field(discriminator="type")
]
ToConsole = Annotated[
    Ringing | Taken | Current | Offer | Ended | Error | Ping | Pong, Field(discriminator="type")
]

FROM_TERMINAL: TypeAdapter[FromTerminal] = TypeAdapter(FromTerminal)
FROM_CONSOLE: TypeAdapter[FromConsole] = TypeAdapter(FromConsole)
TO_TERMINAL: TypeAdapter[ToTerminal] = TypeAdapter(ToTerminal)
TO_CONSOLE: TypeAdapter[ToConsole] = TypeAdapter(ToConsole)


# --- REST: GET /v1/ice-servers -----------------------------------------------------------


class IceServer(BaseModel):
    """One entry of RTCConfiguration.iceServers; TURN entries carry coturn REST credentials."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class IceServers(BaseModel):
    """STUN, then TURN (UDP 3478, TCP 443, TLS 443); empty when the hub offers none."""

    ice_servers: list[IceServer]
    ttl_s: int = Field(ge=0)
