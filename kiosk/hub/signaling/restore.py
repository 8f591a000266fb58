"""A consultation a previous run of the hub left open, as the switchboard holds it again.

The database has all a call needs to go on (its state, terminal, place, service,
who accepted it and when, the offers made so far); what it cannot have is who
is connected, so a restored call starts unclaimed and waits for its parties
(docs/signaling.md, "A hub that restarts").
"""

from __future__ import annotations

from kiosk.hub.signaling.calls import Call, CallState
from kiosk.hub.signaling.store import Leftover


def restored_call(left: Leftover, seq: int) -> Call:
    """`seq`: the queue's order; leftovers come oldest request first, so FIFO holds."""
    accepted = left.accepted_at is not None
    return Call(
        id=left.id,
        terminal_id=left.terminal_id,
        place=left.place,
        service=left.service,
        requested_expert_id=left.requested_expert_id,
        requested_at=left.requested_at,
        seq=seq,
        state=CallState.ACCEPTED if accepted else CallState.WAITING,
        expert=left.expert if accepted else None,
        accepted_at=left.accepted_at,
        restored=True,
        claimed=False,
        expert_back=False,
        offer_attempt=left.attempts,
        # The answer to the last offer may have been lost with the hub: one more may pass.
        answer_attempt=max(0, left.attempts - 1),
    )
