"""Keeps the view-models fed with the hub's snapshot: the disk cache first, then the network.

A terminal's link to the hub (`HubLink`: httpx, and pydantic to read its cache)
costs more to build than the whole start screen, so the feed can be handed a
way to make it instead of the link itself: `start()`, called once the first
frame is on screen, starts the bridge, makes the link on the loop thread and
delivers its cached snapshot, then the hub's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.ui.bridge import AsyncBridge, BridgeClosed
from kiosk.ui.ports import LinkLike, SnapshotLike

log = logging.getLogger(__name__)


class HubFeed(QObject):
    """Refreshes every `every_seconds` and on demand, never two requests at once.

    `HubLink.refresh` never raises for hub trouble, so an error here is a bug;
    it is logged and the next refresh simply tries again (making the link too,
    if that is what failed).
    """

    snapshotReady = Signal(object)

    def __init__(
        self,
        bridge: AsyncBridge,
        every_seconds: float,
        *,
        link: LinkLike | None = None,
        make_link: Callable[[], LinkLike] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Give either the `link` or a way to `make_link` (called on the loop thread)."""
        super().__init__(parent)
        if (link is None) == (make_link is None):
            raise ValueError("give either link or make_link")
        self._link = link
        self._make_link = make_link
        self._bridge = bridge
        self._started = False
        self._stopped = False
        self._in_flight = False
        self._timer = QTimer(self, interval=int(every_seconds * 1000))
        self._timer.timeout.connect(self.refresh)

    @property
    def link(self) -> LinkLike | None:
        """None until the link is made (on the loop thread, after `start`)."""
        return self._link

    @property
    def in_flight(self) -> bool:
        return self._in_flight

    @Slot()
    def start(self) -> None:
        """Start the loop thread, then the link and the refreshes; only the first call counts."""
        if self._started or self._stopped:
            return
        self._started = True
        if not self._bridge.running:
            try:
                self._bridge.start()
            except BridgeClosed:
                return
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        """No more refreshes, and no start if it has not come yet."""
        self._stopped = True
        self._timer.stop()

    async def aclose(self) -> None:
        """Close the link, if it was made; for `AsyncBridge.close`."""
        if self._link is not None:
            await self._link.aclose()

    @Slot()
    def refresh(self) -> None:
        if self._in_flight or not self._started or self._stopped:
            return
        link = self._link
        self._in_flight = True
        try:
            if link is None:
                self._bridge.submit(self._connect(), self._connected, self._failed)
            else:
                self._bridge.submit(link.refresh(), self._done, self._failed)
        except BridgeClosed:
            self._in_flight = False

    async def _connect(self) -> SnapshotLike:
        # On the loop thread: httpx and pydantic load here, and the cache is parsed here.
        assert self._make_link is not None
        link = self._make_link()
        # Set here rather than in _connected, so `aclose` finds it even if the bridge
        # closes before the Qt thread hears of it; `_in_flight` keeps refresh() off it.
        self._link = link
        return link.cached()

    def _connected(self, cached: SnapshotLike) -> None:
        self._in_flight = False
        self.snapshotReady.emit(cached)
        self.refresh()

    def _done(self, snapshot: SnapshotLike) -> None:
        self._in_flight = False
        self.snapshotReady.emit(snapshot)

    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        log.error("refreshing from the hub failed unexpectedly", exc_info=error)
