"""The asyncio thread: results reach the Qt thread by signal; close drains everything."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from kiosk.ui.bridge import AsyncBridge, BridgeClosed


@pytest.fixture
def bridge(qapp: QObject) -> Iterator[AsyncBridge]:
    bridge = AsyncBridge()
    bridge.start()
    yield bridge
    bridge.close()


def test_result_arrives_on_the_qt_thread(qtbot: QtBot, bridge: AsyncBridge) -> None:
    seen: list[tuple[object, int]] = []

    async def work() -> int:
        await asyncio.sleep(0.01)
        return threading.get_ident()

    bridge.submit(work(), lambda loop_thread: seen.append((loop_thread, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    loop_thread, callback_thread = seen[0]
    assert loop_thread != threading.get_ident()
    assert callback_thread == threading.get_ident()


def test_errors_reach_on_error(qtbot: QtBot, bridge: AsyncBridge) -> None:
    errors: list[BaseException] = []

    async def fail() -> None:
        raise ValueError("hub said no")

    bridge.submit(fail(), lambda _: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    assert isinstance(errors[0], ValueError)


def test_the_qt_thread_does_not_wait_for_the_loop(qtbot: QtBot, bridge: AsyncBridge) -> None:
    started = threading.Event()

    async def slow() -> None:
        started.set()
        await asyncio.sleep(30)

    bridge.submit(slow())
    assert started.wait(2)  # submit returned at once while the coroutine runs


def test_close_cancels_tasks_runs_finalizers_and_joins(qapp: QObject) -> None:
    bridge = AsyncBridge()
    bridge.start()
    cancelled = threading.Event()
    closed: list[str] = []
    results: list[object] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def aclose() -> None:
        closed.append("link")

    bridge.submit(forever(), results.append)
    bridge.close(aclose)
    assert cancelled.is_set()
    assert closed == ["link"]
    assert not bridge.running
    assert results == []
    with pytest.raises(BridgeClosed):
        bridge.submit(forever())
    bridge.close()  # twice is harmless


def test_callbacks_never_run_inside_submit(qtbot: QtBot, bridge: AsyncBridge) -> None:
    """Even a coroutine that is done before submit returns reports later, by the event loop."""
    order: list[str] = []

    async def instant() -> str:
        return "done"

    for _ in range(20):
        bridge.submit(instant(), order.append)
        order.append("submitted")
    qtbot.waitUntil(lambda: order.count("done") == 20, timeout=2000)
    # No event loop ran between the submits, so no callback may come before the last one.
    assert order[:20] == ["submitted"] * 20


def test_close_without_start_still_runs_finalizers(qapp: QObject) -> None:
    """A kiosk closed before its first frame never started the loop, yet closes its link."""
    bridge = AsyncBridge()
    closed: list[str] = []

    async def aclose() -> None:
        closed.append("link")

    bridge.close(aclose)
    assert closed == ["link"]
    with pytest.raises(BridgeClosed):
        bridge.start()


def test_emitting_a_signal_does_not_leak_a_reference_to_true(qapp: QObject) -> None:
    """PySide6 6.12.0 dropped a reference to `True` on every `emit`: Python 3.11 aborted
    (bool_dealloc) after a few thousand, minutes into a call (one post per video frame)."""
    import sys

    bridge = AsyncBridge()
    before = sys.getrefcount(True)
    for _ in range(100):  # few enough that a leaking PySide cannot free True here
        bridge._delivered.emit(print, None)
    assert sys.getrefcount(True) - before > -50
