"""`kiosk demo`: the hub with demo data, an enrolled kiosk window, and the console's address.

It drives the hub only through its public API (as a technician and an
administrator would), so the demo also shows that the contract works.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kiosk.call.settings import CallSettings
from kiosk.config import KioskConfig
from kiosk.device.credentials import CredentialStore

HUB_START_TIMEOUT = 60.0


def run_demo(data_dir: Path, port: int, *, window: bool = True) -> int:
    port = port if _port_free(port) else _free_port()
    base_url = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.hub",
            "--demo",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir / "hub"),
        ],
    )
    try:
        if not _wait_healthy(base_url, hub):
            print("kiosk demo: the hub did not start; see its messages above", file=sys.stderr)
            return 1
        config = KioskConfig(
            hub_url=base_url,
            data_dir=data_dir / "kiosk",
            fullscreen=False,
            window_width=1280,
            window_height=800,
            # The test pattern and tone stand in for the terminal's camera and microphone;
            # the lawyer's voice plays on this computer's speaker, if it has one.
            call=CallSettings(speaker="default"),
        )
        token = _ensure_enrolled(base_url, config)
        _print_banner(base_url, _write_config(config))
        if window and _has_display():
            from kiosk.ui.app import run

            return run(config, token)
        if window:
            print("No display found: only the hub runs. Press Ctrl+C to stop.")
        return hub.wait()
    finally:
        if hub.poll() is None:
            hub.terminate()
            try:
                hub.wait(timeout=10)
            except subprocess.TimeoutExpired:
                hub.kill()


def _die_with_parent() -> None:
    """Even a `kill -9` of the demo must not leave its hub holding the port."""
    if sys.platform == "linux":
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _write_config(config: KioskConfig) -> Path:
    """The demo terminal's settings as a file, for `kiosk doctor --config` and `kiosk run`."""
    path = config.data_dir / "kiosk.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON's string escapes are TOML's basic strings' for any path
    path.write_text(
        "# Written by `kiosk demo` for its terminal; the demo itself does not read it.\n"
        f"[kiosk]\nhub_url = {json.dumps(config.hub_url)}\n"
        f"data_dir = {json.dumps(str(config.data_dir))}\n"
        f"[call]\nspeaker = {json.dumps(config.call.speaker)}\n",
        encoding="utf-8",
    )
    return path


def _print_banner(base_url: str, config_file: Path) -> None:
    from kiosk.hub.demo import DEMO_ADMIN, DEMO_LAWYERS, ON_CALL

    print()
    print(f"  Lawyer and admin console: {base_url}/console/")
    print(f"  Administrator login:      {DEMO_ADMIN.username} / {DEMO_ADMIN.password}")
    for lawyer in DEMO_LAWYERS:
        print(f"  Lawyer login ({lawyer.display_name}):   {lawyer.username} / {lawyer.password}")
    on_call = next((x for x in DEMO_LAWYERS if x.display_name == ON_CALL), DEMO_LAWYERS[0])
    print()
    print(f"  To try a call: open the console, log in as {on_call.username}, keep the tab open")
    print("  and mark yourself available; on the kiosk tap 点击开始咨询 → 法律咨询 → 马上视频通话.")
    print()
    print(f"  This terminal, as a technician sees it: kiosk doctor --config {config_file}")
    print()
    sys.stdout.flush()


def _ensure_enrolled(base_url: str, config: KioskConfig) -> str:
    """Enrol the demo kiosk as the first demo terminal, unless its token still works."""
    store = CredentialStore(config.data_dir, base_url)
    token = store.load_token()
    with httpx.Client(base_url=base_url, timeout=10) as http:
        if token:
            answer = http.get("/v1/terminal", headers={"Authorization": f"Bearer {token}"})
            if answer.status_code == 200:
                return token
        from kiosk.hub.demo import DEMO_ADMIN

        session = http.post(
            "/v1/auth/login",
            json={"username": DEMO_ADMIN.username, "password": DEMO_ADMIN.password},
        )
        session.raise_for_status()
        csrf = {"X-CSRF-Token": session.json()["csrf_token"]}
        terminal = http.get("/v1/terminals").json()[0]
        code = http.post(f"/v1/terminals/{terminal['id']}/enrolment-code", headers=csrf)
        code.raise_for_status()
        enrolled = http.post("/v1/terminals/enroll", json={"code": code.json()["code"]})
        enrolled.raise_for_status()
        token = str(enrolled.json()["token"])
    store.save_token(token)
    return token


def _wait_healthy(base_url: str, hub: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + HUB_START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            return False
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


def _has_display() -> bool:
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        # as the hub will bind it: connections of a demo just stopped do not hold it
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
