"""Keeps the view-models fed with the hub's snapshot: the disk cache first, then the network."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.ui.bridge import AsyncBridge, BridgeClosed
from kiosk.ui.ports import LinkLike, SnapshotLike

log = logging.getLogger(__name__)


class HubFeed(QObject):
    """Refreshes every `every_seconds` and on demand, never two refreshes at once.

    `HubLink.refresh` never raises for hub trouble, so an error here is a bug;
    it is logged and the next refresh simply tries again.
    """

    snapshotReady = Signal(object)

    def __init__(
        self,
        link: LinkLike,
        bridge: AsyncBridge,
        every_seconds: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._link = link
        self._bridge = bridge
        self._in_flight = False
        self._timer = QTimer(self, interval=int(every_seconds * 1000))
        self._timer.timeout.connect(self.refresh)

    @property
    def link(self) -> LinkLike:
        return self._link

    @property
    def in_flight(self) -> bool:
        return self._in_flight

    def cached(self) -> SnapshotLike:
        return self._link.cached()

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def refresh(self) -> None:
        if self._in_flight:
            return
        self._in_flight = True
        try:
            self._bridge.submit(self._link.refresh(), self._done, self._failed)
        except BridgeClosed:
            self._in_flight = False

    def _done(self, snapshot: SnapshotLike) -> None:
        self._in_flight = False
        self.snapshotReady.emit(snapshot)

    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        log.error("refreshing from the hub failed unexpectedly", exc_info=error)
