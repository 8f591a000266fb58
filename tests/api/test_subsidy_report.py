"""The subsidy report of a hand-built month (March 2025 in Shanghai), against figures worked
out by hand below; the lawyer's own line; the CSV the bureau opens in Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from kiosk.domain.reports import SubsidyReport
from kiosk.hub.tables import CallbackRequestRow, DutyShiftRow
from tests.api.conftest import Api
from tests.api.kiosk_records import KioskRecord, answered_call, fallback_call, hub_consultation

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = "2025-03"


def sh(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2025 on Shanghai's clock."""
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Experts:
    zhang: int
    wang: int
    li: int


async def _at(api: Api, moment: datetime, action: Awaitable[httpx.Response]) -> None:
    """Run `action` with the hub's clock at `moment` (the log takes the hub's time)."""
    api.clock.offset = moment - datetime.now(UTC)
    try:
        response = await action
    finally:
        api.clock.offset = timedelta()
    assert response.status_code == 200, response.text


def _shifts(api: Api, spans: list[tuple[int, datetime, datetime]]) -> None:
    with api.state.sessions() as db:
        db.add_all(DutyShiftRow(expert_id=e, starts_at=s, ends_at=t) for e, s, t in spans)
        db.commit()


async def _march(api: Api) -> Experts:
    """The month, as a bureau might have lived it. The expected figures are in the tests."""
    experts = Experts(
        zhang=await api.expert_id("张伟"),
        wang=await api.expert_id("王丽"),
        li=await api.expert_id("李明"),
    )
    zhang, wang = await api.lawyer(0), await api.lawyer(1)

    def switch(client: httpx.AsyncClient, value: str) -> Awaitable[httpx.Response]:
        return client.put("/v1/me/availability", json={"availability": value})

    # 张伟 marks himself available and away, now and then, with the console's switch.
    for moment, value in (
        (sh(2, 20, 9), "away"),
        (sh(3, 3, 8), "available"),
        (sh(3, 3, 11), "away"),  # half an hour away in the morning shift
        (sh(3, 3, 11, 30), "available"),
        (sh(3, 4, 12, 30), "away"),
        (sh(3, 4, 14), "available"),  # came an hour late to the afternoon shift
        (sh(3, 4, 20), "away"),
        (sh(3, 31, 17, 50), "available"),
        (sh(4, 1, 6), "away"),  # two hours early off the night shift
    ):
        await _at(api, moment, switch(zhang, value))
    # 王丽 is available from 1 March on.
    await _at(api, sh(2, 27, 9), switch(wang, "away"))
    await _at(api, sh(3, 1, 7), switch(wang, "available"))
    _shifts(
        api,
        [
            (experts.zhang, sh(2, 28, 20), sh(3, 1, 4)),  # starts in February: not March's
            (experts.zhang, sh(3, 3, 8, 30), sh(3, 3, 12)),  # 3.5 h, 3.0 available: held
            (experts.zhang, sh(3, 4, 13), sh(3, 4, 17)),  # 4 h, 3 available (75 %): not held
            (experts.zhang, sh(3, 31, 18), sh(4, 1, 8)),  # 14 h, 12 available: held
            (experts.wang, sh(2, 28, 18), sh(3, 1, 8)),  # February's
            (experts.wang, sh(3, 5, 8, 30), sh(3, 5, 12)),  # 3.5 h, all available: held
        ],
    )

    sessions = api.state.sessions
    one, two, three = await api.terminal(1), await api.terminal(2), await api.terminal(3)

    async def upload(client: httpx.AsyncClient, record: KioskRecord) -> None:
        response = await client.put(record.path, json=record.body())
        assert response.status_code == 200, response.text

    def signaled(record: KioskRecord, terminal_id: int = 1, **hub: Any) -> None:
        hub_consultation(
            sessions,
            record.consultation_id,
            requested_at=record.start,
            terminal_id=terminal_id,
            **hub,
        )

    z = experts.zhang
    c1 = answered_call(z, start=sh(3, 3, 9, 10), talk_s=600, media_s=600, score=5)
    c2 = answered_call(z, start=sh(3, 3, 10), talk_s=340, media_s=330, score=4)
    c2.events[2]["clock_jump_s"] = 30.0  # flagged, and counted all the same
    c3 = answered_call(z, start=sh(3, 4, 15), talk_s=100, media_s=90, score=0)
    for record, talk in ((c1, 600), (c2, 340), (c3, 100)):
        signaled(record, accepted_by=z, talk_s=talk)
        await upload(one, record)
    # Answered as the hub saw it; the kiosk has not uploaded its record yet.
    hub_consultation(sessions, uuid4(), requested_at=sh(3, 4, 16), accepted_by=z, talk_s=200)
    c5 = answered_call(experts.wang, name="王丽", start=sh(3, 5, 9), media_s=120.5, score=3)
    signaled(c5, accepted_by=experts.wang)
    await upload(one, c5)
    # 1 March 01:00 in Shanghai, still 28 February in UTC: March's. Cancelled: no fallback.
    hub_consultation(
        sessions,
        uuid4(),
        requested_at=datetime(2025, 2, 28, 17, tzinfo=UTC),
        talk_s=None,
        ended_by="terminal",
        end_reason="cancelled",
    )
    # 28 February 23:00 in Shanghai: February's.
    hub_consultation(
        sessions, uuid4(), requested_at=datetime(2025, 2, 28, 15, tzinfo=UTC), accepted_by=z
    )

    # Terminal 2: a call the hub never saw (the kiosk's word for 王丽), a no-answer the
    # kiosk has not reported, nobody on duty with a number left.
    c6 = answered_call(experts.wang, name="王丽", start=sh(3, 5, 10), media_s=60, score=None)
    await upload(two, c6)
    hub_consultation(
        sessions,
        uuid4(),
        requested_at=sh(3, 6, 10),
        terminal_id=2,
        ended_by="hub",
        end_reason="no_answer",
    )
    c8 = fallback_call("nobody_on_duty", phone="13812345678", start=sh(3, 6, 11))
    signaled(c8, terminal_id=2, ended_by="hub", end_reason="nobody_on_duty")
    await upload(two, c8)

    # Terminal 3: offline, unreachable, a number left; then the terminal moves village.
    c9 = fallback_call("unreachable", phone="13900000000", start=sh(3, 7, 10))
    await upload(three, c9)
    # April's on the kiosk's clock.
    await upload(three, fallback_call("unreachable", start=sh(4, 1, 0, 30)))
    admin = await api.admin()
    moved = {"county": "辽中区", "town": "冷子堡镇", "village": "西冷子堡村", "site_name": "村委会"}
    assert (await admin.put("/v1/terminals/3", json=moved)).status_code == 200
    # A callback of which the hub has nothing else (e.g. its record is still on the kiosk).
    with sessions() as db:
        db.add(
            CallbackRequestRow(
                consultation_id=uuid4(),
                terminal_id=3,
                phone="02412345678",
                created_at=sh(3, 8, 10),
            )
        )
        db.commit()
    return experts


