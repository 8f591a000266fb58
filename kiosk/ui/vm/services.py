"""The services screen: the bureau's six services, and whether someone can be called."""

from __future__ import annotations

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

    def update(self, schedule: Schedule | None, now: datetime) -> None:
        entries = schedule.entries if schedule is not None else []
        counts = tuple(callable_count(entries, code, now) for code in SERVICE_ORDER)
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
