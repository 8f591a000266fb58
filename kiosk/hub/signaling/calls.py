"""One consultation as the switchboard holds it in memory while it is open."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from kiosk.domain import ServiceCode
from kiosk.domain.signaling import Answer, ExpertBrief, InCall, Offer, Queued, Ringing
from kiosk.hub.signaling.connections import Connection


class CallState(StrEnum):
    WAITING = "waiting"  # ringing someone, or queued until someone is free
    ACCEPTED = "accepted"
    ENDED = "ended"


@dataclass(frozen=True)
class Place:
    county: str
    town: str
    village: str
    site_name: str


@dataclass(eq=False)
class Call:
    id: UUID
    terminal_id: int
    place: Place
    service: ServiceCode
    requested_expert_id: int | None
    requested_at: datetime  # the hub's clock
    seq: int  # arrival order: the queue is FIFO
    state: CallState | None = None  # None until its row exists
    expert: ExpertBrief | None = None  # who accepted
    accepted_at: datetime | None = None
    # Left open by a previous run of the hub and loaded again at start-up: it waits
    # (`restart_grace`) for its parties, and rings nobody until its terminal claims it.
    restored: bool = False
    # The terminal has said it still has this call since it last connected
    # (`call.request` again, or `call.resume`); False until then.
    claimed: bool = True
    expert_back: bool = True  # restored: a tab of the accepting lawyer connected since
    expert_conn: Connection | None = None  # the tab that accepted (or answered last)
    ringing: set[int] = field(default_factory=set)  # expert ids ringing now
    declined: set[int] = field(default_factory=set)
    offer_attempt: int = 0  # highest offer relayed
    answer_attempt: int = 0  # highest answer relayed
    # The offer until it is answered, given again to a tab of the expert that connects;
    # the answer while the terminal had no socket, delivered when it reconnects.
    pending_offer: Offer | None = None
    pending_answer: Answer | None = None
    last_queued: Queued | None = None
    withdraw: asyncio.TimerHandle | None = None
    orphan: asyncio.TimerHandle | None = None
    claim: asyncio.TimerHandle | None = None  # ends a call its terminal does not claim

    @property
    def open(self) -> bool:
        return self.state in (CallState.WAITING, CallState.ACCEPTED)

    def _about(self) -> dict[str, Any]:
        """What a lawyer's page shows of any call: where it comes from, for what, since when."""
        return {
            "consultation_id": self.id,
            "terminal_id": self.terminal_id,
            "county": self.place.county,
            "town": self.place.town,
            "village": self.place.village,
            "site_name": self.place.site_name,
            "service": self.service,
            "requested_at": self.requested_at,
        }

    def ringing_message(self) -> Ringing:
        return Ringing(
            **self._about(),
            for_you_only=self.requested_expert_id is not None,
        )

    def in_call(self, now: datetime, *, terminal_present: bool, elsewhere: bool) -> InCall:
        """This accepted call as `call.current` tells its lawyer's tabs."""
        assert self.accepted_at is not None
        return InCall(
            **self._about(),
            accepted_at=self.accepted_at,
            elapsed_s=max(0.0, (now - self.accepted_at).total_seconds()),
            attempt=self.offer_attempt,
            terminal_present=terminal_present,
            elsewhere=elsewhere,
        )

    def cancel_timers(self) -> None:
        for handle in (self.withdraw, self.orphan, self.claim):
            if handle is not None:
                handle.cancel()
        self.withdraw = self.orphan = self.claim = None
