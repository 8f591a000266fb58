"""Run under Xvfb with Qt's xcb platform: does the call screen really show the frames?

    python -m tests.e2e.screen_probe {gpu|software} SCREENSHOT.png

Qt's offscreen platform draws `VideoOutput` black, so the pytest-qt tests cannot
see video drawn on the GPU. This script builds the kiosk on a real X display
with the renderer asked for (`gpu`: OpenGL, here Mesa's software rasterizer,
and `VideoOutput`; `software`: Qt Quick's software renderer and `FramePicture`),
puts it on the call screen, feeds numbered test-pattern frames into the
lawyer's and the self view as the call desk does, grabs the window and reads
the numbers back from the pixels. It prints one JSON line for
`test_video_on_screen.py`.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import av
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtQuick import QQuickItem

from kiosk.call.pattern import draw_test_pattern, read_stamp
from kiosk.config import KioskConfig
from kiosk.ui.app import build_kiosk
from tests.ui.fakes import ONLINE, Clock, FakeLink
from tests.ui.helpers import talking_by_hand, walk

WIDTH, HEIGHT = 640, 480


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def item(root: QQuickItem, name: str) -> QQuickItem:
    found = [i for i in walk(root) if i.objectName() == name and i.isVisible()]
    if len(found) != 1:
        raise SystemExit(f"{len(found)} visible items named {name!r}")
    return found[0]


def shown_stamp(image: QImage, video: QQuickItem) -> int | None:
    """The frame number in what the window shows of `video`, or None if unreadable."""
    content = video.property("contentRect")
    rect = video.mapRectToScene(content if isinstance(content, QRectF) else video.boundingRect())
    ratio = image.devicePixelRatio()
    crop = image.copy(
        int(rect.x() * ratio), int(rect.y() * ratio),
        int(rect.width() * ratio), int(rect.height() * ratio),
    ).scaled(WIDTH, HEIGHT).convertToFormat(QImage.Format.Format_RGB888)
    # The self view is shown mirrored, as people expect of themselves.
    for picture in (crop, crop.flipped(Qt.Orientation.Horizontal)):
        stamp = read_stamp(_yuv(picture))
        if stamp is not None:
            return stamp.counter
    return None


def _yuv(picture: QImage) -> av.VideoFrame:
    rgb = av.VideoFrame(WIDTH, HEIGHT, "rgb24")
    stride, line = rgb.planes[0].line_size, picture.bytesPerLine()
    bits = picture.constBits()
    rgb.planes[0].update(b"".join(
        bytes(bits[y * line: y * line + WIDTH * 3]).ljust(stride, b"\0") for y in range(HEIGHT)
    ))
    return rgb.reformat(format="yuv420p")


def black_share(image: QImage, video: QQuickItem) -> float:
    rect = video.mapRectToScene(video.boundingRect())
    dark = total = 0
    for y in range(int(rect.top()) + 4, int(rect.bottom()) - 4, 8):
        for x in range(int(rect.left()) + 4, int(rect.right()) - 4, 8):
            total += 1
            dark += image.pixelColor(x, y).lightness() < 24
    return dark / max(total, 1)


def main() -> int:
    renderer, shot = sys.argv[1], Path(sys.argv[2])
    app = QGuiApplication(sys.argv[:1])
    result: dict[str, Any] = {"platform": app.platformName()}
    with tempfile.TemporaryDirectory() as data:
        config = KioskConfig.for_tests(
            Path(data), window_width=1280, window_height=800, renderer=renderer
        )
        kiosk = build_kiosk(config, None, link=FakeLink(ONLINE), clock=Clock())
        kiosk.window.show()
        pump(300)
        root = kiosk.root
        root.callStarted.disconnect(kiosk.desk.start)  # the frames come from here, not a call
        call = talking_by_hand(root)
        pump(500)
        content = kiosk.window.contentItem()
        remote, own = item(content, "remoteVideo"), item(content, "selfView")
        result["black_before"] = black_share(kiosk.window.grabWindow(), remote)
        readings = []
        for counter in (1, 2, 3, 50, 51):
            call.remote.show(draw_test_pattern(counter, 1_700_000_000_000 + counter))
            call.local.show(draw_test_pattern(counter + 1000, 1_700_000_000_000))
            pump(200)
            image = kiosk.window.grabWindow()
            readings.append([shown_stamp(image, remote), shown_stamp(image, own)])
        result["readings"] = readings
        image = kiosk.window.grabWindow()
        image.save(str(shot))
        result["graphics_api"] = kiosk.window.rendererInterface().graphicsApi().name
        call.clear()
        pump(300)
        result["black_after_clear"] = black_share(kiosk.window.grabWindow(), remote)
        result["qml_warnings"] = kiosk.qml_warnings
        kiosk.close()
        # The engine goes by deleteLater: delete it while the application still exists,
        # or its fonts are released after the application's (an abort on the way out).
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
