"""The schedule screen: who is on duty for the chosen service now, and who comes next."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, tzinfo
from enum import StrEnum

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from kiosk.domain.codes import ServiceCode
from kiosk.ui.ports import SnapshotLike
from kiosk.ui.present import DutyCard, UpcomingRow, duty_cards, minutes_since, upcoming_rows
from kiosk.ui.vm.qml import put, uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)

# Expert ids start at 1, so 0 can stand for "whoever on duty answers first".
ANYONE = 0
# The screen shows as many cards as fit its height (three on 1024×600); more
# than this is never useful, and "call anyone" still reaches the others.
MAX_CARDS = 8
MAX_UPCOMING = 6


class Situation(StrEnum):
    NONE = ""  # no service chosen
    READY = "ready"  # someone can be called now
    BUSY = "busy"  # on duty, but none can be called now (away, or no console open)
    NOBODY = "nobody"  # no one on duty now
    UNKNOWN = "unknown"  # no schedule at all: never reached the hub, no cache


@QmlElement
@uncreatable()
class ScheduleViewModel(QObject):
    serviceChanged = Signal()
    situationChanged = Signal()
    onDutyChanged = Signal()
    upcomingChanged = Signal()
    freshnessChanged = Signal()
    # (service code, expert id or ANYONE); the call itself is the call package's job.
    callRequested = Signal(str, int)

    def __init__(self, tz: tzinfo, now: datetime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._now = now
        self._snapshot: SnapshotLike | None = None
        self._live: frozenset[int] | None = None  # the hub's pushed presence, while it comes
        self._service: ServiceCode | None = None
        self._situation = Situation.NONE
        self._cards: tuple[DutyCard, ...] = ()
        self._upcoming: tuple[UpcomingRow, ...] = ()
        self._stale = False
        self._minutes_ago = -1

    # --- fed by the root view-model -------------------------------------------------

    def show(self, service: ServiceCode) -> None:
        if service != self._service:
            self._service = service
            self.serviceChanged.emit()
        self._recompute()

    def clear(self) -> None:
        """Forget the resident's choice; the snapshot (public data) stays."""
        if self._service is not None:
            self._service = None
            self.serviceChanged.emit()
        self._recompute()

    def set_snapshot(self, snapshot: SnapshotLike) -> None:
        self._snapshot = snapshot
        self._recompute()

    def set_presence(self, reachable: Collection[int] | None) -> None:
        """Who the hub says a resident can call now; None when its socket is down (then
        the schedule's flags count, as fresh as its last refresh)."""
        live = frozenset(reachable) if reachable is not None else None
        if live != self._live:
            self._live = live
            self._recompute()

    def set_now(self, now: datetime) -> None:
        self._now = now
        self._recompute()

    def card_of(self, expert_id: int) -> DutyCard | None:
        return next((c for c in self._cards if c.expert_id == expert_id), None)

    # --- actions from QML ------------------------------------------------------------

    @Slot(int)
    def call(self, expert_id: int) -> None:
        if self._service is None:
            return
        if not any(c.expert_id == expert_id and c.available for c in self._cards):
            log.warning("ignoring a call to expert %s who is not callable now", expert_id)
            return
        log.info("call requested: service %s, expert %s", self._service, expert_id)
        self.callRequested.emit(self._service.value, expert_id)

    @Slot()
    def callAnyone(self) -> None:
        if self._service is None or self._situation != Situation.READY:
            return
        log.info("call requested: service %s, anyone on duty", self._service)
        self.callRequested.emit(self._service.value, ANYONE)

    # --- computation -----------------------------------------------------------------

    def _recompute(self) -> None:
        snapshot, service, now = self._snapshot, self._service, self._now
        schedule = snapshot.schedule if snapshot is not None else None
        cards: list[DutyCard] = []
        later: list[UpcomingRow] = []
        if service is None:
            situation = Situation.NONE
        elif schedule is None:
            situation = Situation.UNKNOWN
        else:
            cards = duty_cards(schedule.entries, service, now, self._tz, self._live)
            later = upcoming_rows(schedule.entries, service, now, self._tz, MAX_UPCOMING)
            if any(c.available for c in cards):
                situation = Situation.READY
            elif cards:
                situation = Situation.BUSY
            else:
                situation = Situation.NOBODY
        # The hub being unreachable only matters to a resident looking at a schedule.
        stale = service is not None and snapshot is not None and not snapshot.online
        minutes_ago = minutes_since(snapshot.confirmed_at, now) if stale and snapshot else -1

        put(self, "_situation", situation, self.situationChanged)
        put(self, "_cards", tuple(cards[:MAX_CARDS]), self.onDutyChanged)
        put(self, "_upcoming", tuple(later), self.upcomingChanged)
        if (stale, minutes_ago) != (self._stale, self._minutes_ago):
            self._stale, self._minutes_ago = stale, minutes_ago
            self.freshnessChanged.emit()


    # --- properties ------------------------------------------------------------------

    def _get_service(self) -> str:
        return self._service.value if self._service is not None else ""

    def _get_situation(self) -> str:
        return self._situation.value

    def _get_on_duty(self) -> list[dict[str, object]]:
        return [c.to_qml() for c in self._cards]

    def _get_upcoming(self) -> list[dict[str, object]]:
        return [r.to_qml() for r in self._upcoming]

    def _get_stale(self) -> bool:
        return self._stale

    def _get_minutes_ago(self) -> int:
        return self._minutes_ago

    service = Property(str, _get_service, notify=serviceChanged)
    situation = Property(str, _get_situation, notify=situationChanged)
    onDuty = Property(list, _get_on_duty, notify=onDutyChanged)
    upcoming = Property(list, _get_upcoming, notify=upcomingChanged)
    stale = Property(bool, _get_stale, notify=freshnessChanged)
    minutesAgo = Property(int, _get_minutes_ago, notify=freshnessChanged)
