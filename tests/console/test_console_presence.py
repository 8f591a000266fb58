"""A lawyer counts as reachable only while a console tab of theirs is connected and answers
the hub's heartbeat: closing the tab, or losing the network, shows on the administrator's
page, in the schedule and on every terminal within 30 s (docs/signaling.md, "Presence")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.console import test_console_calls as calls
from tests.console.conftest import BROWSER_TIMEZONE, DEFAULT_VIEWPORT, Console
from tests.console.terminal import SignalClient
from tests.console.test_console_calls import Kiosk, on_duty
from tests.support.hub import RunningHub

pytestmark = pytest.mark.browser

kiosks = calls.kiosks  # two enrolled terminals of the demo hub

# The promise to the bureau: a lawyer gone stops counting within this long.
WITHIN_S = 30
# The admin page reads presence again every 5 s; a closed tab detaches at once.
CLOSED_WITHIN_S = 10


@pytest.fixture
def lawyer_tab(browser: Browser, demo_hub: RunningHub) -> Iterator[Callable[[], BrowserContext]]:
    """`open()`: a logged-in lawyer page of the demo lawyer, in a context of its own."""
    contexts: list[BrowserContext] = []

    def open_() -> BrowserContext:
        context = browser.new_context(
            viewport=DEFAULT_VIEWPORT,  # type: ignore[arg-type]
            locale="zh-CN",
            timezone_id=BROWSER_TIMEZONE,
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{demo_hub.base_url}/console/")
        page.get_by_label("用户名").fill(demo_hub.lawyer.username)
        page.get_by_label("密码", exact=True).fill(demo_hub.lawyer.password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url("**/console/lawyer.html*")
        expect(page.locator("#signal-state")).to_have_text("已连接")
        return context

    yield open_
    for context in contexts:
        context.close()


def badge(admin: Page, expert_id: int) -> Locator:
    return admin.locator(f"#experts-table tr[data-expert-id='{expert_id}'] .presence-cell")


def reachable_in_schedule(hub: RunningHub, token: str, expert_id: int) -> bool:
    with hub.terminal_client(token) as client:
        entries = client.get("/v1/schedule").json()["entries"]
    now = datetime.now(UTC).isoformat()
    return any(
        e["expert_id"] == expert_id and e["reachable"] and e["starts_at"] <= now < e["ends_at"]
        for e in entries
    )


def wait_presence(terminal: SignalClient, expert_id: int, present: bool, within: float) -> None:
    terminal.expect(
        "presence", timeout=within, where=lambda m: (expert_id in m["reachable"]) == present
    )


def gone(
    console: Console,
    kiosks: list[Kiosk],
    lawyer_tab: Callable[[], BrowserContext],
    cut: Callable[[BrowserContext], None],
    within: float,
) -> None:
    """A lawyer on duty with the console open is reachable; after `cut`, nowhere."""
    hub = console.hub
    admin = console.login(hub.admin, expect="admin.html")
    with on_duty(hub, hub.lawyer) as expert_id, SignalClient.terminal(hub, kiosks[0].token) as t:
        tab = lawyer_tab()
        wait_presence(t, expert_id, True, within=10)
        expect(badge(admin, expert_id)).to_have_text("在线可接听", timeout=CLOSED_WITHIN_S * 1000)
        assert reachable_in_schedule(hub, kiosks[0].token, expert_id)

        cut(tab)
        wait_presence(t, expert_id, False, within=within)
        expect(badge(admin, expert_id)).to_have_text("控制台未连接", timeout=within * 1000)
        title = badge(admin, expert_id).locator(".badge").get_attribute("title") or ""
        assert "已标记可接听" in title
        assert not reachable_in_schedule(hub, kiosks[0].token, expert_id)
        # Nobody can hear it ring: a call now is told so at once.
        cid = t.request_call("legal_consultation", expert_id)
        ended = t.expect("call.ended", where=lambda m: m["consultation_id"] == cid)
        assert ended["reason"] == "nobody_on_duty"
    assert console.log.unexpected() == []


def test_closing_the_console_tab_makes_the_lawyer_unreachable_at_once(
    console: Console, kiosks: list[Kiosk], lawyer_tab: Callable[[], BrowserContext]
) -> None:
    gone(console, kiosks, lawyer_tab, lambda tab: tab.pages[0].close(), CLOSED_WITHIN_S)


def test_a_console_whose_network_is_gone_stops_counting_within_30_s(
    console: Console, kiosks: list[Kiosk], lawyer_tab: Callable[[], BrowserContext]
) -> None:
    gone(console, kiosks, lawyer_tab, lambda tab: tab.set_offline(True), WITHIN_S)


def test_the_lawyer_back_online_is_reachable_again(
    console: Console,
    kiosks: list[Kiosk],
    lawyer_tab: Callable[[], BrowserContext],
    demo_hub: RunningHub,
) -> None:
    with on_duty(demo_hub, demo_hub.lawyer) as expert_id, SignalClient.terminal(
        demo_hub, kiosks[0].token
    ) as terminal:
        tab = lawyer_tab()
        wait_presence(terminal, expert_id, True, within=10)
        tab.set_offline(True)
        wait_presence(terminal, expert_id, False, within=WITHIN_S)
        expect(tab.pages[0].locator("#signal-state")).to_have_text(
            "正在重新连接…", timeout=WITHIN_S * 1000
        )
        tab.set_offline(False)
        expect(tab.pages[0].locator("#signal-state")).to_have_text(
            "已连接", timeout=WITHIN_S * 1000
        )
        wait_presence(terminal, expert_id, True, within=10)



