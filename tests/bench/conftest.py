"""Fixtures of the call benchmarks: a hub of their own, two terminals, Debian's Chromium.

The hub is the real one (`python -m kiosk.hub --demo`) on loopback, with the demo
lawyer 张伟 on duty and available, so a call rings his console. Ours is the
kiosk app under Xvfb in P1 and P2 (`call_kiosk_app.py`) and the bare call stack
in P3 (`call_kiosk_side.py`), each on the `ours` terminal. Playwright's
sync API lives for one module at a time: while it is alive it marks the
thread's event loop as running, which `asyncio.run` (P5) must not meet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

    from tests.support.hub import RunningHub


@dataclass(frozen=True)
class Terminals:
    ours: str  # the bearer token of the terminal the kiosk process uses
    anchor: str  # the one the Chromium page plays


@pytest.fixture(scope="package")
def call_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    from tests.support.hub import running_hub

    with running_hub(tmp_path_factory.mktemp("bench-hub")) as hub:
        hub.set_on_duty_now(hub.lawyer)
        yield hub


@pytest.fixture(scope="package")
def terminals(call_hub: RunningHub) -> Terminals:
    _, ours = call_hub.enrol_terminal()
    _, anchor = call_hub.enrol_terminal()
    return Terminals(ours=ours, anchor=anchor)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    from tests.console.conftest import CHROMIUM
    from tests.support.requires import missing

    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The lawyer's browser (and the anchor kiosk's page, where it shares one)."""
    from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS

    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
