"""The services screen: the bureau's six services, and whether someone can be called."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal
from PySide6.QtQml import QmlElement

from kiosk.domain.codes import SERVICE_ORDER
from kiosk.ui.present import callable_count
from kiosk.ui.vm.qml import uncreatable

if TYPE_CHECKING:
    from kiosk.domain.models import Schedule

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1


@QmlElement
@uncreatable()
class ServicesViewModel(QObject):
    """Tiles in the bureau's order; names and sentences are translated in QML by code."""

    servicesChanged = Signal()

    def __init__(self, icon_base: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon_base = icon_base
        self._callable: tuple[int, ...] = (0,) * len(SERVICE_ORDER)
        self._schedule: Schedule | None = None
        self._now: datetime | None = None
        self._live: frozenset[int] | None = None  # see ScheduleViewModel.set_presence

    def update(self, schedule: Schedule | None, now: datetime) -> None:
        self._schedule, self._now = schedule, now
        self._count()

    def set_presence(self, reachable: Collection[int] | None) -> None:
        self._live = frozenset(reachable) if reachable is not None else None
        self._count()

    def _count(self) -> None:
        if self._now is None:
            return
        entries = self._schedule.entries if self._schedule is not None else []
        counts = tuple(
            callable_count(entries, code, self._now, self._live) for code in SERVICE_ORDER
        )
        if counts != self._callable:
            self._callable = counts
            self.servicesChanged.emit()

    def _services(self) -> list[dict[str, object]]:
        return [
            {
                "code": code.value,
                "icon": f"{self._icon_base}{code.value}.svg",
                "callable": n,
            }
            for code, n in zip(SERVICE_ORDER, self._callable, strict=True)
        ]

    services = Property(list, _services, notify=servicesChanged)