async def _report(client: httpx.AsyncClient, month: str = MONTH) -> SubsidyReport:
    response = await client.get("/v1/reports/subsidy", params={"month": month})
    assert response.status_code == 200, response.text
    return SubsidyReport.model_validate(response.json())


ZHANG = {
    "consultations_answered": 4,
    "minutes_with_media": 17.0,  # (600 + 330 + 90) s; the unreported call adds nothing
    "shifts_scheduled": 3,
    "hours_scheduled": 21.5,  # 3.5 + 4 + 14
    "shifts_held": 2,
    "hours_available": 18.0,  # 3 + 3 + 12
    "ratings": 2,
    "rating_mean": 4.5,
    "ratings_skipped": 1,
}
WANG = {
    "consultations_answered": 2,
    "minutes_with_media": 3.0,  # (120.5 + 60) s = 3.008 min
    "shifts_scheduled": 1,
    "hours_scheduled": 3.5,
    "shifts_held": 1,
    "hours_available": 3.5,
    "ratings": 1,
    "rating_mean": 3.0,
    "ratings_skipped": 0,
}
NOTHING = {
    "consultations_answered": 0,
    "minutes_with_media": 0.0,
    "shifts_scheduled": 0,
    "hours_scheduled": 0.0,
    "shifts_held": 0,
    "hours_available": 0.0,
    "ratings": 0,
    "rating_mean": None,
    "ratings_skipped": 0,
}
NO_FALLBACKS = {
    "no_answer": 0,
    "all_busy": 0,
    "nobody_on_duty": 0,
    "media_lost": 0,
    "unreachable": 0,
    "failed": 0,
}


def _figures(line: Any, model_fields: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(line, name) for name in model_fields}


