"""Ends a visit that its resident walked away from.

Input is seen by an event filter on the window rather than by a MouseArea
over the QML: a covering MouseArea would steal the taps meant for buttons,
while a filter sees every touch, click and key before any item does.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Property, QEvent, QObject, QTimer, Signal
from PySide6.QtQml import QmlElement

from kiosk.ui.vm.qml import uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)

_T = QEvent.Type
_PRESSES = frozenset({_T.MouseButtonPress, _T.MouseButtonDblClick, _T.TouchBegin, _T.KeyPress})
_ACTIVITY = _PRESSES | {
    _T.MouseButtonRelease,
    _T.MouseMove,
    _T.TouchUpdate,
    _T.TouchEnd,
    _T.KeyRelease,
    _T.Wheel,
}
_GESTURE_ENDS = frozenset({_T.MouseButtonRelease, _T.TouchEnd, _T.TouchCancel, _T.KeyRelease})


@QmlElement
@uncreatable()
class IdleWatch(QObject):
    """After `idle_seconds` without input: a warning that counts `warning_seconds` down.

    A touch during the warning only dismisses it: that touch is swallowed, so a
    resident who taps the overlay does not also press the button hidden under it.
    """

    warningChanged = Signal()
    secondsLeftChanged = Signal()
    expired = Signal()

    def __init__(
        self, idle_seconds: float, warning_seconds: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._warning_seconds = warning_seconds
        self._armed = False
        self._warning = False
        self._seconds_left = warning_seconds
        self._swallowing = False
        self._idle = QTimer(self, singleShot=True, interval=int(idle_seconds * 1000))
        self._idle.timeout.connect(self._warn)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._tick)

    @property
    def armed(self) -> bool:
        return self._armed

    def set_armed(self, armed: bool) -> None:
        """Watch only while there is a visit to end; the idle start screen needs no timer."""
        if armed == self._armed:
            if armed:
                self._idle.start()
            return
        self._armed = armed
        self._stop_warning()
        if armed:
            self._idle.start()
        else:
            self._idle.stop()

    def poke(self) -> None:
        """Input happened: the resident is still here."""
        if self._warning:
            log.info("resident is back; idle warning dismissed")
            self._stop_warning()
        if self._armed:
            self._idle.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in _ACTIVITY and kind != _T.TouchCancel:
            return False
        if self._swallowing and kind in _PRESSES and not self._warning:
            self._swallowing = False  # the end of the swallowed gesture never came
        if self._swallowing:
            if kind in _GESTURE_ENDS:
                self._swallowing = False
            event.accept()
            return True
        if self._warning:
            # Only a touch, click or key counts as "I am here": a mouse drifting by
            # must not uncover the screen under a finger that is about to press.
            if kind in _PRESSES:
                self.poke()
                self._swallowing = True
                event.accept()
                return True
            return False
        if kind in _ACTIVITY:
            self.poke()
        return False

    def _warn(self) -> None:
        if not self._armed:
            return
        log.info("no input for a while; warning before ending the visit")
        self._set_seconds_left(self._warning_seconds)
        self._set_warning(True)
        self._countdown.start()

    def _tick(self) -> None:
        left = self._seconds_left - 1
        self._set_seconds_left(max(0, left))
        if left <= 0:
            log.info("idle timeout: ending the visit")
            self._stop_warning()
            self._armed = False
            self.expired.emit()

    def _stop_warning(self) -> None:
        self._countdown.stop()
        self._set_warning(False)
        self._set_seconds_left(self._warning_seconds)

    def _set_warning(self, value: bool) -> None:
        if value != self._warning:
            self._warning = value
            self.warningChanged.emit()

    def _set_seconds_left(self, value: int) -> None:
        if value != self._seconds_left:
            self._seconds_left = value
            self.secondsLeftChanged.emit()

    def _get_warning(self) -> bool:
        return self._warning

    def _get_seconds_left(self) -> int:
        return self._seconds_left

    warning = Property(bool, _get_warning, notify=warningChanged)
    secondsLeft = Property(int, _get_seconds_left, notify=secondsLeftChanged)
