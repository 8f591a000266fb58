"""The hub feed: a link made on the loop thread, its cache first, then the hub's answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from kiosk.ui.bridge import AsyncBridge
from kiosk.ui.feed import HubFeed
from kiosk.ui.ports import LinkLike
from tests.ui.fakes import EMPTY, ONLINE, FakeLink


@pytest.fixture
def bridge(qapp: QObject) -> Iterator[AsyncBridge]:
    bridge = AsyncBridge()
    yield bridge
    bridge.close()


def test_nothing_happens_before_start(qtbot: QtBot, bridge: AsyncBridge) -> None:
    made: list[int] = []

    def make() -> LinkLike:
        made.append(1)
        return FakeLink(ONLINE)

    feed = HubFeed(bridge, 0.05, make_link=make)
    feed.refresh()  # e.g. a resident opening a schedule before the first frame is out
    qtbot.wait(100)
    assert made == [] and not bridge.running and feed.link is None


def test_link_made_on_the_loop_thread_cache_first_then_the_hub(
    qtbot: QtBot, bridge: AsyncBridge
) -> None:
    link = FakeLink(EMPTY, fresh=ONLINE)
    made_on: list[int] = []

    def make() -> LinkLike:
        made_on.append(threading.get_ident())
        return link

    feed = HubFeed(bridge, 60, make_link=make)
    seen: list[object] = []
    feed.snapshotReady.connect(seen.append)
    feed.start()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen == [EMPTY, ONLINE]
    assert made_on != [] and made_on[0] != threading.get_ident()
    assert feed.link is link
    feed.stop()


def test_a_link_that_fails_to_be_made_is_tried_again(qtbot: QtBot, bridge: AsyncBridge) -> None:
    attempts: list[int] = []

    def make() -> LinkLike:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("cache directory unreadable")
        return FakeLink(ONLINE)

    feed = HubFeed(bridge, 0.05, make_link=make)
    feed.start()
    qtbot.waitUntil(lambda: feed.link is not None, timeout=5000)
    assert len(attempts) == 2
    feed.stop()
