"""Start-up and shutdown of the real entry points."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject
from pytestqt.qtbot import QtBot

from kiosk.api.cache import PROFILE_FILE, SCHEDULE_FILE
from kiosk.config import KioskConfig
from kiosk.ui import app as app_module
from kiosk.ui.app import KioskUiError, build_kiosk, run
from tests.ui.fakes import NOW, ONLINE, PROFILE, SCHEDULE, Clock, FakeLink
from tests.ui.helpers import text_of

REPO = Path(__file__).resolve().parents[2]

# Builds the kiosk the way `kiosk run` does and reports, at its first frame, what it
# had to import for it: none of the hub link's stack, nor PySide6's Qt namespace.
_FIRST_FRAME = """
import sys
from pathlib import Path
import PySide6.QtCore
from PySide6.QtGui import QGuiApplication
from kiosk.config import KioskConfig
from kiosk.ui.app import FirstFrame, build_kiosk
app = QGuiApplication(sys.argv[:1])
kiosk = build_kiosk(KioskConfig.for_tests(Path(sys.argv[1])), lambda: None)
HEAVY = ("asyncio", "httpx", "pydantic", "kiosk.api.link", "kiosk.domain.models", "keyring")
def first():
    loaded = [name for name in HEAVY if name in sys.modules]
    if "Qt" in vars(PySide6.QtCore):
        loaded.append("PySide6.QtCore.Qt")
    print("LOADED", *loaded, flush=True)
    app.quit()
FirstFrame(kiosk.window, first)
kiosk.window.show()
app.exec()
kiosk.close()
"""

# SIGTERM while Python runs inside the delivery of a frame (here: a slow ready report).
_SIGTERM_IN_A_FRAME = """
import sys, time
from pathlib import Path
from kiosk.config import KioskConfig
from kiosk.ui import app
def slow_report(window):
    def ready():
        print("KIOSK_READY", flush=True)
        started = time.monotonic()
        while time.monotonic() - started < 0.5:  # the signal's handler runs in here
            pass
        print("SHOWN", window.isVisible(), flush=True)
    app.FirstFrame(window, ready)
app._report_ready = slow_report
sys.exit(app.run(KioskConfig.for_tests(Path(sys.argv[1]), fullscreen=False), None))
"""

_RUN = """
import sys
from pathlib import Path
from kiosk.config import KioskConfig
from kiosk.ui.app import run
sys.exit(run(KioskConfig.for_tests(Path(sys.argv[1]), fullscreen=False), None))
"""


def test_missing_qml_fails_fast(
    qapp: QObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "QML_DIR", tmp_path / "nowhere")
    config = KioskConfig.for_tests(tmp_path)
    link = FakeLink(ONLINE)
    with pytest.raises(KioskUiError, match="did not load"):
        build_kiosk(config, None, link=link)
    assert link.closed  # nothing left running behind the error
    assert QCoreApplication.translate("StartScreen", "Tap here to start") == "Tap here to start"
    assert run(config, None) == 1


def test_cold_start_reports_ready_and_stops_on_sigterm(tmp_path: Path) -> None:
    """`KIOSK_REPORT_READY=1` prints KIOSK_READY once the first frame is up; SIGTERM exits 0."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_REPORT_READY": "1",
        "PYTHONPATH": str(REPO),
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", _RUN, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        ready_after = time.monotonic() - started
        assert line == "KIOSK_READY", process.stderr.read() if process.stderr else ""
        # Generous: the 2-core test box, cold caches, and the rest of the suite running.
        assert ready_after < 10
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_first_frame_loads_nothing_of_the_hub_link(tmp_path: Path) -> None:
    """pydantic, httpx, asyncio and the keyring come after the first frame of a cold start."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME, str(tmp_path)],
        capture_output=True,
        env=env,
        text=True,
        timeout=60,
    )
    assert "LOADED" in done.stdout, done.stderr
    assert done.stdout.split("LOADED", 1)[1].split() == []


def test_cached_place_first_then_link_and_schedule_off_the_qt_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The start screen shows the cached place at once; the token, the link and the
    cached schedule come after the first frame, on the loop thread."""
    config = KioskConfig.for_tests(tmp_path, window_width=1280, window_height=800)
    config.cache_dir.mkdir(parents=True)
    (config.cache_dir / PROFILE_FILE).write_text(
        json.dumps({"profile": PROFILE.model_dump(mode="json")}), encoding="utf-8"
    )
    (config.cache_dir / SCHEDULE_FILE).write_text(
        json.dumps(
            {
                "etag": None,
                "range_from": SCHEDULE.range_from.isoformat(),
                "confirmed_at": NOW.isoformat(),
                "schedule": SCHEDULE.model_dump(mode="json"),
            }
        ),
        encoding="utf-8",
    )
    asked: list[int] = []

    def token() -> str | None:
        asked.append(threading.get_ident())
        return None  # not enrolled: the link never calls the (unreachable) hub

    kiosk = build_kiosk(config, token, clock=Clock())
    try:
        assert kiosk.feed.link is None and not kiosk.bridge.running and asked == []
        with qtbot.waitSignal(kiosk.window.frameSwapped, timeout=5000):
            kiosk.window.show()
        assert text_of(kiosk.window, "siteText") == PROFILE.terminal.site_name
        assert text_of(kiosk.window, "bureauText") == PROFILE.bureau_name

        qtbot.waitUntil(lambda: kiosk.feed.link is not None, timeout=10000)
        assert asked and asked[0] != threading.get_ident()

        def callable_for_consultation() -> int:
            tiles = kiosk.root.services_vm.property("services")
            return int(next(t["callable"] for t in tiles if t["code"] == "legal_consultation"))

        qtbot.waitUntil(lambda: callable_for_consultation() == 2, timeout=5000)
        assert kiosk.qml_warnings == []
    finally:
        kiosk.close()


def test_sigterm_during_a_frame_quits_after_it(tmp_path: Path) -> None:
    """Quitting closes the window: never from inside Qt's delivery of a frame (it crashed)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_REPORT_READY": "1",
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", _SIGTERM_IN_A_FRAME, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "KIOSK_READY"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stdout.read().split() == ["SHOWN", "True"]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
