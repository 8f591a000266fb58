"""Each console page at two laptop sizes: saved under screenshots/console/ for a human look.

The assertions catch what a look would: errors in the browser console, key elements
missing, the page wider than the window, type smaller than 18 px.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.console.conftest import SCREENSHOTS, Console
from tests.console.report_data import ReportData
from tests.support.hub import Credentials

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]


def api_login(console: Console, credentials: Credentials) -> None:
    """Log in through the context's request API: it shares the cookie jar with the page."""
    response = console.context.request.post(
        f"{console.hub.base_url}/v1/auth/login",
        data={"username": credentials.username, "password": credentials.password},
    )
    assert response.ok, response.text()


def open_ready(console: Console, path: str) -> Page:
    console.page.goto(console.url(path))
    console.page.locator("body[data-ready='true']").wait_for()
    return console.page


def login_page(console: Console) -> Page:
    page = console.open_login()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_visible()
    expect(page.get_by_label("密码", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    return page


def lawyer_page(console: Console) -> Page:
    api_login(console, console.hub.lawyer)
    page = open_ready(console, "lawyer.html")
    expect(page.get_by_role("button", name="在线可接听")).to_be_in_viewport()
    expect(page.get_by_role("button", name="暂离")).to_be_in_viewport()
    expect(page.get_by_role("region", name="来电")).to_be_in_viewport()
    expect(page.get_by_role("heading", name="我的值班")).to_be_in_viewport()
    expect(page.get_by_role("button", name="退出登录")).to_be_in_viewport()
    expect(page.locator("#month-stats [data-stat='接听咨询'] .value")).not_to_be_empty()
    return page


def admin_tab(tab: str, path: str, check: Callable[[Page], None]) -> Callable[[Console], Page]:
    def open_tab(console: Console) -> Page:
        api_login(console, console.hub.admin)
        page = open_ready(console, f"admin.html#{path}")
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        check(page)
        return page

    return open_tab


def experts_ready(page: Page) -> None:
    expect(page.locator("#experts-table tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name="添加专家")).to_be_in_viewport()


def shifts_ready(page: Page) -> None:
    expect(page.locator("#week-grid .shift-block").first).to_be_visible()
    expect(page.get_by_role("button", name="添加值班")).to_be_in_viewport()
    expect(page.get_by_role("button", name="下一周")).to_be_in_viewport()


def terminals_ready(page: Page) -> None:
    expect(page.locator("#terminals-table tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name="生成登记码").first).to_be_in_viewport()


def expert_dialog(page: Page) -> None:
    experts_ready(page)
    page.get_by_role("button", name="添加专家").click()
    dialog = page.get_by_role("dialog", name="添加专家")
    expect(dialog.get_by_role("button", name="保存")).to_be_in_viewport()


def report_ready(page: Page) -> None:
    expect(page.locator("#report-experts tbody tr").first).to_be_visible()
    expect(page.locator("#report-terminals tfoot tr")).to_be_visible()
    expect(page.get_by_label("月份")).to_be_in_viewport()
    expect(page.get_by_role("link", name="导出 CSV")).to_be_in_viewport()
    expect(page.get_by_role("button", name="查看待核对的记录")).to_be_visible()


def flagged_records(page: Page) -> None:
    report_ready(page)
    page.get_by_role("button", name="查看待核对的记录").click()
    listing = page.get_by_role("region", name="待核对的记录")
    expect(listing.locator("tbody tr").first).to_be_in_viewport()


PAGES: dict[str, Callable[[Console], Page]] = {
    "login": login_page,
    "lawyer": lawyer_page,
    "admin-experts": admin_tab("专家", "experts", experts_ready),
    "admin-expert-dialog": admin_tab("专家", "experts", expert_dialog),
    "admin-shifts": admin_tab("值班", "shifts", shifts_ready),
    "admin-terminals": admin_tab("终端", "terminals", terminals_ready),
    "admin-report": admin_tab("补贴报表", "report", report_ready),
    "admin-report-flagged": admin_tab("补贴报表", "report", flagged_records),
}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_looks_right(
    console: Console, report_data: ReportData, name: str, size: tuple[int, int]
) -> None:
    """`report_data`: the lawyer's month and the report have figures to show."""
    width, height = size
    console.page.set_viewport_size({"width": width, "height": height})
    page = PAGES[name](console)
    page.evaluate("document.fonts.ready")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A modal dialog is judged in the window it covers; a page as a whole.
    full_page = "dialog" not in name
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}x{height}.png", full_page=full_page)

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px window"
    body_px = float(page.evaluate("getComputedStyle(document.body).fontSize").removesuffix("px"))
    assert body_px >= 18
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select')]
            .filter(e => e.offsetParent !== null && e.type !== 'checkbox')
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.id || e.textContent.trim())"""
    )
    assert small == [], f"controls under 44px high: {small}"
    assert console.log.unexpected() == []
