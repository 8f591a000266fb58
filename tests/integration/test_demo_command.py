"""The README's demo command, as a newcomer runs it (less the package installs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.net import free_port


def test_kiosk_demo_starts_hub_and_window_and_prints_the_logins(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_REPORT_READY": "1",
        "KIOSK_CREDENTIALS": "file",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == "KIOSK_READY":
                break
        text = "".join(lines)
        assert "KIOSK_READY" in text, text
        assert f"http://127.0.0.1:{port}/console/" in text
        assert "admin / admin-demo-2026" in text
        assert "zhangwei / lawyer-demo-2026" in text
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        # the technician's check of the demo terminal, as the banner says to run it
        doctor_line = next(line for line in lines if "kiosk doctor --config " in line)
        config_file = doctor_line.split("kiosk doctor --config ", 1)[1].strip()
        doctor = subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "doctor", "--config", config_file],
            capture_output=True, text=True, env=env, timeout=120,
        )
        said = doctor.stdout
        assert f"OK   config: {config_file} is valid" in said, said
        assert f"OK   hub: http://127.0.0.1:{port}/healthz answers" in said, said
        assert "OK   credentials: " in said and "accepted by the hub" in said, said
        # its speaker is this computer's: a FAIL (and exit 1) where it has no sound card
        assert doctor.returncode == (1 if "FAIL " in said else 0), said
        console = httpx.get(f"http://127.0.0.1:{port}/console/")
        assert console.status_code == 200 and "<html" in console.text.lower()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    # Stopping the demo stops its hub too.
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        hub_alive = True
    except httpx.TransportError:
        hub_alive = False
    assert not hub_alive
