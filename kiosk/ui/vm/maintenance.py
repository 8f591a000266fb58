"""The maintenance screen: what a technician needs to know about the session records
(and how this terminal draws its screen and encodes its video).

Reached by holding the clock on the start screen for five seconds (residents
never need it, and nothing on it can change a record). It shows how many
events wait for the hub and since when, how the upload goes, and every problem
the outbox has met: a full disk, a file set aside as unreadable, events the hub
refused, a clock that jumped. A small mark by the clock tells a passing
technician that something needs them.

Fed from `kiosk.ui.records.RecordDesk` with the outbox's own status objects,
read by attribute, so this module imports nothing of the outbox (cold start).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from kiosk.ui.rendering import current_renderer
from kiosk.ui.vm.qml import put, uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)


@QmlElement
@uncreatable()
class MaintenanceViewModel(QObject):
    openChanged = Signal()
    changed = Signal()
    retryRequested = Signal()
    releaseParkedRequested = Signal()

    def __init__(self, parent: QObject | None = None, *, wall: Any = time.time) -> None:
        super().__init__(parent)
        self._wall = wall
        self._open = False
        self._pending = 0
        self._consultations = 0
        self._oldest_at: float | None = None
        self._parked = 0
        self._unsaved = 0
        self._disk_full = False
        self._reserve_used = False
        self._set_aside: list[str] = []
        self._key_where = ""
        self._write_problem = ""
        self._outbox_failed = ""
        self._clock_jump_s = 0.0
        self._upload_state = "idle"
        self._sent = 0
        self._last_success_at: float | None = None
        self._upload_error = ""
        self._next_attempt_s: float | None = None
        # What calls send, once probed (kiosk/call/hardware.py): "h264", "vp8" or "".
        self._video_codec = ""
        self._video_encoder = ""
        self._video_hardware = False

    # --- fed from Python ----------------------------------------------------------------

    def set_outbox(self, health: Any) -> None:
        self._update(
            _pending=health.pending, _consultations=health.consultations,
            _oldest_at=health.oldest_appended_at, _parked=health.parked,
            _unsaved=health.unsaved, _disk_full=health.disk_full,
            _reserve_used=health.reserve_used, _set_aside=list(health.set_aside),
            _key_where=health.key_where, _write_problem=health.problem, _outbox_failed="",
        )

    def set_upload(self, status: Any) -> None:
        self._update(
            _upload_state=str(status.state), _sent=status.sent_events,
            _last_success_at=status.last_success_at, _upload_error=status.last_error,
            _next_attempt_s=status.next_attempt_in_s,
        )

    def set_video_codec(self, choice: Any) -> None:
        """The call package's `VideoCodecChoice`, read by attribute (no aiortc here)."""
        self._update(
            _video_codec="h264" if choice.is_h264 else "vp8",
            _video_encoder=str(choice.encoder), _video_hardware=bool(choice.hardware),
        )

    def outbox_failed(self, message: str) -> None:
        self._update(_outbox_failed=message)

    def clock_jumped(self, seconds: float) -> None:
        self._update(_clock_jump_s=seconds)

    def close(self) -> None:
        put(self, "_open", False, self.openChanged)

    # --- QML -------------------------------------------------------------------------------

    @Slot()
    def openScreen(self) -> None:
        log.info("maintenance screen opened")
        put(self, "_open", True, self.openChanged)

    @Slot()
    def closeScreen(self) -> None:
        self.close()

    @Slot()
    def retry(self) -> None:
        self.retryRequested.emit()

    @Slot()
    def releaseParked(self) -> None:
        self.releaseParkedRequested.emit()

    def _get_open(self) -> bool:
        return self._open

    def _get_attention(self) -> bool:
        return bool(self._problems())

    def _get_problems(self) -> list[dict[str, str]]:
        return self._problems()

    def _get_pending(self) -> int:
        return self._pending

    def _get_consultations(self) -> int:
        return self._consultations

    def _get_oldest_minutes(self) -> int:
        """Minutes the oldest waiting event has waited; -1 when none waits."""
        if self._oldest_at is None or not self._pending:
            return -1
        return max(0, int((self._wall() - self._oldest_at) // 60))

    def _get_parked(self) -> int:
        return self._parked

    def _get_upload_state(self) -> str:
        return self._upload_state

    def _get_sent(self) -> int:
        return self._sent

    def _get_last_success(self) -> str:
        if self._last_success_at is None:
            return ""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self._last_success_at))

    def _get_upload_error(self) -> str:
        return self._upload_error

    def _get_next_attempt(self) -> int:
        return -1 if self._next_attempt_s is None else round(self._next_attempt_s)

    def _get_key_where(self) -> str:
        return self._key_where

    def _get_renderer(self) -> str:
        # Chosen once, before the window (kiosk/ui/rendering.py): "gpu" or "software".
        renderer = current_renderer()
        return "" if renderer is None else renderer.value

    def _get_video_codec(self) -> str:
        return self._video_codec

    def _get_video_encoder(self) -> str:
        return self._video_encoder

    def _get_video_hardware(self) -> bool:
        return self._video_hardware

    open = Property(bool, _get_open, notify=openChanged)
    attention = Property(bool, _get_attention, notify=changed)
    problems = Property(list, _get_problems, notify=changed)
    pending = Property(int, _get_pending, notify=changed)
    consultations = Property(int, _get_consultations, notify=changed)
    oldestMinutes = Property(int, _get_oldest_minutes, notify=changed)
    parked = Property(int, _get_parked, notify=changed)
    uploadState = Property(str, _get_upload_state, notify=changed)
    sent = Property(int, _get_sent, notify=changed)
    lastSuccess = Property(str, _get_last_success, notify=changed)
    uploadError = Property(str, _get_upload_error, notify=changed)
    nextAttempt = Property(int, _get_next_attempt, notify=changed)
    keyWhere = Property(str, _get_key_where, notify=changed)
    renderer = Property(str, _get_renderer, constant=True)
    videoCodec = Property(str, _get_video_codec, notify=changed)
    videoEncoder = Property(str, _get_video_encoder, notify=changed)
    videoHardware = Property(bool, _get_video_hardware, notify=changed)

    # --- inside ----------------------------------------------------------------------------

    def _problems(self) -> list[dict[str, str]]:
        """Each as a code Texts.qml says in words, with a detail for the technician."""
        found: list[dict[str, str]] = []
        if self._outbox_failed:
            found.append({"code": "outbox_failed", "detail": self._outbox_failed})
        if self._unsaved:
            found.append({"code": "unsaved", "detail": str(self._unsaved)})
        if self._disk_full:
            found.append({"code": "disk_full", "detail": self._write_problem})
        elif self._reserve_used:
            found.append({"code": "reserve_used", "detail": ""})
        elif self._write_problem:
            found.append({"code": "write_failed", "detail": self._write_problem})
        for path in self._set_aside:
            found.append({"code": "set_aside", "detail": path})
        if self._parked:
            found.append({"code": "parked", "detail": str(self._parked)})
        if self._clock_jump_s:
            found.append({"code": "clock_jumped", "detail": f"{self._clock_jump_s:+.0f}"})
        return found

    def _update(self, **values: Any) -> None:
        changed = False
        for attr, value in values.items():
            if getattr(self, attr) != value:
                setattr(self, attr, value)
                changed = True
        if changed:
            self.changed.emit()
