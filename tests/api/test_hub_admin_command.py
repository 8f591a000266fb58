"""`kiosk hub-admin`: the first administrator of a hub that has no demo data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.hub import running_hub


def hub_admin(data_dir: Path, username: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "hub-admin",
            "--username",
            username,
            "--data-dir",
            str(data_dir),
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_created_admin_can_log_in_and_a_reset_changes_the_password(tmp_path: Path) -> None:
    made = hub_admin(tmp_path, "chief", "first-password-1")
    assert made.returncode == 0, made.stderr
    assert "administrator chief created" in made.stdout
    reset = hub_admin(tmp_path, "chief", "second-password-2")
    assert "password reset" in reset.stdout
    with running_hub(tmp_path, demo=False) as hub, hub.client() as client:
        old = client.post(
            "/v1/auth/login", json={"username": "chief", "password": "first-password-1"}
        )
        new = client.post(
            "/v1/auth/login", json={"username": "chief", "password": "second-password-2"}
        )
        assert old.status_code == 401
        assert new.status_code == 200 and new.json()["role"] == "admin"
        assert client.get("/v1/experts").status_code == 200


def test_a_weak_password_is_refused_with_one_line(tmp_path: Path) -> None:
    weak = hub_admin(tmp_path, "chief", "short")
    assert weak.returncode == 2
    assert weak.stderr.strip().splitlines() == [
        "kiosk: password: String should have at least 10 characters"
    ]
