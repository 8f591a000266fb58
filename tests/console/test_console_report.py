"""The subsidy report in the console: the admin's tab (month, tables, totals, the records to
check, the CSV) and the lawyer's own month. The figures are the hub's; the API tests check
them against hand-computed ones, these check that the page shows exactly them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.console.conftest import Console
from tests.console.report_data import ReportData, this_month
from tests.support.hub import RunningHub

pytestmark = pytest.mark.browser


def number(value: float | None) -> str:
    """As the page writes it: 17, 3.5, — for none."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else str(value)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@pytest.fixture
def admin_api(demo_hub: RunningHub) -> Iterator[httpx.Client]:
    with demo_hub.admin_client() as client:
        yield client


def report_of(client: httpx.Client, month: str | None = None) -> dict[str, Any]:
    response = client.get("/v1/reports/subsidy", params={"month": month or this_month()})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def report_tab(console: Console) -> Page:
    page = console.login(console.hub.admin, expect="admin.html")
    page.get_by_role("tab", name="补贴报表").click()
    expect(page.get_by_role("tab", name="补贴报表")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#report-experts tbody tr").first).to_be_visible()
    return page


def cells(row: Locator) -> list[str]:
    texts: list[str] = row.locator("th, td").evaluate_all(
        "els => els.map(e => e.textContent.trim())"
    )
    return texts


EXPERT_FIGURES = (
    "consultations_answered",
    "minutes_with_media",
    "shifts_scheduled",
    "shifts_held",
    "hours_scheduled",
    "hours_available",
    "ratings",
    "rating_mean",
    "ratings_skipped",
)


def test_admin_reads_the_months_report_checks_records_and_exports_csv(
    console: Console, report_data: ReportData, admin_api: httpx.Client
) -> None:
    page = report_tab(console)
    month = this_month()
    expect(page.get_by_label("月份")).to_have_value(month)
    expect(page).to_have_url(console.url("admin.html#report"))
    report = report_of(admin_api)

    zhang = next(e for e in report["experts"] if e["name"] == "张伟")
    row = page.locator(f"#report-experts tbody tr[data-expert-id='{zhang['expert_id']}']")
    assert cells(row) == ["张伟", "律师", *(number(zhang[f]) for f in EXPERT_FIGURES)]
    assert zhang["consultations_answered"] >= 2 and zhang["ratings"] >= 2
    totals = report["expert_totals"]
    footer = page.locator("#report-experts tfoot tr")
    assert cells(footer) == ["合计", *(number(totals[f]) for f in EXPERT_FIGURES)]

    village = next(t for t in report["terminals"] if t["terminal_id"] == report_data.terminal_id)
    row = page.locator(f"#report-terminals tbody tr[data-terminal-id='{village['terminal_id']}']")
    assert cells(row) == [
        "康平县",
        "两家子乡",
        "两家子村",
        "村委会便民服务室",
        "3",
        "2",
        "66.7%",
        "连不上服务器 1",
        "0",
    ]
    whole = report["terminal_totals"]
    assert cells(page.locator("#report-terminals tfoot tr"))[:4] == [
        "合计",
        number(whole["calls"]),
        number(whole["answered"]),
        percent(whole["answered_ratio"]),
    ]
    calls = page.locator("#report-totals [data-stat='村民呼叫']")
    expect(calls.locator(".value")).to_have_text(number(whole["calls"]))

    # The records to check: the count, then the list it opens.
    flagged = report["flagged_records"]
    assert flagged >= 2
    note = page.locator("#report-flagged")
    expect(note).to_contain_text(f"有 {flagged} 条通话记录和服务器的记录不一致")
    note.get_by_role("button", name="查看待核对的记录").click()
    listing = page.get_by_role("region", name="待核对的记录")
    expect(listing).to_be_visible()
    expect(listing.get_by_role("heading")).to_have_text(f"待核对的记录（{flagged} 条）")
    pages = flagged // 20 + 2  # the shared demo hub holds the crash test's hundreds too
    offline = flagged_row(listing, report_data.unsignaled, pages)
    expect(offline).to_contain_text("服务器没有这次呼叫")
    expect(offline).to_contain_text("未接通：连不上服务器")
    expect(offline).to_contain_text("两家子村")
    jumped = flagged_row(listing, report_data.clock_jumped, pages)
    expect(jumped).to_contain_text("终端时钟跳变")
    expect(jumped).to_contain_text("张伟")
    expect(jumped).to_contain_text("接通 · 评 4 分")
    clean = listing.locator(f"tr[data-consultation='{report_data.signaled[0]}']")
    expect(clean).to_have_count(0)
    if flagged <= 20:
        expect(listing.locator("#flagged-pager")).to_be_hidden()  # all on one page
    else:
        expect(listing.locator("#flagged-page")).to_contain_text(f"共 {flagged} 条")

    # The CSV: the same month, named for the bureau's folder, opening in Excel.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"补贴报表-{month}.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "专家服务统计" in text and "终端服务统计" in text and "两家子村" in text

    # Last month: another report, and the list of records to check is closed.
    page.get_by_role("button", name="上个月").click()
    expect(page.get_by_label("月份")).not_to_have_value(month)
    expect(listing).to_be_hidden()
    expect(page.locator("#report-range")).not_to_contain_text("正在读取")
    page.get_by_role("button", name="本月").click()
    expect(page.get_by_label("月份")).to_have_value(month)
    expect(page.locator("#report-flagged")).to_contain_text(f"有 {flagged} 条")
    assert console.log.unexpected() == []


def test_the_month_picker_reads_an_earlier_month(console: Console, report_data: ReportData) -> None:
    page = report_tab(console)
    year, month = (int(part) for part in this_month().split("-"))
    earlier = f"{year - 1}-{month:02d}"  # a year back: before the demo hub existed
    picker = page.get_by_label("月份")
    assert picker.locator(f"option[value='{earlier}']").text_content() == f"{year - 1}年{month}月"
    picker.select_option(earlier)
    expect(page.locator("#report-range")).to_contain_text(f"{year - 1}年{month}月")
    expect(page.locator("#report-flagged")).to_contain_text("都和服务器的记录一致")
    expect(page.locator("#report-totals [data-stat='村民呼叫'] .value")).to_have_text("0")
    expect(page.get_by_role("link", name="导出 CSV")).to_have_attribute(
        "href", f"/v1/reports/subsidy.csv?month={earlier}"
    )
    assert console.log.unexpected() == []


def test_lawyer_sees_their_own_month(console: Console, report_data: ReportData) -> None:
    # Hours online grow while the lawyer is on duty: the page's figure is read between two
    # of the hub's.
    with console.hub.lawyer_client() as client:
        (before,) = report_of(client)["experts"]
    page = console.login(console.hub.lawyer, expect="lawyer.html")
    with console.hub.lawyer_client() as client:
        own = report_of(client)
    (mine,) = own["experts"]
    assert own["terminals"] == [] and own["flagged_records"] is None
    panel = page.get_by_role("region", name="本月服务统计")
    expect(panel).to_be_visible()
    month = this_month()
    expect(panel.locator("#month-stats-month")).to_have_text(
        f"{int(month[:4])}年{int(month[5:])}月"
    )

    def value(label: str) -> Locator:
        return panel.locator(f"[data-stat='{label}'] .value")

    expect(value("接听咨询")).to_have_text(number(mine["consultations_answered"]))
    expect(value("有画面时长")).to_have_text(number(mine["minutes_with_media"]))
    expect(value("值班")).to_have_text(number(mine["shifts_scheduled"]))
    expect(panel.locator("[data-stat='值班']")).to_contain_text(f"已履职 {mine['shifts_held']} 次")
    expect(value("值班内在线")).not_to_have_text("")
    online = float(value("值班内在线").inner_text())
    assert before["hours_available"] <= online <= mine["hours_available"], (before, online, mine)
    expect(value("村民评价")).to_have_text(number(mine["rating_mean"]))
    expect(panel).to_contain_text(f"{mine['ratings']} 人评价")
    expect(panel).to_contain_text("80%")
    assert console.log.unexpected() == []


def flagged_row(listing: Locator, consultation_id: str, pages: int) -> Locator:
    """The row of one record, paging from the first page when the suite's other tests
    flagged more than a page."""
    for _ in range(pages):
        before = listing.get_by_role("button", name="← 上一页")
        if not before.is_visible() or before.is_disabled():
            break
        shown = listing.locator("#flagged-page").inner_text()
        before.click()
        expect(listing.locator("#flagged-page")).not_to_have_text(shown)
    for _ in range(pages):
        row = listing.locator(f"tr[data-consultation='{consultation_id}']")
        if row.count():
            return row
        after = listing.get_by_role("button", name="下一页 →")
        if not after.is_visible() or after.is_disabled():
            break
        shown = listing.locator("#flagged-page").inner_text()
        after.click()
        expect(listing.locator("#flagged-page")).not_to_have_text(shown)
    raise AssertionError(f"record {consultation_id} is not in the list of records to check")
