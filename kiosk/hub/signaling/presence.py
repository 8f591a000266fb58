"""Who a resident can reach now, as the switchboard last worked it out (docs/signaling.md).

An expert is reachable while on duty, marked available and with at least one
console tab connected and answering the hub's heartbeat: nobody else can hear
a call ring. Experts with no lawyer login can never open a console, so they are
never reachable. The sets are replaced whole, never changed in place, so the
REST routes (on worker threads) may read them without the switchboard's lock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from kiosk.domain.signaling import Presence as PresenceMessage
from kiosk.hub.signaling.store import OnDuty


class Presence:
    def __init__(self) -> None:
        self.connected: frozenset[int] = frozenset()  # experts with a console tab open
        self.reachable: frozenset[int] = frozenset()

    def update(self, on_duty: Mapping[int, OnDuty], connected: Collection[int]) -> bool:
        """Work the sets out again; True when who is reachable changed."""
        self.connected = frozenset(connected)
        reachable = frozenset(e for e in on_duty if e in self.connected)
        changed = reachable != self.reachable
        self.reachable = reachable
        return changed

    def message(self) -> PresenceMessage:
        return PresenceMessage(reachable=sorted(self.reachable))
