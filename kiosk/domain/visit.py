"""A resident's visit at the kiosk, as a state machine with no I/O.

Every change goes through `Visit._set_state`, which logs `old -> new` and calls
the listener once, so the UI, the outbox (later) and the logs see the same
sequence of states.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from kiosk.domain.codes import ServiceCode

log = logging.getLogger(__name__)


class VisitState(StrEnum):
    START = "start"
    SERVICES = "services"
    SCHEDULE = "schedule"
    CALL = "call"  # waiting for an expert, then talking to one
    FALLBACK = "fallback"  # nobody could be reached: a callback or the hotline
    RATING = "rating"  # after a consultation took place


_ALLOWED: dict[VisitState, frozenset[VisitState]] = {
    VisitState.START: frozenset({VisitState.SERVICES}),
    VisitState.SERVICES: frozenset({VisitState.START, VisitState.SCHEDULE}),
    VisitState.SCHEDULE: frozenset({VisitState.START, VisitState.SERVICES, VisitState.CALL}),
    # A resident who cancels the wait goes back to the schedule, to choose again.
    VisitState.CALL: frozenset(
        {VisitState.START, VisitState.SCHEDULE, VisitState.FALLBACK, VisitState.RATING}
    ),
    VisitState.FALLBACK: frozenset({VisitState.START, VisitState.SCHEDULE}),
    VisitState.RATING: frozenset({VisitState.START}),
}


class InvalidTransition(ValueError):
    pass


class Visit:
    def __init__(self, on_change: Callable[[VisitState, VisitState], None] | None = None) -> None:
        self._state = VisitState.START
        self._service: ServiceCode | None = None
        self._on_change = on_change

    @property
    def state(self) -> VisitState:
        return self._state

    @property
    def service(self) -> ServiceCode | None:
        return self._service

    def begin(self) -> None:
        self._set_state(VisitState.SERVICES)

    def choose_service(self, service: ServiceCode) -> None:
        if self._state != VisitState.SERVICES:
            raise InvalidTransition(f"cannot choose a service in state {self._state}")
        self._service = service
        self._set_state(VisitState.SCHEDULE)

    def call(self) -> None:
        """The resident tapped a call button on the schedule."""
        if self._state != VisitState.SCHEDULE:
            raise InvalidTransition(f"cannot start a call in state {self._state}")
        self._set_state(VisitState.CALL)

    def call_cancelled(self) -> None:
        """The resident gave up waiting before anyone answered."""
        self._set_state(VisitState.SCHEDULE)

    def call_ended(self, *, talked: bool) -> None:
        """A consultation took place (rating next) or nobody could be reached (fallback)."""
        self._set_state(VisitState.RATING if talked else VisitState.FALLBACK)

    def back(self) -> None:
        if self._state == VisitState.FALLBACK:
            self._set_state(VisitState.SCHEDULE)
        elif self._state == VisitState.SCHEDULE:
            self._service = None
            self._set_state(VisitState.SERVICES)
        elif self._state == VisitState.SERVICES:
            self._set_state(VisitState.START)

    def reset(self) -> None:
        """End the visit: forget everything about this resident."""
        self._service = None
        if self._state != VisitState.START:
            self._set_state(VisitState.START)

    def _set_state(self, new: VisitState) -> None:
        old = self._state
        if new == old:
            return
        if new not in _ALLOWED[old]:
            raise InvalidTransition(f"{old} -> {new}")
        log.info("visit %s -> %s", old, new)
        self._state = new
        if self._on_change is not None:
            self._on_change(old, new)
