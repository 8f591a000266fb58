"""The call screen: waiting for an expert, then talking to one.

Fed by the call desk (`kiosk/ui/calls.py`) with plain values, never with the
call package's events: this module is loaded before the first frame, and
those events bring pydantic with them. Video does not pass through here as
data: QML hands over its `VideoOutput`'s sinks (or its `FramePicture`s, when the
CPU draws the screen) and `VideoFeed`s fill them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtQml import QmlElement

from kiosk.ui.rendering import Renderer, current_renderer
from kiosk.ui.video import VideoFeed, load_multimedia
from kiosk.ui.vm.qml import put, uncreatable

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

log = logging.getLogger(__name__)

# Long enough to take a paper out of a folder and hold it up, short enough to keep still.
DOCUMENT_COUNTDOWN_S = 5
# "Sent" stays on screen this long, so the resident knows they may lower the paper.
DOCUMENT_RESULT_S = 4


class CallPhase(StrEnum):
    NONE = ""  # no call
    WAITING = "waiting"  # asked the hub; ringing experts or queued behind other villages
    CONNECTING = "connecting"  # an expert accepted; the picture is on its way
    TALKING = "talking"
    RECONNECTING = "reconnecting"  # the link dropped; trying again by itself
    ENDING = "ending"  # the resident hung up; releasing camera and line


class Quality(StrEnum):
    """The connection in words a resident understands (Texts.qml has the words)."""

    UNKNOWN = ""
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    AUDIO_ONLY = "audio_only"  # picture paused to keep the voice going


class DocumentStep(StrEnum):
    NONE = ""
    COUNTDOWN = "countdown"  # "hold the paper up to the camera: 5, 4, ..."
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notice(StrEnum):
    """Something the resident should know while the call goes on."""

    NONE = ""
    CAMERA_FAILED = "camera_failed"  # the lawyer still hears you
    MICROPHONE_FAILED = "microphone_failed"
    LINK_DOWN = "link_down"  # the line to the bureau dropped; trying again


@QmlElement
@uncreatable()
class CallViewModel(QObject):
    phaseChanged = Signal()
    calleeChanged = Signal()
    queueChanged = Signal()
    expertChanged = Signal()
    elapsedChanged = Signal()
    mutedChanged = Signal()
    qualityChanged = Signal()
    noticeChanged = Signal()
    documentChanged = Signal()
    remoteVideoChanged = Signal()

    # To the call desk.
    cancelRequested = Signal()
    hangUpRequested = Signal()
    muteRequested = Signal(bool)
    documentDue = Signal()  # the countdown reached zero: take the still and send it

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        software_video: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        # How the video is drawn follows how the whole window is (kiosk/ui/rendering.py).
        self._software_video = (
            current_renderer() is Renderer.SOFTWARE if software_video is None else software_video
        )
        self._phase = CallPhase.NONE
        self._service = ""
        self._callee_name = ""  # the expert the resident chose; "" when anyone may answer
        self._callee_group = ""
        self._position = 0  # 0: not known yet
        self._wait_minutes = -1  # -1: not known yet
        self._ringing = 0
        self._expert_name = ""
        self._expert_group = ""
        self._talk_started: float | None = None
        self._elapsed_s = 0
        self._muted = False
        self._quality = Quality.UNKNOWN
        self._notice = Notice.NONE
        self._document = DocumentStep.NONE
        self._document_seconds = 0
        self.remote = VideoFeed(self)
        self.local = VideoFeed(self)
        self.remote.firstFrameChanged.connect(self.remoteVideoChanged)

        self._ticker = QTimer(self, interval=1000)
        self._ticker.timeout.connect(self._tick)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._count_down)
        self._document_clear = QTimer(self, singleShot=True, interval=DOCUMENT_RESULT_S * 1000)
        self._document_clear.timeout.connect(lambda: self._set_document(DocumentStep.NONE))

    @property
    def current_phase(self) -> CallPhase:
        return self._phase

    # --- fed by the call desk -----------------------------------------------------------

    def begin(self, service: str, callee_name: str = "", callee_group: str = "") -> None:
        """A new call: forget everything of the last one. Call before showing the screen."""
        load_multimedia()
        self.clear()
        put(self, "_service", service, self.calleeChanged)
        put(self, "_callee_name", callee_name, self.calleeChanged)
        put(self, "_callee_group", callee_group, self.calleeChanged)
        self.set_phase(CallPhase.WAITING)

    def set_phase(self, phase: CallPhase) -> None:
        if phase == self._phase:
            return
        log.info("call screen %s -> %s", self._phase or "none", phase or "none")
        self._phase = phase
        if phase == CallPhase.TALKING and self._talk_started is None:
            self._talk_started = self._monotonic()
            self._ticker.start()
        if phase in (CallPhase.NONE, CallPhase.ENDING):
            self._ticker.stop()
            self._stop_document()
        self.phaseChanged.emit()

    def set_queue(self, position: int, estimated_wait_s: int, ringing: int) -> None:
        minutes = -1 if estimated_wait_s < 0 else (estimated_wait_s + 59) // 60
        if (position, minutes, ringing) != (self._position, self._wait_minutes, self._ringing):
            self._position, self._wait_minutes, self._ringing = position, minutes, ringing
            self.queueChanged.emit()

    def set_expert(self, name: str, group: str) -> None:
        if (name, group) != (self._expert_name, self._expert_group):
            self._expert_name, self._expert_group = name, group
            self.expertChanged.emit()

    def set_quality(self, quality: Quality) -> None:
        put(self, "_quality", quality, self.qualityChanged)

    def set_notice(self, notice: Notice) -> None:
        put(self, "_notice", notice, self.noticeChanged)

    def set_muted(self, muted: bool) -> None:
        put(self, "_muted", muted, self.mutedChanged)

    def request_document(self) -> None:
        """The lawyer asked for a photograph of a paper."""
        if self._phase != CallPhase.TALKING or self._document in (
            DocumentStep.COUNTDOWN, DocumentStep.SENDING
        ):
            return
        self._document_clear.stop()
        self._document_seconds = DOCUMENT_COUNTDOWN_S
        self._set_document(DocumentStep.COUNTDOWN)
        self._countdown.start()

    def document_done(self, ok: bool) -> None:
        if self._document != DocumentStep.SENDING:
            return
        self._set_document(DocumentStep.SENT if ok else DocumentStep.FAILED)
        self._document_clear.start()

    def clear(self) -> None:
        """Between calls and between residents: no name, no picture, no timer left."""
        self.set_phase(CallPhase.NONE)
        self._stop_document()
        self.remote.clear()
        self.local.clear()
        self._talk_started = None
        put(self, "_elapsed_s", 0, self.elapsedChanged)
        for attr, value, signal in (
            ("_service", "", self.calleeChanged),
            ("_callee_name", "", self.calleeChanged),
            ("_callee_group", "", self.calleeChanged),
            ("_muted", False, self.mutedChanged),
            ("_quality", Quality.UNKNOWN, self.qualityChanged),
            ("_notice", Notice.NONE, self.noticeChanged),
        ):
            put(self, attr, value, signal)
        self.set_queue(0, -1, 0)
        self.set_expert("", "")

    # --- actions from QML ---------------------------------------------------------------

    @Slot()
    def cancel(self) -> None:
        if self._phase == CallPhase.WAITING:
            self.set_phase(CallPhase.ENDING)
            self.cancelRequested.emit()

    @Slot()
    def hangUp(self) -> None:
        # Answers the tap on the Qt thread at once; the call desk does the rest off it.
        if self._phase in (CallPhase.CONNECTING, CallPhase.TALKING, CallPhase.RECONNECTING):
            self.set_phase(CallPhase.ENDING)
            self.hangUpRequested.emit()
        elif self._phase == CallPhase.WAITING:
            self.cancel()

    @Slot()
    def toggleMute(self) -> None:
        if self._phase in (CallPhase.NONE, CallPhase.ENDING):
            return
        self.set_muted(not self._muted)
        self.muteRequested.emit(self._muted)

    @Slot(QObject)
    def setRemoteSink(self, sink: QObject | None) -> None:
        self.remote.set_sink(sink)

    @Slot(QObject)
    def setLocalSink(self, sink: QObject | None) -> None:
        self.local.set_sink(sink)

    # --- internals ----------------------------------------------------------------------

    def _tick(self) -> None:
        if self._talk_started is not None:
            elapsed = int(self._monotonic() - self._talk_started)
            put(self, "_elapsed_s", elapsed, self.elapsedChanged)

    def _count_down(self) -> None:
        self._document_seconds -= 1
        if self._document_seconds <= 0:
            self._countdown.stop()
            self._set_document(DocumentStep.SENDING)
            self.documentDue.emit()
        else:
            self.documentChanged.emit()

    def _stop_document(self) -> None:
        self._countdown.stop()
        self._document_clear.stop()
        self._set_document(DocumentStep.NONE)

    def _set_document(self, step: DocumentStep) -> None:
        if step != self._document:
            self._document = step
            self.documentChanged.emit()


    # --- properties ---------------------------------------------------------------------

    def _get_phase(self) -> str:
        return self._phase.value

    def _get_service(self) -> str:
        return self._service

    def _get_callee_name(self) -> str:
        return self._callee_name

    def _get_callee_group(self) -> str:
        return self._callee_group

    def _get_position(self) -> int:
        return self._position

    def _get_wait_minutes(self) -> int:
        return self._wait_minutes

    def _get_ringing(self) -> int:
        return self._ringing

    def _get_expert_name(self) -> str:
        return self._expert_name

    def _get_expert_group(self) -> str:
        return self._expert_group

    def _get_elapsed_text(self) -> str:
        minutes, seconds = divmod(self._elapsed_s, 60)
        if minutes >= 60:
            return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
        return f"{minutes:02d}:{seconds:02d}"

    def _get_muted(self) -> bool:
        return self._muted

    def _get_quality(self) -> str:
        return self._quality.value

    def _get_notice(self) -> str:
        return self._notice.value

    def _get_document(self) -> str:
        return self._document.value

    def _get_document_seconds(self) -> int:
        return self._document_seconds

    def _get_has_remote_video(self) -> bool:
        return self.remote.has_frame

    def _get_software_video(self) -> bool:
        return self._software_video

    phase = Property(str, _get_phase, notify=phaseChanged)
    service = Property(str, _get_service, notify=calleeChanged)
    calleeName = Property(str, _get_callee_name, notify=calleeChanged)
    calleeGroup = Property(str, _get_callee_group, notify=calleeChanged)
    queuePosition = Property(int, _get_position, notify=queueChanged)
    waitMinutes = Property(int, _get_wait_minutes, notify=queueChanged)
    ringingCount = Property(int, _get_ringing, notify=queueChanged)
    expertName = Property(str, _get_expert_name, notify=expertChanged)
    expertGroup = Property(str, _get_expert_group, notify=expertChanged)
    elapsedText = Property(str, _get_elapsed_text, notify=elapsedChanged)
    muted = Property(bool, _get_muted, notify=mutedChanged)
    quality = Property(str, _get_quality, notify=qualityChanged)
    notice = Property(str, _get_notice, notify=noticeChanged)
    document = Property(str, _get_document, notify=documentChanged)
    documentSeconds = Property(int, _get_document_seconds, notify=documentChanged)
    hasRemoteVideo = Property(bool, _get_has_remote_video, notify=remoteVideoChanged)
    softwareVideo = Property(bool, _get_software_video, constant=True)
