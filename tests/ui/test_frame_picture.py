"""FramePicture: the video the CPU draws (Qt Quick's software renderer, as on a GPU-less terminal).

Each frame is converted once to the size it is shown and blitted: the lawyer
fitted inside the item, the resident's own picture covering it and mirrored;
after `clear` nothing of the last face is shown, and a long call does not grow
the process (each new picture frees the last one's texture).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PySide6.QtCore import QRectF, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtQuick import QQuickView, QSGRendererInterface
from pytestqt.qtbot import QtBot

from kiosk.call.pattern import draw_test_pattern
from kiosk.ui.picture import FramePicture, picture_size
from tests.ui.conftest import MakeKiosk

QML = b"""
import QtQuick
import Kiosk
Rectangle {
    width: 440; height: 360; color: "#203040"
    FramePicture { objectName: "fit"; x: 20; y: 20; width: 400; height: 200
                   scene: Window.window }
    FramePicture { objectName: "crop"; x: 20; y: 240; width: 160; height: 100
                   scene: Window.window; crop: true; mirrored: true }
}
"""


def test_the_picture_is_converted_to_the_size_it_is_shown() -> None:
    # Fitted: inside the box, rows a multiple of 16 pixels, height even.
    assert picture_size(640, 480, 850, 679, crop=False) == (848, 636)
    assert picture_size(640, 480, 400, 200, crop=False) == (256, 200)
    # Cropped: covering the box.
    assert picture_size(640, 480, 369, 275, crop=True) == (384, 278)
    w, h = picture_size(640, 360, 160, 100, crop=True)
    assert w >= 160 and h >= 100 and w % 16 == 0 and h % 2 == 0


@pytest.fixture
def view(qtbot: QtBot, tmp_path: Path) -> Iterator[QQuickView]:
    import kiosk.ui.vm.root  # noqa: F401 - registers the Kiosk module's Python types
    from kiosk.ui.resources import QML_DIR

    view = QQuickView()
    view.engine().addImportPath(str(QML_DIR))
    component_file = tmp_path / "PictureProbe.qml"
    component_file.write_bytes(QML)
    view.setSource(QUrl.fromLocalFile(str(component_file)))
    assert view.rootObject() is not None, view.errors()
    assert view.rendererInterface().graphicsApi() == QSGRendererInterface.GraphicsApi.Software
    with qtbot.waitExposed(view):
        view.show()
    yield view
    view.close()
    view.deleteLater()


def _picture(view: QQuickView, name: str) -> FramePicture:
    item = view.rootObject().findChild(FramePicture, name)
    assert isinstance(item, FramePicture)
    return item


def _halves(left: int, right: int, width: int = 640, height: int = 480) -> av.VideoFrame:
    """Luma `left` on the left half, `right` on the right, no colour."""
    frame = av.VideoFrame(width, height, "yuv420p")
    y, u, v = frame.planes
    row = bytes([left]) * (width // 2) + bytes([right]) * (width // 2)
    y.update(row.ljust(y.line_size, b"\0") * height)
    u.update(bytes([128]) * u.buffer_size)
    v.update(bytes([128]) * v.buffer_size)
    return frame


def _shown(qtbot: QtBot, view: QQuickView) -> QImage:
    qtbot.wait(50)
    return view.grabWindow()


def _light(image: QImage, x: float, y: float) -> int:
    return QColor(image.pixel(int(x), int(y))).lightness()


def test_a_frame_is_fitted_centred_and_cleared(qtbot: QtBot, view: QQuickView) -> None:
    fit = _picture(view, "fit")
    assert _light(_shown(qtbot, view), 220, 120) < 80  # nothing before the first frame

    fit.show(draw_test_pattern(7, 0))
    image = _shown(qtbot, view)
    content = fit.property("contentRect")
    assert isinstance(content, QRectF)
    # 4:3 into 400x200: 256x200 (rows of 16), centred across.
    assert (content.width(), content.height()) == (256, 200)
    assert content.x() == (400 - 256) // 2 and content.y() == 0
    assert fit.shown == 1
    scene = fit.mapRectToScene(content)
    assert _light(image, scene.x() + 5, scene.center().y()) > 80  # the first bar, lit
    assert _light(image, scene.x() - 5, scene.center().y()) < 80  # the ground beside it

    fit.clear()
    image = _shown(qtbot, view)
    assert _light(image, scene.x() + 5, scene.center().y()) < 80
    assert fit.property("contentRect") == QRectF()


def test_the_self_view_covers_its_box_mirrored(qtbot: QtBot, view: QQuickView) -> None:
    own = _picture(view, "crop")
    own.show(_halves(235, 16))  # light on the camera's left
    image = _shown(qtbot, view)
    box = own.mapRectToScene(QRectF(0, 0, own.width(), own.height()))
    # Covered edge to edge, and mirrored: the camera's left shows on the right.
    assert _light(image, box.left() + 3, box.center().y()) < 40
    assert _light(image, box.right() - 3, box.center().y()) > 200
    own.setProperty("mirrored", False)
    image = _shown(qtbot, view)
    assert _light(image, box.left() + 3, box.center().y()) > 200


def test_the_picture_drawn_is_the_last_one_given_and_intact(
    qtbot: QtBot, view: QQuickView
) -> None:
    """The image reads the converted frame's own buffer: frames given between two redraws,
    and the garbage they leave, must not leave the screen reading freed memory."""
    import gc

    fit = _picture(view, "fit")
    fit.show(_halves(235, 16))
    image = _shown(qtbot, view)
    scene = fit.mapRectToScene(fit.property("contentRect"))
    left, right = (scene.x() + 10, scene.center().y()), (scene.right() - 10, scene.center().y())
    assert _light(image, *left) > 200 and _light(image, *right) < 40
    for value in (60, 120, 180):  # several frames before the next redraw; the last one counts
        fit.show(_halves(value, value))
    fit.show(_halves(16, 235))
    gc.collect()
    junk = [bytearray(b"\xff" * 400_000) for _ in range(20)]  # reuse what was freed
    image = _shown(qtbot, view)
    del junk
    assert _light(image, *left) < 40 and _light(image, *right) > 200
    fit.update()  # drawn again from the same texture, later
    image = _shown(qtbot, view)
    assert _light(image, *left) < 40 and _light(image, *right) > 200


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def test_a_long_call_does_not_grow_the_process(qtbot: QtBot, view: QQuickView) -> None:
    fit, own = _picture(view, "fit"), _picture(view, "crop")
    frames = [draw_test_pattern(n, 0) for n in range(4)]

    def run(count: int) -> None:
        for n in range(count):
            fit.show(frames[n % 4])
            own.show(frames[(n + 1) % 4])
            qtbot.wait(2)  # each picture drawn before the next

    run(60)  # warm up: allocator pools, the converters' contexts
    before = _rss_kib()
    run(400)
    grown = _rss_kib() - before
    # A texture kept per frame would be 400 x (256x200 + 160x120) x 4 bytes: about 110 MB.
    assert grown < 8 * 1024, f"grew {grown} KiB over 400 frames"
    # Nor a Python wrapper per texture (PySide ties each to the window's otherwise).
    import gc

    gc.collect()
    textures = [o for o in gc.get_objects() if type(o).__name__ == "QSGTexture"]
    assert len(textures) <= 4, len(textures)


def test_no_picture_of_a_resident_stays_in_memory_after_the_call(
    qtbot: QtBot, make_kiosk: MakeKiosk
) -> None:
    """Each call's screen makes its own pictures; PySide keeps the Python side of an item
    QML made after QML deletes it, so the frames must not hang on it (privacy, and a
    terminal that runs for months)."""
    import gc

    from kiosk.ui.vm.call import CallPhase
    from tests.ui.helpers import present, talking_by_hand

    kiosk = make_kiosk()
    root = kiosk.root
    root.callStarted.disconnect(kiosk.desk.start)  # the frames come from here, not a call
    for _ in range(3):
        call = talking_by_hand(root)
        qtbot.waitUntil(lambda: present(kiosk.window, "remoteVideo"), timeout=2000)
        call.remote.show(draw_test_pattern(1, 0))
        call.local.show(draw_test_pattern(2, 0))
        qtbot.wait(100)
        assert call.remote.shown and call.local.shown
        call.set_phase(CallPhase.NONE)
        root.reset()
        qtbot.wait(100)
    gc.collect()
    alive = gc.get_objects()
    assert not [o for o in alive if isinstance(o, av.VideoFrame)]
    assert not [o for o in alive if isinstance(o, QImage)]
