"""Video on the kiosk's screen, under Xvfb with Qt's xcb platform (see screen_probe.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.requires import missing

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots" / "kiosk"


@pytest.mark.parametrize(("renderer", "api"), [("gpu", "OpenGL"), ("software", "Software")])
def test_the_call_screen_shows_each_frame_it_is_given_and_nothing_after(
    renderer: str, api: str
) -> None:
    if shutil.which("xvfb-run") is None:
        missing("xvfb-run not found (apt-get install xvfb xauth)")
    shot = SHOTS / f"call-video-xcb-{renderer}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(REPO)}
    env.pop("KIOSK_REPORT_READY", None)
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24",
         sys.executable, "-m", "tests.e2e.screen_probe", renderer, str(shot)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["platform"] == "xcb"
    assert result["graphics_api"] == api
    assert result["black_before"] > 0.9  # nothing shown before the first frame
    # Each frame handed over is the one on screen: the lawyer large, the resident small.
    assert result["readings"] == [[1, 1001], [2, 1002], [3, 1003], [50, 1050], [51, 1051]]
    assert result["black_after_clear"] > 0.9  # the last face is wiped
    assert result["qml_warnings"] == []
