"""The rating screen after a consultation: five faces, or skip, then thank you.

The score goes out with `rated` to the session record; the thank-you follows
once the record has it (`kept`), or after a second at most: a resident never
waits on a disk. A resident who walks away is taken as a skip.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement

from kiosk.ui.vm.qml import uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)

FACES = 5
SKIPPED = 0
ASK_SECONDS = 30  # a resident gone without rating: nobody else should rate for them
THANKS_SECONDS = 5
KEEP_WAIT_MS = 1000  # the most the chosen face stays before the thank-you without `kept`


class RatingStep(StrEnum):
    NONE = ""
    ASK = "ask"
    THANKS = "thanks"


@QmlElement
@uncreatable()
class RatingViewModel(QObject):
    stepChanged = Signal()
    rated = Signal(int)  # 1..5, or SKIPPED
    finished = Signal()  # the thank-you has been read: end the visit

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        ask_seconds: float = ASK_SECONDS,
        thanks_seconds: float = THANKS_SECONDS,
    ) -> None:
        super().__init__(parent)
        self._step = RatingStep.NONE
        self._score = SKIPPED
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._timeout)
        self._keeping = QTimer(self, singleShot=True, interval=KEEP_WAIT_MS)
        self._keeping.timeout.connect(self._thank)
        self._ask_ms = int(ask_seconds * 1000)
        self._thanks_ms = int(thanks_seconds * 1000)

    def ask(self) -> None:
        self._score = SKIPPED
        self._set_step(RatingStep.ASK)
        self._timer.start(self._ask_ms)

    def kept(self) -> None:
        """The session record has the rating: say thank you."""
        if self._keeping.isActive():
            self._thank()

    def clear(self) -> None:
        self._timer.stop()
        self._keeping.stop()
        self._score = SKIPPED
        self._set_step(RatingStep.NONE)

    @Slot(int)
    def rate(self, score: int) -> None:
        if self._step != RatingStep.ASK or self._keeping.isActive():
            return
        if not 1 <= score <= FACES:
            log.error("not a rating from QML: %r", score)
            return
        self._answer(score)

    @Slot()
    def skip(self) -> None:
        if self._step == RatingStep.ASK and not self._keeping.isActive():
            self._answer(SKIPPED)

    def _answer(self, score: int) -> None:
        self._score = score
        log.info("rating: %s", score or "skipped")
        self._timer.stop()
        self._keeping.start()
        self.stepChanged.emit()  # the chosen face shows while the record takes it
        self.rated.emit(score)

    def _thank(self) -> None:
        self._keeping.stop()
        if self._step == RatingStep.ASK:
            self._set_step(RatingStep.THANKS)
            self._timer.start(self._thanks_ms)

    def _timeout(self) -> None:
        if self._step == RatingStep.ASK:
            self._answer(SKIPPED)
        elif self._step == RatingStep.THANKS:
            self.finished.emit()

    def _set_step(self, step: RatingStep) -> None:
        if step != self._step:
            self._step = step
            self.stepChanged.emit()

    def _get_step(self) -> str:
        return self._step.value

    def _get_score(self) -> int:
        return self._score

    step = Property(str, _get_step, notify=stepChanged)
    score = Property(int, _get_score, notify=stepChanged)
