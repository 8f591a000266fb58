"""The start screen: who runs this terminal and where it stands."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal
from PySide6.QtQml import QmlElement

from kiosk.ui.ports import ProfileLike
from kiosk.ui.vm.qml import uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1


@QmlElement
@uncreatable()
class StartViewModel(QObject):
    """Place names come from the hub's terminal profile; empty until it is known."""

    placeChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._place: tuple[str, str, str, str, str] = ("", "", "", "", "")

    def apply(self, profile: ProfileLike | None) -> None:
        if profile is None:
            return  # keep what we showed: a damaged cache must not blank the screen
        t = profile.terminal
        place = (profile.bureau_name, t.county, t.town, t.village, t.site_name)
        if place != self._place:
            self._place = place
            self.placeChanged.emit()

    def _bureau(self) -> str:
        return self._place[0]

    def _county(self) -> str:
        return self._place[1]

    def _town(self) -> str:
        return self._place[2]

    def _village(self) -> str:
        return self._place[3]

    def _site(self) -> str:
        return self._place[4]

    bureauName = Property(str, _bureau, notify=placeChanged)
    county = Property(str, _county, notify=placeChanged)
    town = Property(str, _town, notify=placeChanged)
    village = Property(str, _village, notify=placeChanged)
    siteName = Property(str, _site, notify=placeChanged)
