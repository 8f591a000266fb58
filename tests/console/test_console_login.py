"""Login page: wrong password, throttling, routing by role, logout."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Route, expect

from tests.console.conftest import Console
from tests.support.hub import Credentials

pytestmark = pytest.mark.browser

UNAUTHORIZED = "status of 401"


def test_wrong_password_shows_plain_message(console: Console) -> None:
    page = console.open_login()
    page.get_by_label("用户名").fill(console.hub.admin.username)
    page.get_by_label("密码", exact=True).fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()

    error = page.get_by_role("alert")
    expect(error).to_contain_text("用户名或密码不对")
    expect(page).to_have_url(console.url())
    # The password field is emptied and focused for the next try.
    expect(page.get_by_label("密码", exact=True)).to_have_value("")
    expect(page.get_by_label("密码", exact=True)).to_be_focused()
    # The only error the browser reports is the hub's 401 answer itself.
    assert console.log.unexpected(UNAUTHORIZED) == []


def test_empty_fields_are_named(console: Console) -> None:
    page = console.open_login()
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("请填写用户名。")).to_be_visible()
    expect(page.get_by_label("用户名")).to_have_attribute("aria-invalid", "true")


def test_too_many_attempts_shows_seconds_to_wait(console: Console) -> None:
    # The hub's throttle is shared by every test from 127.0.0.1, so the 429 answer is
    # played back here instead of provoked; its body is the hub's own ErrorBody.
    def throttled(route: Route) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "42", "Content-Type": "application/json"},
            body=json.dumps({"detail": "Too many failed attempts. Try again in 42 seconds."}),
        )

    console.page.route("**/v1/auth/login", throttled)
    page = console.open_login()
    page.get_by_label("用户名").fill("someone")
    page.get_by_label("密码", exact=True).fill("whatever")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("尝试次数过多，请 4")
    expect(page.get_by_role("alert")).to_contain_text("秒后再试")
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_disabled()
    assert console.log.unexpected("status of 429") == []


def test_keyboard_login_routes_admin_and_logout_ends_session(console: Console) -> None:
    page = console.open_login()
    admin: Credentials = console.hub.admin
    # The username field has the focus on arrival; the whole form works from the keyboard.
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type(admin.username)
    page.keyboard.press("Tab")
    page.keyboard.type(admin.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/admin.html*")
    page.locator("body[data-ready='true']").wait_for()
    expect(page.get_by_role("tab", name="专家")).to_have_attribute("aria-selected", "true")

    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/console/index.html?reason=logout")
    expect(page.get_by_role("status").filter(has_text="您已退出登录")).to_be_visible()
    cookies = {c["name"] for c in console.context.cookies()}
    assert "kiosk_session" not in cookies

    # Without a session the admin page sends the browser back to the login page.
    page.goto(console.url("admin.html"))
    page.wait_for_url("**/console/index.html?reason=expired")
    expect(page.get_by_label("用户名")).to_be_visible()
    assert console.log.unexpected(UNAUTHORIZED) == []


def test_lawyer_is_sent_to_lawyer_page_not_admin(console: Console) -> None:
    page = console.login(console.hub.lawyer, expect="lawyer.html")
    page.goto(console.url("admin.html"))
    page.wait_for_url("**/console/lawyer.html")
    page.locator("body[data-ready='true']").wait_for()
    assert console.log.unexpected() == []
