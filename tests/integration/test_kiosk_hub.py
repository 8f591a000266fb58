"""The kiosk's client against the real hub: the contract holds from both ends."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.api import HubClient, HubLink, HubProblem
from kiosk.device.credentials import CredentialStore
from kiosk.domain import ServiceCode
from kiosk.domain.schedule import callable_now
from tests.support.presence import console_open


@pytest.fixture(autouse=True)
def file_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_CREDENTIALS", "file")


async def test_enrolled_terminal_gets_its_profile_and_the_schedule(
    demo_hub: Any, tmp_path: Path
) -> None:
    _, token = demo_hub.enrol_terminal()
    link = HubLink(HubClient(demo_hub.base_url, token), tmp_path)
    now = datetime.now(UTC)
    snap = await link.refresh(now)
    again = await link.refresh(now)  # answered 304 from the ETag, same content
    assert snap.online and snap.problem is None
    assert snap.profile is not None and snap.profile.hotline == "12348"
    assert snap.profile.terminal.county in {"新民市", "辽中区", "康平县", "法库县"}
    assert snap.schedule is not None and snap.schedule.entries
    assert again.schedule == snap.schedule and again.online
    # The demo always has a duty lawyer on call, whatever the hour: callable while their
    # console is open.
    demo_hub.set_on_duty_now(demo_hub.lawyer)
    with console_open(demo_hub, demo_hub.lawyer):
        snap = await link.refresh(now)
    await link.aclose()
    assert snap.schedule is not None
    assert callable_now(snap.schedule.entries, ServiceCode.DUTY_LAWYER, now)


async def test_a_wrong_token_is_reported_and_the_cache_kept(demo_hub: Any, tmp_path: Path) -> None:
    _, token = demo_hub.enrol_terminal()
    link = HubLink(HubClient(demo_hub.base_url, token), tmp_path)
    good = await link.refresh()
    await link.aclose()
    link = HubLink(HubClient(demo_hub.base_url, "not-a-token"), tmp_path)
    bad = await link.refresh()
    await link.aclose()
    assert bad.problem == HubProblem.UNAUTHORIZED
    assert bad.schedule == good.schedule


def test_kiosk_enroll_stores_a_working_token(demo_hub: Any, tmp_path: Path) -> None:
    with demo_hub.admin_client() as admin:
        terminal = admin.get("/v1/terminals").json()[-1]
        code = admin.post(f"/v1/terminals/{terminal['id']}/enrolment-code").json()["code"]
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nhub_url = "{demo_hub.base_url}"\ndata_dir = "{tmp_path}"\n')
    env = {**os.environ, "KIOSK_CREDENTIALS": "file"}
    cmd = [sys.executable, "-m", "kiosk.cli", "enroll", "--config", str(config), "--code", code]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    assert "enrolled with" in first.stdout
    token = CredentialStore(tmp_path, demo_hub.base_url).load_token()
    assert token
    # The code was for one use only.
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 1
    assert "enrolment failed" in second.stderr


async def test_a_call_gets_ice_servers_and_leaves_one_callback_however_often_sent(
    demo_hub: Any,
) -> None:
    import uuid

    from kiosk.api import HubError

    _, token = demo_hub.enrol_terminal()
    consultation_id = uuid.uuid4()
    async with HubClient(demo_hub.base_url, token) as client:
        servers = await client.ice_servers()
        first = await client.request_callback(consultation_id, "13800138000")
        again = await client.request_callback(consultation_id, "13800138000")
        with pytest.raises(HubError) as refused:
            await client.request_callback(uuid.uuid4(), "12")
    assert all(s.urls for s in servers.ice_servers)  # none on a hub without STUN or TURN
    assert first.id == again.id and first.consultation_id == consultation_id
    assert refused.value.problem == HubProblem.REFUSED
    with demo_hub.lawyer_client() as lawyer:
        listed = [c for c in lawyer.get("/v1/callbacks").json()
                  if c["consultation_id"] == str(consultation_id)]
    assert [c["phone"] for c in listed] == ["13800138000"]
