"""UI tests run headless: the offscreen platform must be chosen before Qt is imported."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("KIOSK_REPORT_READY", None)

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QFont, QGuiApplication
from pytestqt.qtbot import QtBot

from kiosk.api import Snapshot
from kiosk.config import KioskConfig
from kiosk.ui.app import FONT_FAMILY, KioskApp, build_kiosk
from kiosk.ui.rendering import Renderer, apply_renderer
from tests.ui.fakes import ONLINE, Clock, FakeLink

MakeKiosk = Callable[..., KioskApp]

# Tests draw in software (KioskConfig.for_tests): chosen before any window is made.
apply_renderer(Renderer.SOFTWARE)


@pytest.fixture(autouse=True)
def _kiosk_font(qapp: QGuiApplication) -> None:
    qapp.setFont(QFont(FONT_FAMILY))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_kiosk(qtbot: QtBot, tmp_path: Path, clock: Clock) -> Iterator[MakeKiosk]:
    """Build a shown kiosk window from a snapshot (or a link); closed after the test."""
    built: list[KioskApp] = []

    def make(
        snapshot: Snapshot = ONLINE,
        *,
        link: Any = None,
        size: tuple[int, int] = (1280, 800),
        token: str | None = None,
        **overrides: Any,
    ) -> KioskApp:
        config = KioskConfig.for_tests(
            tmp_path / "kiosk", window_width=size[0], window_height=size[1], **overrides
        )
        kiosk = build_kiosk(
            config, token, link=link if link is not None else FakeLink(snapshot), clock=clock
        )
        built.append(kiosk)
        with qtbot.waitSignal(kiosk.window.frameSwapped, timeout=5000):
            kiosk.window.show()
        return kiosk

    yield make
    warnings = [w for kiosk in built for w in kiosk.qml_warnings]
    for kiosk in built:
        kiosk.close()
    assert warnings == [], "QML reported problems"
