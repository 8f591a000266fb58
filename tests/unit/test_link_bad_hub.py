"""The kiosk keeps its cached schedule whatever a broken hub or network does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.api import HubClient, HubLink, HubProblem
from kiosk.api.cache import PROFILE_FILE, read_cached_profile
from kiosk.api.link import schedule_window
from kiosk.domain import ExpertGroup, Schedule, ScheduleEntry, ServiceCode, TerminalProfile
from kiosk.domain.models import Availability
from tests.ui.fakes import PROFILE
from tests.unit.badhub import bad_hub, http_reply

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def profile() -> TerminalProfile:
    return PROFILE


def schedule() -> Schedule:
    start, end = schedule_window(NOW)
    return Schedule(
        range_from=start,
        range_to=end,
        entries=[
            ScheduleEntry(
                shift_id=1,
                expert_id=7,
                expert_name="张伟",
                group=ExpertGroup.LAWYER,
                services=[ServiceCode.LEGAL_CONSULTATION],
                organisation="辽宁正阳律师事务所",
                availability=Availability.AVAILABLE,
                starts_at=NOW - timedelta(hours=1),
                ends_at=NOW + timedelta(hours=3),
            )
        ],
    )


async def good_refresh(tmp_path: Path) -> None:
    """Fill the cache from a hub that answers well (a real loopback server)."""
    routes = {
        "/v1/terminal": http_reply("200 OK", profile().model_dump_json().encode()),
        "/v1/schedule": http_reply(
            "200 OK", schedule().model_dump_json().encode(), extra='ETag: "abc"\r\n'
        ),
    }
    async with bad_hub(routes=routes) as hub:
        link = HubLink(HubClient(hub.url, "token"), tmp_path)
        snap = await link.refresh(NOW)
        await link.aclose()
    assert snap.online and snap.problem is None
    assert snap.schedule == schedule()


CASES = [
    (
        {"reply": http_reply("500 Internal Server Error", b"oops", "text/plain")},
        HubProblem.BAD_ANSWER,
    ),
    ({"reply": http_reply("503 Service Unavailable", b"", "text/plain")}, HubProblem.BAD_ANSWER),
    (
        {"reply": http_reply("200 OK", b"<html>captive portal</html>", "text/html")},
        HubProblem.BAD_ANSWER,
    ),
    ({"reply": http_reply("200 OK", b'{"terminal": 42}')}, HubProblem.BAD_ANSWER),
    ({"reply": http_reply("200 OK", b'{"truncated": ')}, HubProblem.BAD_ANSWER),
    (
        {"reply": http_reply("401 Unauthorized", b'{"detail": "unknown token"}')},
        HubProblem.UNAUTHORIZED,
    ),
    ({"mode": "reset"}, HubProblem.OFFLINE),
    ({"mode": "hang"}, HubProblem.TIMEOUT),
]


@pytest.mark.parametrize(("behaviour", "problem"), CASES)
async def test_a_broken_hub_leaves_the_cached_schedule(
    tmp_path: Path, behaviour: dict[str, object], problem: HubProblem
) -> None:
    await good_refresh(tmp_path)
    async with bad_hub(**behaviour) as hub:
        link = HubLink(HubClient(hub.url, "token", timeout=0.5), tmp_path)
        assert link.cached().schedule == schedule()  # straight from disk
        snap = await link.refresh(NOW + timedelta(minutes=5))
        await link.aclose()
    assert snap.online is False
    assert snap.problem == problem
    assert snap.schedule == schedule()
    assert snap.profile == profile()
    assert snap.confirmed_at == NOW


async def test_nobody_listening_is_offline(tmp_path: Path) -> None:
    link = HubLink(HubClient("http://127.0.0.1:9", "token", timeout=1), tmp_path)
    snap = await link.refresh(NOW)
    await link.aclose()
    assert (snap.online, snap.problem, snap.schedule) == (False, HubProblem.OFFLINE, None)


async def test_a_damaged_cache_file_is_ignored_not_fatal(tmp_path: Path) -> None:
    await good_refresh(tmp_path)
    (tmp_path / "schedule.json").write_bytes(b"\x00\x01 not json")
    link = HubLink(HubClient("http://127.0.0.1:9", "token", timeout=1), tmp_path)
    assert link.cached().schedule is None
    assert link.cached().profile == profile()
    await link.aclose()


async def test_without_a_token_the_kiosk_says_it_is_not_enrolled(tmp_path: Path) -> None:
    link = HubLink(HubClient("http://127.0.0.1:9", None), tmp_path)
    snap = await link.refresh(NOW)
    await link.aclose()
    assert snap.problem == HubProblem.NOT_ENROLLED


async def test_not_modified_confirms_the_cached_schedule(tmp_path: Path) -> None:
    await good_refresh(tmp_path)
    routes = {
        "/v1/terminal": http_reply("200 OK", profile().model_dump_json().encode()),
        "/v1/schedule": http_reply("304 Not Modified", b""),
    }
    later = NOW + timedelta(minutes=30)
    async with bad_hub(routes=routes) as hub:
        link = HubLink(HubClient(hub.url, "token"), tmp_path)
        snap = await link.refresh(later)
        await link.aclose()
        sent = hub.requests[-1].decode()
    assert 'if-none-match: "abc"' in sent.lower()
    assert snap.online and snap.schedule == schedule()
    assert snap.confirmed_at == later


async def test_the_first_frame_reads_the_place_hublink_cached(tmp_path: Path) -> None:
    """The start screen's quick read (plain json) sees what HubLink wrote and validated."""
    assert read_cached_profile(tmp_path) is None  # never met the hub
    await good_refresh(tmp_path)
    quick = read_cached_profile(tmp_path)
    full = profile()
    assert quick is not None
    assert (quick.bureau_name, quick.hotline) == (full.bureau_name, full.hotline)
    place = (full.terminal.county, full.terminal.town, full.terminal.village)
    assert (quick.terminal.county, quick.terminal.town, quick.terminal.village) == place
    assert quick.terminal.site_name == full.terminal.site_name


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01 not json",
        b"[]",
        b'{"profile": null}',
        b'{"profile": {"bureau_name": "x", "hotline": "12348"}}',
        b'{"profile": {"terminal": {"county": "a", "town": "b", "village": "c", "site_name": 7},'
        b' "bureau_name": "x", "hotline": "12348"}}',
    ],
)
def test_a_damaged_profile_cache_shows_no_place(tmp_path: Path, content: bytes) -> None:
    (tmp_path / PROFILE_FILE).write_bytes(content)
    assert read_cached_profile(tmp_path) is None
