"""Demo data: plausible, complete, seeded once and only into an empty database."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kiosk.domain import ExpertGroup, ServiceCode
from kiosk.hub import demo
from kiosk.hub.app import create_app, prepare_database
from kiosk.hub.state import HubState
from kiosk.hub.tables import AccountRow, DutyShiftRow, ExpertRow, TerminalRow
from tests.api.conftest import Api, settings_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
TABLES = (ExpertRow, DutyShiftRow, TerminalRow, AccountRow)


def _counts(state: HubState) -> dict[str, int]:
    with state.sessions() as db:
        return {
            t.__tablename__: db.scalar(select(func.count()).select_from(t)) or 0 for t in TABLES
        }


def test_seeding_fills_an_empty_database_once(empty_db_url: str) -> None:
    app = create_app(settings_for(empty_db_url, seed_demo=True))
    state: HubState = app.state.hub
    try:
        prepare_database(state)
        first = _counts(state)
        assert first["experts"] == 10 and first["terminals"] == 6 and first["accounts"] == 4
        prepare_database(state)  # a restart with --demo
        with state.sessions() as db:
            assert demo.seed(db, state.hasher, datetime.now(UTC)) is False
        assert _counts(state) == first
    finally:
        state.engine.dispose()


def test_demo_is_not_seeded_into_a_database_in_use(empty_db_url: str) -> None:
    app = create_app(settings_for(empty_db_url))
    state: HubState = app.state.hub
    try:
        prepare_database(state)
        with state.sessions() as db:
            db.add(
                TerminalRow(
                    county="法库县", town="丁家房镇", village="丁家房村", site_name="村委会"
                )
            )
            db.commit()
            assert demo.seed(db, state.hasher, datetime.now(UTC)) is False
        assert _counts(state) == {"experts": 0, "duty_shifts": 0, "terminals": 1, "accounts": 0}
    finally:
        state.engine.dispose()


def test_demo_data_looks_like_shenyang(api: Api) -> None:
    with api.state.sessions() as db:
        experts = db.scalars(select(ExpertRow)).all()
        terminals = db.scalars(select(TerminalRow)).all()
        shifts = db.scalars(select(DutyShiftRow)).all()
    assert {e.expert_group for e in experts} == {g.value for g in ExpertGroup}
    assert Counter(e.availability for e in experts) == {"available": 5, "away": 5}
    offered = {s.service for e in experts for s in e.services}
    assert offered == {s.value for s in ServiceCode}
    assert {t.county for t in terminals} == {"新民市", "辽中区", "康平县", "法库县"}
    assert all(t.town.endswith(("镇", "乡")) and t.village.endswith("村") for t in terminals)
    assert all(e.organisation for e in experts)
    # One duty lawyer's shift covers the moment of seeding; the rest is the rota.
    now = datetime.now(UTC)
    (on_call,) = [
        s for s in shifts if s.starts_at <= now < s.ends_at and s.expert.name == demo.ON_CALL
    ]
    assert ServiceCode.DUTY_LAWYER.value in {x.service for x in on_call.expert.services}
    rota = [s.starts_at.astimezone(SHANGHAI) for s in shifts if s is not on_call]
    starts = Counter(start.time() for start in rota)
    assert set(starts) == {time(8, 30), time(13, 0), time(18, 0)}
    assert starts[time(8, 30)] > 40 and starts[time(13, 0)] > 40 and starts[time(18, 0)] >= 8
    assert all(start.weekday() != 6 for start in rota)  # Sundays off
    assert 25 <= (max(rota) - min(rota)).days <= 27


def test_demo_shifts_never_overlap_for_one_expert(api: Api) -> None:
    with api.state.sessions() as db:
        shifts = db.scalars(
            select(DutyShiftRow).order_by(DutyShiftRow.expert_id, DutyShiftRow.starts_at)
        ).all()
    for before, after in itertools.pairwise(shifts):
        if before.expert_id == after.expert_id:
            assert before.ends_at <= after.starts_at


async def test_demo_logins_work(api: Api) -> None:
    admin = await api.admin()
    assert (await admin.get("/v1/auth/session")).json()["role"] == "admin"
    for index, login in enumerate(demo.DEMO_LAWYERS):
        lawyer = await api.lawyer(index)
        me = (await lawyer.get("/v1/me")).json()
        assert me["name"] == login.display_name and me["username"] == login.username


def test_a_demo_restarted_days_later_has_a_duty_lawyer_on_call_again(empty_db_url: str) -> None:
    app = create_app(settings_for(empty_db_url, seed_demo=True))
    state: HubState = app.state.hub
    try:
        prepare_database(state)
        # Three nights on, 03:00 in Shenyang: no rota shift then, nor the seeding's on-call one
        # (a time of day taken from the clock collided with a morning shift now and then).
        night = (datetime.now(SHANGHAI) + timedelta(days=3)).replace(
            hour=3, minute=0, second=0, microsecond=0
        )
        later = night.astimezone(UTC)
        with state.sessions() as db:
            assert demo.ensure_on_call(db, later) is True
            assert demo.ensure_on_call(db, later) is False  # already covered
            on_call = db.scalar(select(ExpertRow).where(ExpertRow.name == demo.ON_CALL))
            assert on_call is not None
            shifts = sorted(
                (s.starts_at, s.ends_at)
                for s in db.scalars(
                    select(DutyShiftRow).where(DutyShiftRow.expert_id == on_call.id)
                )
            )
        assert any(start <= later < end for start, end in shifts)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(shifts)), "shifts overlap"
    finally:
        state.engine.dispose()
