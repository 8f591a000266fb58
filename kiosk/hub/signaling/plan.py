"""Who rings for which waiting call, and where each call stands in its queue (pure).

Every waiting call rings every expert who could take it and is free now:
on duty, marked available, with a console connected, not in another
consultation and not having declined it. A lawyer who is rung by several
calls sees them in arrival order and takes the first. The queue is per
service, first come first served; a call's position counts the waiting calls
of its service that came before it, plus itself.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from kiosk.hub.signaling.calls import Call
from kiosk.hub.signaling.store import OnDuty, Snapshot


@dataclass(frozen=True)
class CallPlan:
    candidates: frozenset[int]  # who could take it (free or busy), minus those who declined
    ring: frozenset[int]  # who rings now: the free candidates
    position: int
    estimated_wait_s: int


def pool(call: Call, on_duty: Mapping[int, OnDuty], connected: Collection[int]) -> frozenset[int]:
    """Experts who could take `call` at all, whether free or busy, declined or not."""
    named = call.requested_expert_id
    if named is not None:
        chosen = {named} if named in on_duty else set()
    else:
        chosen = {e for e, duty in on_duty.items() if call.service in duty.services}
    return frozenset(e for e in chosen if e in connected)


def plan(
    waiting: Iterable[Call],
    snapshot: Snapshot,
    connected: Collection[int],
    busy: Collection[int],
) -> dict[UUID, CallPlan]:
    positions: Counter[str] = Counter()
    plans: dict[UUID, CallPlan] = {}
    mean_s = snapshot.mean_length.total_seconds()
    for call in sorted(waiting, key=lambda c: c.seq):
        candidates = pool(call, snapshot.on_duty, connected) - call.declined
        ring = frozenset(e for e in candidates if e not in busy)
        positions[call.service] += 1
        position = positions[call.service]
        # Calls ahead that the free experts cannot absorb at once, shared among all who serve.
        ahead = max(0, position - len(ring))
        estimate = math.ceil(ahead * mean_s / max(1, len(candidates)))
        plans[call.id] = CallPlan(candidates, ring, position, estimate)
    return plans
