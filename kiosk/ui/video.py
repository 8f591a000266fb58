"""Decoded frames onto the screen, in whichever way this process draws (kiosk/ui/rendering.py).

On the GPU: YUV planes copied straight into a QVideoFrame. The call package
decodes to yuv420p; Qt's `VideoOutput` draws YUV itself on the GPU, and
converting to RGB first would cost four times the copy on a terminal's CPU,
on every frame. QtMultimedia is imported on the first frame, not with this
module: the start screen does not need it.

In software: a `FramePicture` converts the frame once, to the size it is shown.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from kiosk.ui.picture import FramePicture

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QVideoFrameFormat, QVideoSink

log = logging.getLogger(__name__)


class YuvFrame(Protocol):
    """What `av.VideoFrame` offers, in yuv420p."""

    width: int
    height: int

    @property
    def planes(self) -> Any: ...


class VideoFeed(QObject):
    """Shows frames in one `VideoOutput`'s sink or one `FramePicture`; nothing once cleared."""

    firstFrameChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sink: QVideoSink | None = None
        self._picture: FramePicture | None = None
        self._format: QVideoFrameFormat | None = None
        self._has_frame = False
        self.shown = 0

    @property
    def has_frame(self) -> bool:
        return self._has_frame

    def set_sink(self, sink: QObject | None) -> None:
        """Where frames go: a `VideoOutput`'s `videoSink`, or a `FramePicture`."""
        self._picture = sink if isinstance(sink, FramePicture) else None
        self._sink = None if sink is None or self._picture is not None else _as_video_sink(sink)

    def show(self, frame: YuvFrame) -> None:
        if self._picture is not None:
            self._picture.show(frame)
            self._shown()
            return
        sink = self._sink
        if sink is None:
            return
        from PySide6.QtMultimedia import QVideoFrame

        qframe = QVideoFrame(self._format_for(frame.width, frame.height))
        if not qframe.map(QVideoFrame.MapMode.WriteOnly):
            log.warning("could not map a video frame for writing")
            return
        try:
            _copy_planes(frame, qframe)
        finally:
            qframe.unmap()
        sink.setVideoFrame(qframe)
        self._shown()

    def _shown(self) -> None:
        self.shown += 1
        if not self._has_frame:
            self._has_frame = True
            self.firstFrameChanged.emit()

    def clear(self) -> None:
        """Blank the output: nothing of the last resident's face stays on the screen."""
        if self._picture is not None:
            self._picture.clear()
        if self._sink is not None:
            from PySide6.QtMultimedia import QVideoFrame

            self._sink.setVideoFrame(QVideoFrame())
        if self._has_frame:
            self._has_frame = False
            self.firstFrameChanged.emit()

    def _format_for(self, width: int, height: int) -> QVideoFrameFormat:
        from PySide6.QtCore import QSize
        from PySide6.QtMultimedia import QVideoFrameFormat

        fmt = self._format
        if fmt is None or fmt.frameWidth() != width or fmt.frameHeight() != height:
            fmt = QVideoFrameFormat(
                QSize(width, height), QVideoFrameFormat.PixelFormat.Format_YUV420P
            )
            self._format = fmt
        return fmt


def load_multimedia() -> None:
    """Import QtMultimedia before QML hands over its first video sink.

    PySide wraps an object as the most derived class it knows when it first meets
    it; before this import a sink from QML arrives as a plain QObject, for good.
    """
    import PySide6.QtMultimedia  # noqa: F401


def _as_video_sink(sink: QObject) -> QVideoSink | None:
    from PySide6.QtMultimedia import QVideoSink

    if isinstance(sink, QVideoSink):
        return sink
    log.error("not a video sink: %r (was load_multimedia() called first?)", sink)
    return None


def _copy_planes(frame: YuvFrame, qframe: Any) -> None:
    for index in range(3):
        plane = frame.planes[index]
        source = memoryview(plane)
        target = qframe.bits(index)
        source_stride, target_stride = plane.line_size, qframe.bytesPerLine(index)
        rows = frame.height if index == 0 else (frame.height + 1) // 2
        if source_stride == target_stride:
            size = source_stride * rows
            target[:size] = source[:size]
        else:
            width = frame.width if index == 0 else (frame.width + 1) // 2
            for row in range(rows):
                s, t = row * source_stride, row * target_stride
                target[t : t + width] = source[s : s + width]
