"""End to end: the kiosk app (pytest-qt, offscreen), the real hub, lawyers' consoles in Chromium.

The kiosk runs in this process with its own asyncio thread; Playwright's sync
API drives Chromium from the same (Qt) thread, so waits alternate: Qt's event
loop runs inside `qtbot.waitUntil`, Chromium's inside Playwright calls, and the
call itself runs on the kiosk's loop thread all the while.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("KIOSK_REPORT_READY", None)

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from PySide6.QtGui import QFont, QGuiApplication
from pytestqt.qtbot import QtBot

from kiosk.call.settings import CallSettings
from kiosk.config import KioskConfig
from kiosk.ui.app import FONT_FAMILY, KioskApp, build_kiosk
from kiosk.ui.rendering import Renderer, apply_renderer
from tests.console.conftest import BROWSER_TIMEZONE, DEFAULT_VIEWPORT, ConsoleLog
from tests.support.browser import chromium
from tests.support.hub import Credentials, RunningHub, running_hub

# Quick to give up, so a failing test fails soon; the no-answer test sets its own.
E2E_CALL = CallSettings(no_answer_timeout_s=60, hub_answer_timeout_s=10, connect_timeout_s=15)


# Tests draw in software (KioskConfig.for_tests): chosen before any window is made.
apply_renderer(Renderer.SOFTWARE)


@pytest.fixture(autouse=True)
def _kiosk_font(qapp: QGuiApplication) -> None:
    qapp.setFont(QFont(FONT_FAMILY))


@pytest.fixture(scope="package")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """A hub of this package's own: calls here leave lawyers busy or rung for a while."""
    with running_hub(tmp_path_factory.mktemp("e2e-hub")) as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class Lawyer:
    credentials: Credentials
    expert_id: int
    page: Page
    log: ConsoleLog = field(default_factory=ConsoleLog)

    def card(self, consultation_id: str) -> object:
        return self.page.locator(f".ring-card[data-consultation='{consultation_id}']")


OpenConsole = Callable[..., Lawyer]


@pytest.fixture
def open_console(browser: Browser, hub: RunningHub) -> Iterator[OpenConsole]:
    """A lawyer's console tab, logged in; on duty and available unless told otherwise."""
    with ExitStack() as stack:

        def open_(credentials: Credentials, *, on_duty: bool = True,
                  available: bool = True) -> Lawyer:
            expert_id = hub.set_on_duty_now(credentials, on_duty=on_duty, available=available)
            context = browser.new_context(
                viewport=DEFAULT_VIEWPORT,  # type: ignore[arg-type]
                locale="zh-CN",
                timezone_id=BROWSER_TIMEZONE,
            )
            stack.callback(context.close)
            context.set_default_timeout(20_000)
            page = context.new_page()
            lawyer = Lawyer(credentials, expert_id, page)
            lawyer.log.attach(page)
            page.goto(f"{hub.base_url}/console/")
            page.get_by_label("用户名").fill(credentials.username)
            page.get_by_label("密码", exact=True).fill(credentials.password)
            page.get_by_role("button", name="登录", exact=True).click()
            page.wait_for_url("**/console/lawyer.html*")
            page.locator("body[data-ready='true']").wait_for()
            expect(page.locator("#signal-state")).to_have_text("已连接")
            return lawyer

        yield open_


MakeKiosk = Callable[..., KioskApp]


@pytest.fixture
def make_kiosk(qtbot: QtBot, tmp_path: Path, hub: RunningHub) -> Iterator[MakeKiosk]:
    """The kiosk app of an enrolled terminal of the test hub, shown; closed after the test."""
    built: list[KioskApp] = []

    def make(*, call: CallSettings = E2E_CALL, hub_url: str | None = None) -> KioskApp:
        _, token = hub.enrol_terminal()
        config = KioskConfig.for_tests(
            tmp_path / f"kiosk-{len(built)}", hub_url=hub_url or hub.base_url,
            window_width=1280, window_height=800, call=call,
        )
        kiosk = build_kiosk(config, token)
        built.append(kiosk)
        with qtbot.waitSignal(kiosk.window.frameSwapped, timeout=5000):
            kiosk.window.show()
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()
