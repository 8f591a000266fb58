"""Lawyer page: who they are, their shifts in Beijing time, the availability switch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.console.conftest import Console
from tests.support.hub import RunningHub

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"


def me(hub: RunningHub) -> dict[str, object]:
    with hub.lawyer_client() as client:
        response = client.get("/v1/me")
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return body


@pytest.fixture
def lawyer_on_duty(demo_hub: RunningHub) -> Iterator[dict[str, object]]:
    """The demo lawyer with a shift covering now, available; their availability restored after."""
    before = me(demo_hub)
    shift = demo_hub.put_shift_now(int(str(before["id"])), hours=3)
    with demo_hub.lawyer_client() as client:
        client.put("/v1/me/availability", json={"availability": "available"}).raise_for_status()
    yield shift
    with demo_hub.lawyer_client() as client:
        client.put(
            "/v1/me/availability", json={"availability": before["availability"]}
        ).raise_for_status()


def test_lawyer_sees_profile_and_shifts_in_beijing_time(
    console: Console, lawyer_on_duty: dict[str, object]
) -> None:
    page = console.login(console.hub.lawyer, expect="lawyer.html")
    profile = me(console.hub)
    expect(page.get_by_role("heading", name=str(profile["name"]))).to_be_visible()
    expect(page.locator("#me-group")).to_have_text("律师")
    expect(page.locator("#me-org")).to_have_text(str(profile["organisation"]))

    starts = datetime.fromisoformat(str(lawyer_on_duty["starts_at"])).astimezone(SHANGHAI)
    ends = datetime.fromisoformat(str(lawyer_on_duty["ends_at"])).astimezone(SHANGHAI)
    today = page.locator(f".shift-day[data-day='{starts.date().isoformat()}']")
    weekday = WEEKDAYS[starts.weekday()]
    expect(today).to_contain_text(f"{starts.month}月{starts.day}日 星期{weekday}")
    expect(today).to_contain_text("今天")
    # The browser runs in Los Angeles time; the page still shows Beijing time.
    end_text = "24:00" if ends.strftime("%H:%M") == "00:00" else ends.strftime("%H:%M")
    if ends.date() != starts.date() and end_text != "24:00":
        end_text = f"次日 {end_text}"
    now_pill = today.locator(".shift-pill.now")
    expect(now_pill).to_contain_text(f"{starts:%H:%M} – {end_text}")
    expect(now_pill).to_contain_text("正在值班")
    expect(page.locator("#duty-now")).to_contain_text("您现在正在值班")

    # Shifts of the coming weeks, one group per day, in order.
    days = page.locator(".shift-day").evaluate_all("els => els.map(e => e.dataset.day)")
    assert days == sorted(days) and len(days) == len(set(days)) and len(days) >= 2

    # The incoming-call area is there, empty, for the next issue to fill.
    calls = page.get_by_role("region", name="来电")
    expect(calls).to_be_visible()
    expect(calls).to_contain_text("现在没有来电")
    assert console.log.unexpected() == []


def test_lawyer_toggles_availability(console: Console, lawyer_on_duty: dict[str, object]) -> None:
    page = console.login(console.hub.lawyer, expect="lawyer.html")
    available = page.get_by_role("button", name="在线可接听")
    away = page.get_by_role("button", name="暂离")
    expect(available).to_have_attribute("aria-pressed", "true")
    expect(away).to_have_attribute("aria-pressed", "false")

    away.click()
    expect(away).to_have_attribute("aria-pressed", "true")
    expect(available).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#status-line")).to_contain_text("暂离")
    assert me(console.hub)["availability"] == "away"

    # A reload shows the state the hub keeps, not a local guess.
    page.reload()
    page.locator("body[data-ready='true']").wait_for()
    expect(away).to_have_attribute("aria-pressed", "true")

    available.focus()
    page.keyboard.press("Enter")
    expect(available).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#status-line")).to_contain_text("在线可接听")
    assert me(console.hub)["availability"] == "available"
    assert console.log.unexpected() == []
