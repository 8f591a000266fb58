"""Every change of an expert's availability is logged: the subsidy report's hours available."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kiosk.hub.demo import DEMO_LAWYERS
from kiosk.hub.tables import AvailabilityChangeRow
from tests.api.conftest import Api


def _log(api: Api, expert_id: int) -> list[tuple[str, float]]:
    """(availability, seconds after the clock's start) of each line, oldest first."""
    with api.state.sessions() as db:
        rows = db.scalars(
            select(AvailabilityChangeRow)
            .where(AvailabilityChangeRow.expert_id == expert_id)
            .order_by(AvailabilityChangeRow.id)
        ).all()
    return [(r.availability, r.at.timestamp()) for r in rows]


async def test_the_demo_starts_the_log_with_each_experts_state(api: Api) -> None:
    admin = await api.admin()
    for expert in (await admin.get("/v1/experts")).json():
        (line,) = _log(api, expert["id"])
        assert line[0] == expert["availability"]


async def test_a_lawyers_switch_is_logged_only_when_it_changes(api: Api) -> None:
    zhang = await api.expert_id(DEMO_LAWYERS[0].display_name)
    lawyer = await api.lawyer(0)
    seeded = _log(api, zhang)
    assert seeded[-1][0] == "available"

    async def switch(value: str) -> None:
        response = await lawyer.put("/v1/me/availability", json={"availability": value})
        assert response.status_code == 200, response.text

    await switch("available")  # no change
    api.clock.advance(timedelta(minutes=30))
    away_at = api.clock().timestamp()
    await switch("away")
    api.clock.advance(timedelta(minutes=5))
    await switch("away")
    api.clock.advance(timedelta(minutes=10))
    back_at = api.clock().timestamp()
    await switch("available")
    log = _log(api, zhang)[len(seeded) :]
    assert [state for state, _ in log] == ["away", "available"]
    assert abs(log[0][1] - away_at) < 5 and abs(log[1][1] - back_at) < 5


async def test_new_experts_start_away_and_removed_ones_end_away(api: Api) -> None:
    admin = await api.admin()
    body = {"name": "李娜", "group": "notary", "services": ["legal_consultation"]}
    created = (await admin.post("/v1/experts", json=body)).json()
    assert [state for state, _ in _log(api, created["id"])] == ["away"]
    assert (await admin.delete(f"/v1/experts/{created['id']}")).status_code == 204
    assert [state for state, _ in _log(api, created["id"])] == ["away"]  # no change, no line

    wang = await api.expert_id(DEMO_LAWYERS[1].display_name)
    assert _log(api, wang)[-1][0] == "available"
    assert (await admin.delete(f"/v1/experts/{wang}")).status_code == 204
    assert [state for state, _ in _log(api, wang)] == ["available", "away"]
