"""Every screen, both languages, three window sizes: saved as PNG and checked for layout faults.

The PNGs land in `screenshots/kiosk/` at the repository root (git-ignored) for a
person to look at; the checks catch what a resident would trip over: clipped or
cut-off text, tiny buttons, small print, QML errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtQuick import QQuickItem
from pytestqt.qtbot import QtBot

from kiosk.api import Snapshot
from kiosk.ui.app import KioskApp
from kiosk.ui.vm.call import CallPhase, Notice, Quality
from kiosk.ui.vm.fallback import FallbackReason
from tests.ui.conftest import MakeKiosk
from tests.ui.fakes import ONLINE
from tests.ui.helpers import is_button, present, settle, tap, to_call, wait_screen, walk

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "kiosk"

SIZES = [(1920, 1080), (1024, 600), (1080, 1920)]
LANGUAGES = ["zh_CN", "en"]
# Text allowed to give way with "…" on small screens: secondary detail only.
MAY_ELIDE = {"organisationText"}
# Boxes a resident sees as one thing: their text must stay inside them.
BOXES = ("serviceTile_", "expertCard_", "upcomingRow_", "staleBanner", "nobodyPanel")


def _to_services(qtbot: QtBot, kiosk: KioskApp) -> None:
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")


def _to_schedule(service: str) -> Callable[[QtBot, KioskApp], None]:
    def go(qtbot: QtBot, kiosk: KioskApp) -> None:
        _to_services(qtbot, kiosk)
        tap(qtbot, kiosk, f"serviceTile_{service}")
        wait_screen(qtbot, kiosk, "schedule")

    return go


def _to_idle_warning(qtbot: QtBot, kiosk: KioskApp) -> None:
    _to_services(qtbot, kiosk)
    qtbot.waitUntil(lambda: present(kiosk.window, "idleOverlay"), timeout=5000)


def _to_waiting(qtbot: QtBot, kiosk: KioskApp) -> None:
    to_call(qtbot, kiosk, expert_id=1)
    kiosk.root.call_vm.set_queue(3, 240, 0)  # two residents ahead, about four minutes


def _talking(
    qtbot: QtBot, kiosk: KioskApp, *, anyone: bool = False, quality: Quality = Quality.GOOD
) -> None:
    from kiosk.call.pattern import draw_test_pattern

    to_call(qtbot, kiosk, expert_id=0 if anyone else 1)
    call = kiosk.root.call_vm
    call.set_phase(CallPhase.CONNECTING)
    call.set_expert("张伟", "lawyer")
    call.set_phase(CallPhase.TALKING)
    call.set_quality(quality)
    # Three minutes and 25 seconds into the call, without waiting for them.
    call._talk_started = (call._talk_started or 0) - 205
    call._tick()
    call.remote.show(draw_test_pattern(1, 0))
    qtbot.waitUntil(lambda: bool(call.property("hasRemoteVideo")), timeout=2000)
    qtbot.waitUntil(lambda: present(kiosk.window, "remoteVideo"), timeout=2000)


def _to_connecting(qtbot: QtBot, kiosk: KioskApp) -> None:
    to_call(qtbot, kiosk)
    call = kiosk.root.call_vm
    call.set_phase(CallPhase.CONNECTING)
    call.set_expert("王丽", "lawyer")
    qtbot.waitUntil(lambda: present(kiosk.window, "videoPlaceholder"), timeout=2000)


def _to_talking(qtbot: QtBot, kiosk: KioskApp) -> None:
    _talking(qtbot, kiosk)


def _to_trouble(qtbot: QtBot, kiosk: KioskApp) -> None:
    """Everything that can go wrong at once: the words must still fit."""
    _talking(qtbot, kiosk, quality=Quality.AUDIO_ONLY)
    call = kiosk.root.call_vm
    call.set_phase(CallPhase.RECONNECTING)
    call.set_notice(Notice.MICROPHONE_FAILED)
    call.toggleMute()
    qtbot.waitUntil(lambda: present(kiosk.window, "reconnectingBanner"), timeout=2000)


def _to_document(qtbot: QtBot, kiosk: KioskApp) -> None:
    _talking(qtbot, kiosk, quality=Quality.FAIR)
    kiosk.root.call_vm.request_document()
    qtbot.waitUntil(lambda: present(kiosk.window, "documentOverlay"), timeout=2000)


def _to_fallback(qtbot: QtBot, kiosk: KioskApp, reason: FallbackReason) -> None:
    to_call(qtbot, kiosk)
    # Nobody on the fakes' hub: the callback request is answered by the test.
    kiosk.root.fallback_vm.callbackRequested.disconnect(kiosk.desk.request_callback)
    kiosk.root.call_finished(talked=False, reason=reason)
    wait_screen(qtbot, kiosk, "fallback")
    settle(qtbot, kiosk)


def _type(qtbot: QtBot, kiosk: KioskApp, digits: str) -> None:
    for digit in digits:
        tap(qtbot, kiosk, f"key{digit}")


def _to_fallback_entry(qtbot: QtBot, kiosk: KioskApp) -> None:
    _to_fallback(qtbot, kiosk, FallbackReason.NO_ANSWER)
    _type(qtbot, kiosk, "1380013")


def _to_fallback_problem(qtbot: QtBot, kiosk: KioskApp) -> None:
    _to_fallback(qtbot, kiosk, FallbackReason.MEDIA_LOST)
    _type(qtbot, kiosk, "1380013")
    tap(qtbot, kiosk, "sendCallback")
    qtbot.waitUntil(lambda: present(kiosk.window, "phoneProblem"), timeout=2000)


def _to_fallback_result(ok: bool) -> Callable[[QtBot, KioskApp], None]:
    def go(qtbot: QtBot, kiosk: KioskApp) -> None:
        _to_fallback(qtbot, kiosk, FallbackReason.ALL_BUSY)
        _type(qtbot, kiosk, "13800138000")
        tap(qtbot, kiosk, "sendCallback")
        kiosk.root.fallback_vm.callback_result(ok)
        name = "callbackSent" if ok else "callbackFailed"
        qtbot.waitUntil(lambda: present(kiosk.window, name), timeout=2000)

    return go


def _to_rating(qtbot: QtBot, kiosk: KioskApp) -> None:
    _talking(qtbot, kiosk)
    kiosk.root.call_finished(talked=True)
    wait_screen(qtbot, kiosk, "rating")
    settle(qtbot, kiosk)


def _to_rating_thanks(qtbot: QtBot, kiosk: KioskApp) -> None:
    _to_rating(qtbot, kiosk)
    tap(qtbot, kiosk, "face4")
    qtbot.waitUntil(lambda: present(kiosk.window, "ratingThanks"), timeout=2000)


SCREENS: dict[str, tuple[Callable[[QtBot, KioskApp], None], dict[str, object]]] = {
    "start": (lambda qtbot, kiosk: None, {}),
    "services": (_to_services, {}),
    "schedule": (_to_schedule("legal_consultation"), {}),
    "nobody": (_to_schedule("legal_education"), {}),
    "idle": (_to_idle_warning, {"idle_seconds": 0.3, "idle_warning_seconds": 15}),
    "call-waiting": (_to_waiting, {}),
    "call-connecting": (_to_connecting, {}),
    "call-talking": (_to_talking, {}),
    "call-trouble": (_to_trouble, {}),
    "call-document": (_to_document, {}),
    "fallback-entry": (_to_fallback_entry, {}),
    # The lawyer on the card left a moment ago: what the hub's nobody_on_duty says.
    "fallback-nobody": (lambda qtbot, kiosk: _to_fallback(qtbot, kiosk,
                                                          FallbackReason.NOBODY_ON_DUTY), {}),
    "fallback-problem": (_to_fallback_problem, {}),
    "fallback-sent": (_to_fallback_result(True), {}),
    "fallback-failed": (_to_fallback_result(False), {}),
    "rating": (_to_rating, {}),
    "rating-thanks": (_to_rating_thanks, {}),
}


def _scene_rect(item: QQuickItem) -> QRectF:
    return item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))


def _shown(item: QQuickItem) -> bool:
    node: QQuickItem | None = item
    while node is not None:
        if not node.isVisible() or node.opacity() == 0:
            return False
        node = node.parentItem()
    return item.width() > 0 and item.height() > 0


def _enclosing_box(item: QQuickItem) -> QQuickItem | None:
    node = item.parentItem()
    while node is not None:
        if is_button(node) or node.objectName().startswith(BOXES):
            return node
        node = node.parentItem()
    return None


def layout_faults(kiosk: KioskApp, min_touch: int, min_font: int) -> list[str]:
    window = kiosk.window
    bounds = QRectF(0, 0, window.width(), window.height()).adjusted(-1, -1, 1, 1)
    faults = []
    for item in walk(window.contentItem()):
        if not _shown(item):
            continue
        name = item.objectName() or item.metaObject().className()
        if is_button(item) and (item.width() < min_touch or item.height() < min_touch):
            faults.append(f"button {name} is {item.width():.0f}×{item.height():.0f}")
        if not item.inherits("QQuickText") or not item.property("text"):
            continue
        text = str(item.property("text"))
        if not bounds.contains(_scene_rect(item)):
            faults.append(f"text outside the window: {text!r}")
        box = _enclosing_box(item)
        if box is not None and not _scene_rect(box).adjusted(-1, -1, 1, 1).contains(
            _scene_rect(item)
        ):
            faults.append(f"text spills out of {box.objectName() or 'its button'}: {text!r}")
        if item.property("truncated") and item.objectName() not in MAY_ELIDE:
            faults.append(f"text cut off: {text!r}")
        size = item.property("font").pixelSize()
        if size < min_font:
            faults.append(f"text {text!r} is {size} px")
    return faults


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screenshot(
    qtbot: QtBot,
    make_kiosk: MakeKiosk,
    screen: str,
    language: str,
    size: tuple[int, int],
) -> None:
    go, overrides = SCREENS[screen]
    snapshot: Snapshot = ONLINE
    kiosk = make_kiosk(snapshot, size=size, language=language, **overrides)
    go(qtbot, kiosk)
    qtbot.wait(50)  # one more frame after the last change

    SHOTS.mkdir(parents=True, exist_ok=True)
    image = kiosk.window.grabWindow()
    assert not image.isNull()
    assert (image.width(), image.height()) == size
    image.save(str(SHOTS / f"{screen}-{language}-{size[0]}x{size[1]}.png"))

    small = min(size) < 1000
    # The checks below must see the buttons they measure.
    assert any(is_button(item) for item in walk(kiosk.window.contentItem()))
    assert layout_faults(kiosk, 48 if small else 72, 18 if small else 24) == []
    assert kiosk.qml_warnings == []


def test_offline_banner_screenshot(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    from tests.ui.fakes import OFFLINE

    for language in LANGUAGES:
        kiosk = make_kiosk(OFFLINE, size=(1024, 600), language=language)
        _to_schedule("legal_consultation")(qtbot, kiosk)
        qtbot.wait(50)
        kiosk.window.grabWindow().save(str(SHOTS / f"offline-{language}-1024x600.png"))
        assert layout_faults(kiosk, 48, 18) == []
