"""Finding QML items by objectName and tapping them where a finger would."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPointF, Qt
from PySide6.QtQuick import QQuickItem, QQuickWindow
from pytestqt.qtbot import QtBot

from kiosk.ui.app import KioskApp
from kiosk.ui.vm.call import CallPhase, CallViewModel
from kiosk.ui.vm.root import KioskViewModel


def walk(item: QQuickItem) -> Iterator[QQuickItem]:
    yield item
    for child in item.childItems():
        yield from walk(child)


def is_button(item: QQuickItem) -> bool:
    """A KioskButton, ServiceTile or any other TouchButton (the kiosk's buttons in QML)."""
    meta = item.metaObject()
    while meta is not None:
        if meta.className().startswith("TouchButton_QML"):
            return True
        meta = meta.superClass()
    return False


def is_shown(item: QQuickItem) -> bool:
    return item.isVisible() and item.opacity() > 0 and item.width() > 0 and item.height() > 0


def find(window: QQuickWindow, name: str) -> QQuickItem:
    """The one shown item called `name` (objectName); fails the test otherwise."""
    found = [i for i in walk(window.contentItem()) if i.objectName() == name and is_shown(i)]
    assert found, f"no visible item named {name!r}"
    assert len(found) == 1, f"{len(found)} visible items named {name!r}"
    return found[0]


def present(window: QQuickWindow, name: str) -> bool:
    return any(i.objectName() == name and is_shown(i) for i in walk(window.contentItem()))


def text_of(window: QQuickWindow, name: str) -> str:
    """The words of a Text; for a BalancedText the words before it chose its line breaks."""
    item = find(window, name)
    content = item.property("content")
    return str(content if isinstance(content, str) else item.property("text"))


def visible_texts(window: QQuickWindow) -> list[str]:
    """Every string a resident can read now (Text items that are visible)."""
    texts = []
    for item in walk(window.contentItem()):
        if item.inherits("QQuickText") and _really_visible(item):
            value = item.property("content")
            if not isinstance(value, str):
                value = item.property("text")
            if value:
                texts.append(str(value))
    return texts


def _really_visible(item: QQuickItem) -> bool:
    node: QQuickItem | None = item
    while node is not None:
        if not node.isVisible() or node.opacity() == 0:
            return False
        node = node.parentItem()
    return True


def tap(qtbot: QtBot, kiosk: KioskApp, name: str) -> None:
    """A click in the middle of the item, through the window as a touch would arrive."""
    qtbot.waitUntil(lambda: present(kiosk.window, name), timeout=3000)
    item = find(kiosk.window, name)
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
    qtbot.mouseClick(  # type: ignore[no-untyped-call]
        kiosk.window, Qt.MouseButton.LeftButton, pos=centre
    )


def tap_at(qtbot: QtBot, kiosk: KioskApp, x: int, y: int) -> None:
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(  # type: ignore[no-untyped-call]
        kiosk.window, Qt.MouseButton.LeftButton, pos=QPoint(x, y)
    )


def wait_screen(qtbot: QtBot, kiosk: KioskApp, screen: str) -> None:
    qtbot.waitUntil(lambda: kiosk.root.property("screen") == screen, timeout=3000)
    qtbot.waitUntil(lambda: present(kiosk.window, f"{screen}Screen"), timeout=3000)


def to_schedule(qtbot: QtBot, kiosk: KioskApp, service: str = "legal_consultation") -> None:
    """Tap from the start screen to the schedule of `service`."""
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    tap(qtbot, kiosk, f"serviceTile_{service}")
    wait_screen(qtbot, kiosk, "schedule")


def to_call(
    qtbot: QtBot, kiosk: KioskApp, service: str = "legal_consultation", expert_id: int = 0
) -> None:
    """Tap through to the call screen, with the call desk left out of it.

    The UI fakes have no hub, so the desk would find the hub unreachable at once
    and move on to the fallback screen; without it the call screen shows exactly
    what the test sets on `kiosk.root.call_vm`.
    """
    kiosk.root.callStarted.disconnect(kiosk.desk.start)
    to_schedule(qtbot, kiosk, service)
    tap(qtbot, kiosk, f"callButton_{expert_id}" if expert_id else "callAnyoneButton")
    wait_screen(qtbot, kiosk, "call")
    settle(qtbot, kiosk)


def settle(qtbot: QtBot, kiosk: KioskApp) -> None:
    """Wait for a frame: rows and grids place their items only when the next frame is made.

    A screen is "present" as soon as it is loaded; a tap before its first frame
    may land where a keypad key will be, not where it is.
    """
    with qtbot.waitSignal(kiosk.window.frameSwapped, timeout=3000):
        kiosk.window.update()


def talking_by_hand(root: KioskViewModel) -> CallViewModel:
    """The call screen talking to 张伟 with no call behind it: the test hands over the frames.
    Disconnect `root.callStarted` from the call desk first."""
    root.begin()
    root.chooseService("legal_consultation")
    root.schedule_vm.callAnyone()
    call = root.call_vm
    call.set_phase(CallPhase.TALKING)
    call.set_expert("张伟", "lawyer")
    return call
