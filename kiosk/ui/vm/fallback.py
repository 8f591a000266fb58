"""The fallback screen: nobody could be reached, so a callback or the hotline.

The resident types their phone number on a big keypad (no keyboard, no text
field: digits only) and the call desk sends it to the hub as a callback
request for the consultation that found nobody.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from kiosk.domain.phone import MAX_DIGITS, NumberProblem, grouped, number_problem
from kiosk.ui.vm.qml import uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)


class FallbackReason(StrEnum):
    """Why nobody is talking to the resident (Texts.qml says it in words)."""

    NONE = ""
    NO_ANSWER = "no_answer"  # rang, nobody picked up in time
    ALL_BUSY = "all_busy"  # every expert on duty is with another resident
    NOBODY_ON_DUTY = "nobody_on_duty"
    MEDIA_LOST = "media_lost"  # the line broke and could not be mended
    UNREACHABLE = "unreachable"  # the bureau's system could not be reached
    FAILED = "failed"  # refused, or an error of ours


class CallbackStep(StrEnum):
    ENTRY = "entry"  # typing the number
    SENDING = "sending"
    SENT = "sent"  # the hub has it: a lawyer will call
    FAILED = "failed"  # it did not get through: call the hotline instead


@QmlElement
@uncreatable()
class FallbackViewModel(QObject):
    reasonChanged = Signal()
    digitsChanged = Signal()
    stepChanged = Signal()
    # The number, digits only, for the call desk.
    callbackRequested = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reason = FallbackReason.NONE
        self._digits = ""
        self._step = CallbackStep.ENTRY
        self._checked = False  # show what is wrong with the number only after "send"

    # --- fed from Python ----------------------------------------------------------------

    def show(self, reason: FallbackReason) -> None:
        self.clear()
        if reason != self._reason:
            self._reason = reason
            self.reasonChanged.emit()

    def callback_result(self, ok: bool) -> None:
        if self._step == CallbackStep.SENDING:
            # The number stays on screen to be checked, until the resident leaves it.
            self._set_step(CallbackStep.SENT if ok else CallbackStep.FAILED)

    def clear(self) -> None:
        """Forget the number and the reason: nothing of this resident stays."""
        if self._reason != FallbackReason.NONE:
            self._reason = FallbackReason.NONE
            self.reasonChanged.emit()
        if self._digits or self._checked:
            self._digits, self._checked = "", False
            self.digitsChanged.emit()
        self._set_step(CallbackStep.ENTRY)

    # --- actions from QML ---------------------------------------------------------------

    @Slot(str)
    def press(self, key: str) -> None:
        if self._step != CallbackStep.ENTRY:
            return
        if len(key) != 1 or key not in "0123456789":
            log.error("not a keypad digit from QML: %r", key)
            return
        if len(self._digits) >= MAX_DIGITS:
            return
        self._digits += key
        self._checked = False
        self.digitsChanged.emit()

    @Slot()
    def erase(self) -> None:
        if self._step == CallbackStep.ENTRY and self._digits:
            self._digits = self._digits[:-1]
            self._checked = False
            self.digitsChanged.emit()

    @Slot()
    def submit(self) -> None:
        if self._step != CallbackStep.ENTRY:
            return
        if number_problem(self._digits) != NumberProblem.NONE:
            if not self._checked:
                self._checked = True
                self.digitsChanged.emit()
            return
        self._set_step(CallbackStep.SENDING)
        self.callbackRequested.emit(self._digits)

    @Slot()
    def retry(self) -> None:
        """After a failed send: back to the keypad, the number still there."""
        if self._step == CallbackStep.FAILED:
            self._set_step(CallbackStep.ENTRY)

    # --- internals ----------------------------------------------------------------------

    def _set_step(self, step: CallbackStep) -> None:
        if step != self._step:
            log.info("callback %s -> %s", self._step, step)
            self._step = step
            self.stepChanged.emit()

    # --- properties ---------------------------------------------------------------------

    def _get_reason(self) -> str:
        return self._reason.value

    def _get_phone_text(self) -> str:
        return grouped(self._digits)

    def _get_digit_count(self) -> int:
        return len(self._digits)

    def _get_problem(self) -> str:
        return number_problem(self._digits).value if self._checked else ""

    def _get_complete(self) -> bool:
        return number_problem(self._digits) == NumberProblem.NONE

    def _get_step(self) -> str:
        return self._step.value

    reason = Property(str, _get_reason, notify=reasonChanged)
    phoneText = Property(str, _get_phone_text, notify=digitsChanged)
    digitCount = Property(int, _get_digit_count, notify=digitsChanged)
    problem = Property(str, _get_problem, notify=digitsChanged)
    complete = Property(bool, _get_complete, notify=digitsChanged)
    step = Property(str, _get_step, notify=stepChanged)
