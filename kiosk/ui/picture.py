"""A video picture the CPU draws, for Qt Quick's software renderer (kiosk/ui/rendering.py).

Each decoded frame is converted once, by libswscale, from YUV straight to the
screen's pixel format at the size it is shown, and handed to the scene graph
as an image it blits without scaling. QtMultimedia's `VideoOutput` draws
nothing under the software renderer; under OpenGL it stays the better choice
(the GPU converts YUV itself), and the call screen picks by `GraphicsInfo.api`.

PyAV is imported with the first frame: the start screen does not need it.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Property, QObject, QRect, QRectF, Signal
from PySide6.QtGui import QImage
from PySide6.QtQml import QmlElement
from PySide6.QtQuick import QQuickItem, QQuickWindow, QSGImageNode, QSGNode, QSGTexture

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1

# Rows of a multiple of 16 pixels are as long in PyAV's frame (aligned to 64 bytes)
# as in a QImage: one copy of the whole picture instead of one per row.
_WIDTH_STEP = 16


def picture_size(
    frame_w: int, frame_h: int, box_w: float, box_h: float, *, crop: bool
) -> tuple[int, int]:
    """The size to convert a frame to: fitted inside the box, or covering it when `crop`."""
    if crop:
        scale = max(box_w / frame_w, box_h / frame_h)
        w = math.ceil(frame_w * scale / _WIDTH_STEP) * _WIDTH_STEP
        h = math.ceil(frame_h * scale / 2) * 2
    else:
        scale = min(box_w / frame_w, box_h / frame_h)
        w = max(_WIDTH_STEP, math.floor(frame_w * scale / _WIDTH_STEP) * _WIDTH_STEP)
        h = max(2, math.floor(frame_h * scale / 2) * 2)
    return w, h


@QmlElement
class FramePicture(QQuickItem):
    """Shows the last frame given to `show`, fitted or cropped, mirrored if asked."""

    cropChanged = Signal()
    mirroredChanged = Signal()
    sceneChanged = Signal()
    contentRectChanged = Signal()
    frameChanged = Signal()  # a new picture: tests count redraws by it

    def __init__(self, parent: QQuickItem | None = None) -> None:
        super().__init__(parent)
        self.setFlag(QQuickItem.Flag.ItemHasContents, True)
        self._crop = False
        self._mirrored = False
        # The pictures and the converter live in a holder of their own, emptied when Qt
        # deletes the item: PySide keeps the Python side of an item QML made (an invalid
        # wrapper) after QML deletes it, and with it whatever it holds, call after call.
        self._held = _Held()
        self.destroyed.connect(self._held.release)
        self._fresh = False  # the image changed since the scene graph last took it
        self._content = QRectF()
        self._scene: QQuickWindow | None = None
        self._shown_size = (0.0, 0.0)  # the picture's size on screen (scene units)
        self.shown = 0

    # The window, given by QML (`Window.window`). Not `self.window()`: PySide then makes
    # the window's Python wrapper a child of this item's and kills it when the item goes,
    # for everyone who holds it (the kiosk's own `KioskApp.window` among them).
    def _get_scene(self) -> QObject | None:
        return self._scene

    def _set_scene(self, scene: QObject | None) -> None:
        scene = scene if isinstance(scene, QQuickWindow) else None
        if scene is not self._scene:
            self._scene = scene
            self.sceneChanged.emit()
            self.update()

    scene = Property(QObject, _get_scene, _set_scene, notify=sceneChanged)

    def _get_crop(self) -> bool:
        return self._crop

    def _set_crop(self, crop: bool) -> None:
        if crop != self._crop:
            self._crop = crop
            self.cropChanged.emit()

    crop = Property(bool, _get_crop, _set_crop, notify=cropChanged)

    def _get_mirrored(self) -> bool:
        return self._mirrored

    def _set_mirrored(self, mirrored: bool) -> None:
        if mirrored != self._mirrored:
            self._mirrored = mirrored
            self.mirroredChanged.emit()
            self.update()

    mirrored = Property(bool, _get_mirrored, _set_mirrored, notify=mirroredChanged)

    def _get_content_rect(self) -> QRectF:
        return QRectF(self._content)

    contentRect = Property(QRectF, _get_content_rect, notify=contentRectChanged)

    def show(self, frame: Any) -> None:
        """Convert an `av.VideoFrame` (yuv420p) for the screen; drawn at the next frame."""
        window = self._scene
        ratio = window.effectiveDevicePixelRatio() if window is not None else 1.0
        box_w, box_h = int(self.width() * ratio), int(self.height() * ratio)
        if box_w < 2 or box_h < 2 or frame.width < 2 or frame.height < 2:
            return
        w, h = picture_size(frame.width, frame.height, box_w, box_h, crop=self._crop)
        held = self._held
        if held.scaler is None:
            from av.video.reformatter import VideoReformatter

            held.scaler = VideoReformatter()
        # One thread: swscale's own threads would cost more to wake than this frame takes.
        screen_frame = held.scaler.reformat(
            frame, width=w, height=h, format="bgra", interpolation="BILINEAR", threads=1
        )
        # The image reads the converted frame's own buffer (no copy of 2 MB a frame): the
        # frame stays referenced as long as a texture made from the image may be drawn.
        held.image = _image_over(screen_frame, w, h)
        held.image_frame = screen_frame
        self._fresh = True
        self.shown += 1
        self._shown_size = (w / ratio, h / ratio)
        self._set_content(self._placement(*self._shown_size))
        self.update()
        self.frameChanged.emit()

    def clear(self) -> None:
        """Show nothing and drop the picture: no face stays on screen or in memory."""
        self._held.image = None
        self._held.image_frame = None
        self._fresh = True
        self._set_content(QRectF())
        self.update()

    def _placement(self, shown_w: float, shown_h: float) -> QRectF:
        if self._crop:
            return QRectF(0, 0, self.width(), self.height())
        return QRectF(
            math.floor((self.width() - shown_w) / 2),
            math.floor((self.height() - shown_h) / 2),
            shown_w,
            shown_h,
        )

    def _set_content(self, rect: QRectF) -> None:
        if rect != self._content:
            self._content = rect
            self.contentRectChanged.emit()

    def geometryChange(self, new: QRectF | QRect, old: QRectF | QRect) -> None:
        super().geometryChange(new, old)
        if new.size() != old.size():
            # The next frame comes at the new size; until then the last one stays centred.
            if self._held.image is not None:
                self._set_content(self._placement(*self._shown_size))
            self.update()

    # No node (None) is Qt's way of saying there is nothing to draw yet.
    def updatePaintNode(  # type: ignore[override]
        self, node: QSGNode | None, _data: Any
    ) -> QSGNode | None:
        # The scene graph calls this while the Qt thread waits (or is the render thread).
        window = self._scene
        held = self._held
        image = held.image
        if window is None or (node is None and image is None):
            return node
        if node is None:
            node = window.createImageNode()
            # Drawn pixel for pixel (or nearly): nothing to smooth, and the fastest blit.
            node.setFiltering(QSGTexture.Filtering.Nearest)
            node.setOwnsTexture(False)  # the holder owns it (see below)
        assert isinstance(node, QSGImageNode)
        if self._fresh:
            self._fresh = False
            shown = image if image is not None else _blank_image()
            texture = window.createTextureFromImage(shown)
            # PySide makes each texture's wrapper a child of the window's (its return-value
            # heuristic), kept as long as the window: a frame's worth of garbage each time.
            # Made Python's own, the texture goes with the holder's last reference to it.
            texture.setParent(None)
            node.setTexture(texture)
            # Only now may the last texture, and the buffer it read, go (on clear: the
            # last face).
            held.in_node = (shown, held.image_frame if image is not None else None, texture)
        if image is None:
            node.setRect(QRectF())
            return node
        node.setRect(self._content)
        if self._crop:
            ratio = window.effectiveDevicePixelRatio()
            w, h = self.width() * ratio, self.height() * ratio
            node.setSourceRect(
                QRectF(math.floor((image.width() - w) / 2), math.floor((image.height() - h) / 2),
                       w, h)
            )
        else:
            node.setSourceRect(QRectF(0, 0, image.width(), image.height()))
        flags = QSGImageNode.TextureCoordinatesTransformFlag
        node.setTextureCoordinatesTransform(
            flags.MirrorHorizontally if self._mirrored else flags.NoTransform
        )
        return node


class _Held:
    """What a picture holds: the converter, the picture waiting to be drawn, and the one
    the scene graph's texture reads (with the frames whose buffers they are)."""

    def __init__(self) -> None:
        self.scaler: Any = None  # av's VideoReformatter: keeps its swscale context
        self.image: QImage | None = None
        self.image_frame: Any = None  # the av frame whose buffer `image` reads
        self.in_node: tuple[QImage, Any, QSGTexture] | None = None

    def release(self) -> None:
        # The item is gone, and its node with it at the scene graph's next sync.
        self.scaler = self.image = self.image_frame = self.in_node = None


def _image_over(frame: Any, width: int, height: int) -> QImage:
    """A QImage over a bgra frame's buffer (BGRA bytes are RGB32 on little-endian); PySide
    keeps the buffer referenced by the image's wrapper, the caller keeps the frame."""
    plane = frame.planes[0]
    return QImage(memoryview(plane), width, height, plane.line_size, QImage.Format.Format_RGB32)


def _blank_image() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    image.fill(0)
    return image
