"""Admin page: experts, the week grid of duty shifts, terminals and enrolment codes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.console.conftest import SCREENSHOTS, Console
from tests.support.hub import RunningHub

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")


def admin_page(console: Console, tab: str = "专家") -> Page:
    page = console.login(console.hub.admin, expect="admin.html")
    page.get_by_role("tab", name=tab).click()
    expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
    return page


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:4]}"


@pytest.fixture
def admin_api(demo_hub: RunningHub) -> Iterator[httpx.Client]:
    with demo_hub.admin_client() as client:
        yield client


@pytest.fixture
def spare_expert(admin_api: httpx.Client) -> Iterator[dict[str, Any]]:
    """An expert of this test alone (no shifts), removed afterwards."""
    body = {"name": unique("测试"), "group": "notary", "services": ["legal_consultation"]}
    response = admin_api.post("/v1/experts", json=body)
    response.raise_for_status()
    expert: dict[str, Any] = response.json()
    yield expert
    admin_api.delete(f"/v1/experts/{expert['id']}")


def test_admin_adds_edits_and_deletes_an_expert(console: Console, admin_api: httpx.Client) -> None:
    page = admin_page(console)
    name = unique("周")
    page.get_by_role("button", name="添加专家").click()
    dialog = page.get_by_role("dialog", name="添加专家")
    expect(dialog).to_be_visible()
    dialog.get_by_label("姓名").fill(name)
    dialog.get_by_label("类别").select_option(label="仲裁")

    # The form says in words what is missing.
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.get_by_text("请至少选一项服务事项。")).to_be_visible()

    dialog.get_by_label("人民调解").check()
    dialog.get_by_label("法律咨询").check()
    dialog.get_by_label("单位").fill("沈阳仲裁委员会")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()

    row = page.locator("#experts-table tbody tr", has_text=name)
    expect(row).to_contain_text("仲裁")
    expect(row).to_contain_text("法律咨询")
    expect(row).to_contain_text("人民调解")
    expect(row).to_contain_text("未设置")
    created = next(e for e in admin_api.get("/v1/experts").json() if e["name"] == name)
    assert created["group"] == "arbitration"
    assert created["services"] == ["legal_consultation", "mediation"]
    assert created["organisation"] == "沈阳仲裁委员会"

    # Edit: one more service.
    row.get_by_role("button", name="编辑").click()
    dialog = page.get_by_role("dialog", name=f"编辑专家：{name}")
    expect(dialog.get_by_label("人民调解")).to_be_checked()
    dialog.get_by_label("普法宣传").check()
    dialog.get_by_role("button", name="保存").click()
    expect(row).to_contain_text("普法宣传")

    # Give them a login, then log in with it through the API.
    username = f"t{uuid.uuid4().hex[:8]}"
    row.get_by_role("button", name="设置登录").click()
    dialog = page.get_by_role("dialog", name="设置登录账号")
    dialog.get_by_label("用户名").fill(username)
    dialog.get_by_label("新密码").fill("short")
    dialog.get_by_role("button", name="保存账号").click()
    expect(dialog.get_by_text("密码至少要 10 个字符。")).to_be_visible()
    dialog.get_by_label("新密码").fill("a-long-password-1")
    dialog.get_by_role("button", name="保存账号").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text(username)
    with console.hub.client() as anonymous:
        login = anonymous.post(
            "/v1/auth/login", json={"username": username, "password": "a-long-password-1"}
        )
        assert login.status_code == 200, login.text
        assert login.json()["role"] == "lawyer"

    # Delete, after a confirmation that names them.
    row.get_by_role("button", name="删除").click()
    confirm = page.get_by_role("dialog", name=f"删除专家：{name}？")
    expect(confirm).to_contain_text("删除后不能恢复")
    confirm.get_by_role("button", name="取消").click()
    expect(row).to_be_visible()
    row.get_by_role("button", name="删除").click()
    confirm.get_by_role("button", name="确认删除").click()
    expect(row).to_have_count(0)
    assert all(e["name"] != name for e in admin_api.get("/v1/experts").json())
    assert console.log.unexpected() == []


def midnight(day: date) -> datetime:
    """The start of a Shanghai day."""
    return datetime.combine(day, time(0, 0), SHANGHAI)


def next_wednesday() -> date:
    today = datetime.now(SHANGHAI).date()
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(days=7 + 2)


def test_admin_adds_and_deletes_a_shift_in_the_week_grid(
    console: Console, admin_api: httpx.Client, spare_expert: dict[str, Any]
) -> None:
    page = admin_page(console, "值班")
    wednesday = next_wednesday()
    page.get_by_role("button", name="下一周").click()
    expect(page.locator("#week-label")).to_contain_text(
        f"{wednesday.year}年{(wednesday - timedelta(days=2)).month}月"
    )
    columns = page.locator("#week-grid thead th").evaluate_all(
        "els => els.map(e => e.textContent.trim())"
    )
    assert [c[:2] for c in columns] == ["专家", *(f"周{d}" for d in "一二三四五六日")]

    form = page.locator("#shift-form")
    form.get_by_label("专家").select_option(str(spare_expert["id"]))
    form.get_by_label("日期").select_option(wednesday.isoformat())
    form.get_by_label("开始时间").select_option("18:00")
    form.get_by_label("结束时间").select_option("08:00")
    expect(form.locator("#shift-preview")).to_contain_text("算到第二天")
    form.get_by_label("结束时间").select_option("21:30")
    expect(form.locator("#shift-preview")).to_contain_text("18:00 至 21:30，共 3 小时 30 分钟")
    form.get_by_role("button", name="添加值班").click()

    row = page.locator(f"#week-grid tbody tr[data-expert-id='{spare_expert['id']}']")
    cell = row.locator(f"td[data-day='{wednesday.isoformat()}']")
    block = cell.get_by_role("button", name="18:00 – 21:30")
    expect(block).to_be_visible()
    shifts = admin_api.get(
        "/v1/shifts",
        params={
            "from": midnight(wednesday).isoformat(),
            "to": midnight(wednesday + timedelta(days=1)).isoformat(),
            "expert_id": spare_expert["id"],
        },
    ).json()
    assert len(shifts) == 1
    starts = datetime.fromisoformat(shifts[0]["starts_at"])
    ends = datetime.fromisoformat(shifts[0]["ends_at"])
    assert starts == midnight(wednesday) + timedelta(hours=18)
    assert ends - starts == timedelta(hours=3, minutes=30)

    # An overlapping shift of the same expert: the hub's 409, said next to the form.
    form.get_by_label("开始时间").select_option("20:00")
    form.get_by_label("结束时间").select_option("22:00")
    form.get_by_role("button", name="添加值班").click()
    error = form.get_by_role("alert")
    expect(error).to_contain_text("重叠")
    expect(error).to_contain_text("18:00 – 21:30")
    expect(cell.locator(".shift-block")).to_have_count(1)

    # Delete it from the grid, after the confirmation.
    block.click()
    confirm = page.get_by_role("dialog", name="删除这个值班？")
    expect(confirm).to_contain_text(str(spare_expert["name"]))
    expect(confirm).to_contain_text("18:00 – 21:30")
    confirm.get_by_role("button", name="删除值班").click()
    expect(confirm).to_be_hidden()
    expect(cell.locator(".shift-block")).to_have_count(0)
    window = {"from": starts.isoformat(), "to": ends.isoformat(), "expert_id": spare_expert["id"]}
    assert admin_api.get("/v1/shifts", params=window).json() == []
    # The hub's 409 answer is the one error the browser reports.
    assert console.log.unexpected("status of 409") == []


def test_admin_creates_a_terminal_and_an_enrolment_code(
    console: Console, admin_api: httpx.Client
) -> None:
    page = admin_page(console, "终端")
    village = unique("测试村")
    page.get_by_role("button", name="添加终端").click()
    dialog = page.get_by_role("dialog", name="添加终端")
    dialog.get_by_label("县（市、区）").fill("法库县")
    dialog.get_by_label("乡镇").fill("叶茂台镇")
    dialog.get_by_label("村", exact=True).fill(village)
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.get_by_text("请填写安放地点。")).to_be_visible()
    dialog.get_by_label("安放地点").fill("村委会便民服务室")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()

    row = page.locator("#terminals-table tbody tr", has_text=village)
    expect(row).to_contain_text("未登记")
    expect(row).to_contain_text("从未联系")
    terminal = next(t for t in admin_api.get("/v1/terminals").json() if t["village"] == village)
    assert (terminal["county"], terminal["town"], terminal["site_name"]) == (
        "法库县",
        "叶茂台镇",
        "村委会便民服务室",
    )

    row.get_by_role("button", name="生成登记码").click()
    code_dialog = page.get_by_role("dialog", name="终端登记码")
    expect(code_dialog).to_contain_text(village)
    expect(code_dialog).to_contain_text("有效期到")
    code_box = code_dialog.locator("#code-value")
    code = code_box.get_attribute("data-code")
    assert code
    # Large enough to read out to a technician.
    font_px = float(code_box.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert font_px >= 40
    expect(code_dialog.get_by_role("button", name="我已记下，关闭")).to_be_in_viewport()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-enrolment-code-1366x768.png")
    code_dialog.get_by_role("button", name="我已记下，关闭").click()
    expect(code_dialog).to_be_hidden()

    # The code works once: the terminal enrols with it, and the page then says so.
    with console.hub.client() as anonymous:
        enrolled = anonymous.post("/v1/terminals/enroll", json={"code": code})
        assert enrolled.status_code == 200, enrolled.text
        assert enrolled.json()["terminal_id"] == terminal["id"]
    page.get_by_role("tab", name="专家").click()
    page.get_by_role("tab", name="终端").click()
    expect(row).to_contain_text("已登记")

    # Edit the site name.
    row.get_by_role("button", name="编辑").click()
    dialog = page.get_by_role("dialog", name=f"编辑终端：{village}")
    dialog.get_by_label("安放地点").fill("村党群服务中心")
    dialog.get_by_role("button", name="保存").click()
    expect(row).to_contain_text("村党群服务中心")

    # A new code for an enrolled terminal asks first.
    row.get_by_role("button", name="生成登记码").click()
    confirm = page.get_by_role("dialog", name="重新生成登记码？")
    expect(confirm).to_contain_text("原来的凭证会失效")
    confirm.get_by_role("button", name="取消").click()
    expect(confirm).to_be_hidden()
    assert console.log.unexpected() == []


def test_admin_tabs_work_from_the_keyboard(console: Console) -> None:
    page = admin_page(console)
    page.get_by_role("tab", name="专家").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="值班")).to_be_focused()
    expect(page.get_by_role("tabpanel", name="值班")).to_be_visible()
    page.keyboard.press("End")
    expect(page.get_by_role("tabpanel", name="补贴报表")).to_be_visible()
    expect(page).to_have_url(console.url("admin.html#report"))
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tabpanel", name="终端")).to_be_visible()
    expect(page).to_have_url(console.url("admin.html#terminals"))
    page.reload()
    page.locator("body[data-ready='true']").wait_for()
    expect(page.get_by_role("tab", name="终端")).to_have_attribute("aria-selected", "true")
    assert console.log.unexpected() == []
