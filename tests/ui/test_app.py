"""Start-up and shutdown of the real entry points."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject

from kiosk.config import KioskConfig
from kiosk.ui import app as app_module
from kiosk.ui.app import KioskUiError, build_kiosk, run
from tests.ui.fakes import ONLINE, FakeLink

REPO = Path(__file__).resolve().parents[2]

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
