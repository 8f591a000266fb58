"""GET /v1/schedule: windows, filters, order, ETag and 304."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.domain import Availability, Schedule, ServiceCode
from kiosk.domain.schedule import callable_now, on_duty_now
from tests.api.conftest import Api

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _window(start: datetime, days: float) -> dict[str, str]:
    return {"from": start.isoformat(), "to": (start + timedelta(days=days)).isoformat()}


async def test_the_demo_always_has_a_duty_lawyer_on_call_now(api: Api) -> None:
    terminal = await api.terminal()
    now = datetime.now(UTC)
    response = await terminal.get("/v1/schedule", params={"service": "duty_lawyer"})
    assert response.status_code == 200
    schedule = Schedule.model_validate(response.json())
    on_call = [
        e.expert_name
        for e in on_duty_now(schedule.entries, ServiceCode.DUTY_LAWYER, now)
        if e.availability == Availability.AVAILABLE
    ]
    assert on_call == ["张伟"]
    # Callable only while a console of theirs is open (test_signaling_presence.py): none is.
    assert callable_now(schedule.entries, ServiceCode.DUTY_LAWYER, now) == []


async def test_entries_overlap_the_window_and_are_sorted_by_start_then_expert(api: Api) -> None:
    lawyer = await api.lawyer()
    start = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    response = await lawyer.get("/v1/schedule", params=_window(start, 14))
    schedule = Schedule.model_validate(response.json())
    assert schedule.range_from == start
    entries = schedule.entries
    assert len(entries) > 50
    keys = [(e.starts_at, e.expert_id) for e in entries]
    assert keys == sorted(keys)
    assert all(e.starts_at < schedule.range_to and e.ends_at > schedule.range_from for e in entries)
    assert {e.group for e in entries} == {"lawyer", "judicial_appraisal", "notary", "arbitration"}


async def test_a_shift_ending_at_the_window_start_is_not_in_it(api: Api) -> None:
    admin = await api.admin()
    expert_id = await api.expert_id("郑强")
    start = datetime(2031, 3, 4, 9, 0, tzinfo=SHANGHAI)
    body = {
        "expert_id": expert_id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }
    assert (await admin.post("/v1/shifts", json=body)).status_code == 201
    after = await admin.get("/v1/schedule", params=_window(start + timedelta(hours=2), 1))
    assert after.json()["entries"] == []
    during = await admin.get("/v1/schedule", params=_window(start + timedelta(hours=1), 1))
    assert [e["expert_id"] for e in during.json()["entries"]] == [expert_id]


async def test_filters_by_service_and_group(api: Api) -> None:
    admin = await api.admin()
    start = datetime.now(UTC)
    every = (await admin.get("/v1/schedule", params=_window(start, 7))).json()["entries"]
    mediation = (
        await admin.get("/v1/schedule", params={**_window(start, 7), "service": "mediation"})
    ).json()["entries"]
    notaries = (
        await admin.get("/v1/schedule", params={**_window(start, 7), "group": "notary"})
    ).json()["entries"]
    assert mediation and all("mediation" in e["services"] for e in mediation)
    assert len(mediation) < len(every)
    assert notaries and all(e["group"] == "notary" for e in notaries)
    both = await admin.get(
        "/v1/schedule", params={**_window(start, 7), "group": "notary", "service": "legal_aid"}
    )
    assert both.json()["entries"] == []


async def test_etag_and_304(api: Api) -> None:
    terminal = await api.terminal()
    params = _window(datetime(2030, 1, 1, tzinfo=UTC), 7)
    first = await terminal.get("/v1/schedule", params=params)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "no-cache" in first.headers["Cache-Control"]
    again = await terminal.get("/v1/schedule", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    listed = await terminal.get(
        "/v1/schedule", params=params, headers={"If-None-Match": f'"other", {etag}'}
    )
    assert listed.status_code == 304
    stale = await terminal.get("/v1/schedule", params=params, headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == etag


async def test_the_etag_changes_when_the_schedule_does(api: Api) -> None:
    terminal = await api.terminal()
    now = datetime.now(UTC)
    params = _window(now, 7)
    before = await terminal.get("/v1/schedule", params=params)
    lawyer = await api.lawyer()
    mine = (await lawyer.get("/v1/me")).json()
    flipped = "away" if mine["availability"] == "available" else "available"
    await lawyer.put("/v1/me/availability", json={"availability": flipped})
    after = await terminal.get(
        "/v1/schedule", params=params, headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


async def test_windows_are_bounded_and_ordered(api: Api) -> None:
    terminal = await api.terminal()
    start = datetime(2030, 1, 1, tzinfo=UTC)
    too_long = await terminal.get("/v1/schedule", params=_window(start, 31.5))
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "to"
    assert (await terminal.get("/v1/schedule", params=_window(start, 31))).status_code == 200
    backwards = await terminal.get("/v1/schedule", params=_window(start, -1))
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"


async def test_bad_query_values_name_their_parameter(api: Api) -> None:
    terminal = await api.terminal()
    cases = {
        "from": {"from": "2030-01-01T00:00:00"},  # no offset
        "to": {"to": "tomorrow"},
        "service": {"service": "divorce"},
        "group": {"group": "judges"},
    }
    for field, params in cases.items():
        response = await terminal.get("/v1/schedule", params=params)
        assert response.status_code == 422, params
        body = response.json()
        assert [e["field"] for e in body["errors"]] == [field]
        assert body["detail"].startswith(f"{field}: ")


async def test_retired_experts_leave_the_schedule(api: Api) -> None:
    admin = await api.admin()
    expert_id = await api.expert_id("吴敏")
    params = _window(datetime.now(UTC), 28)
    before = (await admin.get("/v1/schedule", params=params)).json()["entries"]
    assert any(e["expert_id"] == expert_id for e in before)
    assert (await admin.delete(f"/v1/experts/{expert_id}")).status_code == 204
    after = (await admin.get("/v1/schedule", params=params)).json()["entries"]
    assert not any(e["expert_id"] == expert_id for e in after)
