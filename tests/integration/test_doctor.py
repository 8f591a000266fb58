"""`kiosk doctor` as a technician runs it: a subprocess, a config file, a hub or none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.device.credentials import CredentialStore
from tests.support.net import free_port


def doctor(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KIOSK_CREDENTIALS": "file"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "doctor", "--config", str(config), *extra],
        capture_output=True, text=True, env=env, timeout=120,
    )


def write_config(tmp_path: Path, hub_url: str, video_encoder: str = "auto") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nhub_url = "{hub_url}"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[call]\nvideo_encoder = "{video_encoder}"\n',
        encoding="utf-8",
    )
    return path


def lines_by_check(stdout: str) -> dict[str, str]:
    """Each check's line (status and detail), keyed by its name."""
    found = {}
    for line in stdout.splitlines():
        if line[:1].isspace():
            continue
        status, rest = line.split(" ", 1)
        name, detail = rest.strip().split(": ", 1)
        found[name] = f"{status} {detail}"
    return found


def test_doctor_with_the_hub_up_and_the_terminal_enrolled(demo_hub: Any, tmp_path: Path) -> None:
    _, token = demo_hub.enrol_terminal()
    CredentialStore(tmp_path / "data", demo_hub.base_url).save_token(token)
    config = write_config(tmp_path, demo_hub.base_url)
    done = doctor(config)
    assert done.returncode == 0, done.stdout + done.stderr
    checks = lines_by_check(done.stdout)
    assert list(checks) == ["config", "renderer", "video codec", "camera", "microphone",
                            "speaker", "hub", "credentials", "outbox"]
    assert checks["config"] == f"OK {config} is valid"
    assert checks["renderer"].startswith("OK software (auto in the config")  # no /dev/dri here
    assert checks["video codec"] == "OK VP8, software (libvpx) (video_encoder = 'auto')"
    # every hardware candidate is named with the reason it was not used
    for name in ("h264_vaapi", "h264_v4l2m2m", "h264_qsv"):
        assert f"\n       {name}: " in done.stdout
    assert checks["camera"].startswith("WARN test-pattern")
    assert checks["microphone"].startswith("WARN test-tone")
    assert checks["hub"].startswith(f"OK {demo_hub.base_url}/healthz answers in ")
    assert checks["credentials"] == (
        f"OK a terminal token for {demo_hub.base_url}, accepted by the hub")
    assert checks["outbox"].startswith(f"OK {tmp_path / 'data'} writable")
    assert "GB free" in checks["outbox"]


def test_doctor_says_when_the_hub_refuses_the_token(demo_hub: Any, tmp_path: Path) -> None:
    # a token of a terminal the hub has never enrolled (or has revoked since)
    CredentialStore(tmp_path / "data", demo_hub.base_url).save_token("kt_" + "x" * 40)
    done = doctor(write_config(tmp_path, demo_hub.base_url, video_encoder="vp8"))
    assert done.returncode == 1
    checks = lines_by_check(done.stdout)
    assert checks["hub"].startswith("OK ")
    assert checks["credentials"].startswith(
        f"FAIL a terminal token for {demo_hub.base_url}, refused by the hub (401)")
    assert "kiosk enroll --code" in checks["credentials"]


def test_doctor_without_a_hub_fails_and_says_why(tmp_path: Path) -> None:
    hub_url = f"http://127.0.0.1:{free_port()}"
    done = doctor(write_config(tmp_path, hub_url, video_encoder="libx264"))
    assert done.returncode == 1
    checks = lines_by_check(done.stdout)
    assert checks["hub"].startswith(f"FAIL {hub_url}/healthz does not answer")
    assert checks["credentials"].startswith("FAIL no terminal token")
    assert checks["video codec"] == "OK H.264, software (libx264) (video_encoder = 'libx264')"
    assert checks["config"].startswith("OK ")


def test_doctor_json_and_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[call]\nvideo_encoder = "h265"\n', encoding="utf-8")
    done = doctor(config, "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["config"]["status"] == "FAIL"
    assert "call.video_encoder: expected" in checks["config"]["detail"]
    assert checks["config"]["notes"] == ["the checks below use the defaults"]
    # the rest still ran, on the defaults
    assert checks["video codec"]["status"] == "OK"
    assert [n.split(":")[0] for n in checks["video codec"]["notes"]] == [
        "h264_vaapi", "h264_v4l2m2m", "h264_qsv"
    ]
