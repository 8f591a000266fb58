"""The kiosk UI against the real hub (demo data): profile, schedule, a call button, offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import KioskConfig
from kiosk.hub.demo import ON_CALL
from kiosk.ui.app import KioskApp, build_kiosk
from tests.support.net import free_port
from tests.support.presence import console_open
from tests.ui.helpers import present, tap, text_of, wait_screen


@pytest.fixture
def kiosks(qtbot: QtBot) -> Iterator[list[KioskApp]]:
    built: list[KioskApp] = []
    yield built
    for kiosk in built:
        kiosk.close()


def _start(qtbot: QtBot, built: list[KioskApp], config: KioskConfig, token: str | None) -> KioskApp:
    kiosk = build_kiosk(config, token)  # the real HubClient and HubLink
    built.append(kiosk)
    with qtbot.waitSignal(kiosk.window.frameSwapped, timeout=5000):
        kiosk.window.show()
    return kiosk


def _on_call_expert(demo_hub: Any) -> int:
    with demo_hub.admin_client() as admin:
        experts = admin.get("/v1/experts").json()
    return int(next(e["id"] for e in experts if e["name"] == ON_CALL))


def test_real_hub_schedule_and_call(
    qtbot: QtBot, demo_hub: Any, tmp_path: Path, kiosks: list[KioskApp]
) -> None:
    _, token = demo_hub.enrol_terminal()
    expert_id = _on_call_expert(demo_hub)
    demo_hub.set_on_duty_now(demo_hub.lawyer)  # the on-call lawyer, with a login
    config = KioskConfig.for_tests(tmp_path, hub_url=demo_hub.base_url)
    kiosk = _start(qtbot, kiosks, config, token)

    # First the (empty) cache, then the hub's profile arrives through the bridge.
    qtbot.waitUntil(lambda: kiosk.root.start_vm.property("bureauName") != "", timeout=10000)
    assert text_of(kiosk.window, "siteText") == kiosk.root.start_vm.property("siteName")

    calls: list[tuple[str, int]] = []
    kiosk.root.schedule_vm.callRequested.connect(lambda s, e: calls.append((s, e)))
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    tap(qtbot, kiosk, "serviceTile_duty_lawyer")
    wait_screen(qtbot, kiosk, "schedule")
    # On duty and marked available, but no console open: nobody would hear it ring.
    qtbot.waitUntil(lambda: present(kiosk.window, f"busyTag_{expert_id}"), timeout=10000)
    assert not present(kiosk.window, f"callButton_{expert_id}")
    with console_open(demo_hub, demo_hub.lawyer):
        # The hub tells the kiosk over its socket, long before the schedule's next refresh.
        qtbot.waitUntil(lambda: present(kiosk.window, f"callButton_{expert_id}"), timeout=10000)
        assert not present(kiosk.window, "stalenessText")
        tap(qtbot, kiosk, f"callButton_{expert_id}")
    assert calls == [("duty_lawyer", expert_id)]
    assert kiosk.qml_warnings == []


def test_hub_gone_shows_the_cached_schedule(
    qtbot: QtBot, demo_hub: Any, tmp_path: Path, kiosks: list[KioskApp]
) -> None:
    _, token = demo_hub.enrol_terminal()
    online = KioskConfig.for_tests(tmp_path, hub_url=demo_hub.base_url)
    first = _start(qtbot, kiosks, online, token)
    qtbot.waitUntil(lambda: first.root.start_vm.property("siteName") != "", timeout=10000)
    site = first.root.start_vm.property("siteName")
    first.close()

    # Same terminal, same cache, but the hub's address now answers nothing.
    offline = KioskConfig.for_tests(tmp_path, hub_url=f"http://127.0.0.1:{free_port()}")
    kiosk = _start(qtbot, kiosks, offline, token)
    # The first frame shows the place from disk, before any network...
    assert text_of(kiosk.window, "siteText") == site
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    tap(qtbot, kiosk, "serviceTile_duty_lawyer")
    wait_screen(qtbot, kiosk, "schedule")
    # ...and the cached schedule follows from disk (read once that frame is up), marked stale.
    qtbot.waitUntil(lambda: present(kiosk.window, "stalenessText"), timeout=5000)
    assert "网络暂时不通" in text_of(kiosk.window, "stalenessText")
    assert kiosk.root.schedule_vm.property("situation") in {"ready", "busy", "nobody"}