async def test_the_months_figures_are_the_hand_computed_ones(api: Api) -> None:
    experts = await _march(api)
    report = await _report(await api.admin())
    assert report.month == MONTH and report.time_zone == "Asia/Shanghai"
    assert report.starts_at == sh(3, 1, 0) and report.ends_at == sh(4, 1, 0)
    assert report.held_share == 0.8

    lines = {line.expert_id: line for line in report.experts}
    assert _figures(lines[experts.zhang], ZHANG) == ZHANG
    assert _figures(lines[experts.wang], WANG) == WANG
    assert _figures(lines[experts.li], NOTHING) == NOTHING
    assert lines[experts.zhang].name == "张伟" and lines[experts.zhang].group == "lawyer"
    # Every expert on the roster has a line; groups in the catalogue's order.
    order = ["lawyer", "judicial_appraisal", "notary", "arbitration"]
    groups = [line.group.value for line in report.experts]
    assert groups == sorted(groups, key=order.index)
    assert len(report.experts) == 10
    assert report.expert_totals.model_dump() == {
        "consultations_answered": 6,
        "minutes_with_media": 20.0,
        "shifts_scheduled": 4,
        "hours_scheduled": 25.0,
        "shifts_held": 3,
        "hours_available": 21.5,
        "ratings": 3,
        "rating_mean": 4.0,  # (5 + 4 + 3) / 3; the skip is not a zero
        "ratings_skipped": 1,
    }

    places = {(t.terminal_id, t.village): t for t in report.terminals}
    assert sorted(places) == [
        (1, "大民屯村"),
        (2, "兴隆堡村"),
        (3, "冷子堡村"),
        (3, "西冷子堡村"),
        (4, "老大房村"),
        (5, "郝官屯村"),
        (6, "秀水河子村"),
    ]
    first = places[(1, "大民屯村")]
    assert (first.calls, first.answered, first.answered_ratio, first.callbacks) == (6, 5, 0.833, 0)
    assert first.fallbacks.model_dump() == NO_FALLBACKS
    second = places[(2, "兴隆堡村")]
    assert (second.calls, second.answered, second.answered_ratio, second.callbacks) == (
        3,
        1,
        0.333,
        1,
    )
    assert second.fallbacks.model_dump() == {**NO_FALLBACKS, "no_answer": 1, "nobody_on_duty": 1}
    before_move = places[(3, "冷子堡村")]
    assert before_move.site_name == "村综合服务中心"
    assert (before_move.calls, before_move.answered, before_move.answered_ratio) == (1, 0, 0.0)
    assert before_move.fallbacks.unreachable == 1 and before_move.callbacks == 1
    after_move = places[(3, "西冷子堡村")]
    assert (after_move.calls, after_move.callbacks, after_move.fallbacks.unreachable) == (1, 1, 0)
    quiet = places[(4, "老大房村")]
    assert (quiet.calls, quiet.answered_ratio) == (0, None)
    assert report.terminal_totals is not None
    assert report.terminal_totals.model_dump() == {
        "calls": 11,
        "answered": 6,
        "answered_ratio": 0.545,
        "fallbacks": {**NO_FALLBACKS, "no_answer": 1, "nobody_on_duty": 1, "unreachable": 1},
        "callbacks": 3,
    }
    # The clock jump and the two calls the hub never signaled; the same list the console links.
    assert report.flagged_records == 3
    flagged = await (await api.admin()).get(
        "/v1/records", params={"month": MONTH, "flagged": "true"}
    )
    assert flagged.headers["X-Total-Count"] == "3"


async def test_a_lawyer_gets_exactly_their_own_line(api: Api) -> None:
    experts = await _march(api)
    own = await _report(await api.lawyer(0))
    assert [line.expert_id for line in own.experts] == [experts.zhang]
    assert _figures(own.experts[0], ZHANG) == ZHANG
    assert own.expert_totals.model_dump() == ZHANG
    assert own.terminals == [] and own.terminal_totals is None and own.flagged_records is None
    theirs = await _report(await api.lawyer(1))
    assert [line.expert_id for line in theirs.experts] == [experts.wang]

    csv_answer = await (await api.lawyer(0)).get("/v1/reports/subsidy.csv", params={"month": MONTH})
    rows = _rows(csv_answer)
    data = [row for row in rows if row and row[0].isdigit()]
    assert [row[1] for row in data] == ["张伟"]
    assert not any(row and row[0] in ("合计", "终端服务统计") for row in rows)

    terminal = await api.terminal(1)
    for path in ("/v1/reports/subsidy", "/v1/reports/subsidy.csv"):
        refused = await terminal.get(path, params={"month": MONTH})
        assert refused.status_code == 403 and set(refused.json()) == {"detail", "errors"}


