"""Browser fixtures of the console tests: Debian's Chromium driven by Playwright (sync API).

One browser for the console package (not the whole session: while Playwright's sync
API is alive it marks its event loop as running in this thread, which would break
the asyncio tests of other packages), a fresh context per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from tests.console.report_data import ReportData, add_report_data
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium
from tests.support.hub import Credentials, RunningHub

__all__ = ["CHROMIUM", "CHROMIUM_ARGS"]  # the benchmarks launch their own Chromium with these

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots" / "console"
# A zone far from Shanghai: the console must show Beijing time whatever the laptop says.
BROWSER_TIMEZONE = "America/Los_Angeles"
DEFAULT_VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def report_data(demo_hub: RunningHub) -> ReportData:
    """This month's records in the demo hub, once per session (see report_data.py)."""
    return add_report_data(demo_hub)


@dataclass
class ConsoleLog:
    """Errors the page reported: console.error, uncaught exceptions, failed requests."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text}")

    def unexpected(self, *allowed: str) -> list[str]:
        """Errors that contain none of the `allowed` fragments."""
        return [e for e in self.errors if not any(fragment in e for fragment in allowed)]


@dataclass
class Console:
    """One browser context on the demo hub, with helpers to reach the pages."""

    hub: RunningHub
    context: BrowserContext
    page: Page
    log: ConsoleLog

    def url(self, path: str = "") -> str:
        return f"{self.hub.base_url}/console/{path}"

    def open_login(self) -> Page:
        self.page.goto(self.url())
        self.page.get_by_label("用户名").wait_for()
        return self.page

    def login(self, credentials: Credentials, expect: str) -> Page:
        """Log in through the form and wait until `expect` (lawyer.html, admin.html) is ready."""
        page = self.open_login()
        page.get_by_label("用户名").fill(credentials.username)
        page.get_by_label("密码", exact=True).fill(credentials.password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(f"**/console/{expect}*")
        page.locator("body[data-ready='true']").wait_for()
        return page


@contextmanager
def open_console(browser: Browser, hub: RunningHub) -> Iterator[Console]:
    """A fresh browser context on `hub`'s console, as a lawyer's or administrator's tab."""
    context = browser.new_context(
        viewport=DEFAULT_VIEWPORT,  # type: ignore[arg-type]
        locale="zh-CN",
        timezone_id=BROWSER_TIMEZONE,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log = ConsoleLog()
    log.attach(page)
    try:
        yield Console(hub=hub, context=context, page=page, log=log)
    finally:
        context.close()


@pytest.fixture
def console(browser: Browser, demo_hub: RunningHub) -> Iterator[Console]:
    with open_console(browser, demo_hub) as opened:
        yield opened
