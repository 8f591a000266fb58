"""REST models of video consultations and callback requests (docs/signaling.md, REST additions).

The signaling messages themselves are in `kiosk.domain.signaling`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from kiosk.domain.codes import ServiceCode
from kiosk.domain.signaling import EndReason, Notes, Outcome, Party

# What a resident types on the kiosk's keypad: digits, optionally a leading +.
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9]{5,20}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallbackIn(_Strict):
    """A resident who reached nobody asks to be called back (idempotent on the consultation)."""

    consultation_id: UUID
    phone: Phone


class TerminalPlace(BaseModel):
    """Which terminal, and where it stood at the time (subsidy reports group by village)."""

    terminal_id: int
    county: str
    town: str
    village: str
    site_name: str


class CallbackRequest(TerminalPlace):
    id: int
    consultation_id: UUID
    # None when the hub never saw the consultation (the kiosk was offline when it was asked for).
    service: ServiceCode | None = None
    # None once the call back is done: the hub does not keep the number longer.
    phone: str | None = None
    created_at: AwareDatetime
    done_at: AwareDatetime | None = None
    done_by: str | None = None


class Consultation(TerminalPlace):
    """One video consultation as the hub recorded it; every time is the hub's clock."""

    id: UUID
    service: ServiceCode
    requested_expert_id: int | None = None
    accepted_expert_id: int | None = None
    accepted_expert_name: str | None = None
    requested_at: AwareDatetime
    accepted_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    ended_by: Party | None = None
    end_reason: EndReason | None = None
    outcome: Outcome | None = None
    notes: str | None = None
    attempts: int = 0


class OutcomeIn(_Strict):
    """What came of a consultation, from the lawyer who accepted it; notes replace earlier ones."""

    outcome: Outcome
    notes: Notes | None = None