def _section(rows: list[list[str]], title: str) -> list[dict[str, str]]:
    """The lines under a section's title and header row, up to the blank row that ends it."""
    start = rows.index([title])
    header = rows[start + 1]
    lines = []
    for row in rows[start + 2 :]:
        if not row:
            break
        lines.append(dict(zip(header, row, strict=True)))
    return lines


def _rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_the_csv_holds_the_same_figures_under_chinese_headers(api: Api) -> None:
    experts = await _march(api)
    response = await (await api.admin()).get("/v1/reports/subsidy.csv", params={"month": MONTH})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="subsidy-2025-03.csv"')
    assert f"filename*=UTF-8''{quote('补贴报表-2025-03.csv')}" in disposition
    rows = _rows(response)
    assert rows[0] == ["补贴报表 2025年3月", "时区：Asia/Shanghai"]
    header = rows[rows.index(["专家服务统计"]) + 1]
    assert header[:5] == ["专家编号", "姓名", "类别", "单位", "接听咨询（次）"]
    by_id = {line["专家编号"]: line for line in _section(rows, "专家服务统计")}
    zhang = by_id[str(experts.zhang)]
    assert zhang["姓名"] == "张伟" and zhang["类别"] == "律师"
    assert zhang["接听咨询（次）"] == "4" and zhang["有画面时长（分钟）"] == "17"
    assert (zhang["排班（次）"], zhang["履职（次）"], zhang["值班内在线时长（小时）"]) == (
        "3",
        "2",
        "18",
    )
    assert (zhang["评价（次）"], zhang["平均评分"], zhang["跳过评价（次）"]) == ("2", "4.5", "1")
    assert by_id[str(experts.li)]["平均评分"] == ""
    totals = by_id["合计"]
    assert (totals["接听咨询（次）"], totals["排班时长（小时）"], totals["平均评分"]) == (
        "6",
        "25",
        "4",
    )

    header = rows[rows.index(["终端服务统计"]) + 1]
    assert header[5:8] == ["呼叫（次）", "接通（次）", "接通率"]
    assert "未接通：无人接听（次）" in header and header[-1] == "回电请求（次）"
    lines = _section(rows, "终端服务统计")
    assert len(lines) == 8  # seven terminal lines and the total
    first = next(line for line in lines if line["村"] == "大民屯村")
    assert (first["呼叫（次）"], first["接通（次）"], first["接通率"]) == ("6", "5", "83.3%")
    total = next(line for line in lines if line["终端编号"] == "合计")
    assert (total["呼叫（次）"], total["接通率"], total["回电请求（次）"]) == ("11", "54.5%", "3")
    assert total["未接通：连不上服务器（次）"] == "1"
    assert any("履职" in row[0] and "80%" in row[0] for row in rows if row)
    assert ["与服务器记录不一致、待核对的记录：3 条"] in rows


async def test_a_name_that_looks_like_a_formula_stays_a_name(api: Api) -> None:
    admin = await api.admin()
    body = {"name": "=HYPERLINK(1)", "group": "notary", "services": ["legal_consultation"]}
    assert (await admin.post("/v1/experts", json=body)).status_code == 201
    rows = _rows(await admin.get("/v1/reports/subsidy.csv", params={"month": MONTH}))
    assert any(row[1:2] == ["'=HYPERLINK(1)"] for row in rows)


async def test_the_month_defaults_to_this_one_and_must_be_a_month(api: Api) -> None:
    admin = await api.admin()
    response = await admin.get("/v1/reports/subsidy")
    assert response.status_code == 200
    assert response.json()["month"] == f"{api.clock().astimezone(SHANGHAI):%Y-%m}"
    for bad in ("2025-13", "2025-3", "March", "2025-03-01"):
        refused = await admin.get("/v1/reports/subsidy", params={"month": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "month"


@pytest.mark.parametrize("month", ["2025-12", "2024-02"])
async def test_months_at_the_turn_of_the_year_and_leap_days(api: Api, month: str) -> None:
    report = await _report(await api.admin(), month)
    year, number = (int(p) for p in month.split("-"))
    assert report.starts_at == datetime(year, number, 1, tzinfo=SHANGHAI)
    following = datetime(year + 1, 1, 1) if number == 12 else datetime(year, number + 1, 1)
    assert report.ends_at == following.replace(tzinfo=SHANGHAI)
