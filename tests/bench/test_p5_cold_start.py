"""P5: cold start of `kiosk run` to an interactive start screen, beside a bare QML window."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.api.client import HubClient
from kiosk.api.link import HubLink
from tests.bench.report import Row, record

RUNS = 5
HERE = Path(__file__).parent


def time_to_ready(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "KIOSK_READY":
                return time.perf_counter() - started
        raise AssertionError(f"{cmd[1:3]} exited ({proc.wait()}) without reporting ready")
    finally:
        proc.kill()
        proc.wait()


async def _fill_cache(hub_url: str, token: str, cache_dir: Path) -> None:
    link = HubLink(HubClient(hub_url, token), cache_dir)
    try:
        snapshot = await link.refresh()
    finally:
        await link.aclose()
    assert snapshot.online and snapshot.profile is not None and snapshot.schedule is not None


def test_p5_cold_start(tmp_path: Path, demo_hub: Any) -> None:
    _, token = demo_hub.enrol_terminal()
    data_dir = tmp_path / "kiosk"
    data_dir.mkdir()
    (data_dir / "terminal-token").write_text(f"{demo_hub.base_url} {token}\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nhub_url = "{demo_hub.base_url}"\ndata_dir = "{data_dir}"\n'
        "fullscreen = false\nwindow_width = 1280\nwindow_height = 800\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_REPORT_READY": "1",
        "KIOSK_CREDENTIALS": "file",
        # A terminal runs compiled bytecode (pip compiles it; its first start writes the rest),
        # whatever a developer's shell says: the warm-up runs write it here, for both.
        "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ours_cmd = [sys.executable, "-m", "kiosk.cli", "run", "--config", str(config)]
    anchor_cmd = [sys.executable, str(HERE / "anchor_hello.py")]

    # What a terminal that has met its hub keeps on disk: its profile and schedule.
    asyncio.run(_fill_cache(demo_hub.base_url, token, data_dir / "cache"))
    # The first run of each fills the OS page cache and the bytecode cache.
    time_to_ready(ours_cmd, env)
    time_to_ready(anchor_cmd, env)
    ours, anchor = [], []
    for _ in range(RUNS):
        ours.append(time_to_ready(ours_cmd, env))
        anchor.append(time_to_ready(anchor_cmd, env))
    ours_s, anchor_s = statistics.median(ours), statistics.median(anchor)
    table = record(
        Row(
            "P5",
            "cold start",
            f"{ours_s * 1000:.0f} ms",
            f"{anchor_s * 1000:.0f} ms",
            ours_s / anchor_s,
        ),
        f"median of {RUNS} runs each, alternating, after one warm-up run (page and bytecode "
        "caches), with the terminal's profile and schedule cached from the hub; from process "
        "start to the first frame of the start screen showing the cached place names, taps "
        "handled (`KIOSK_READY`), Qt offscreen; the hub link and the cached schedule follow "
        "that frame; anchor: a bare QML hello-world window (`tests/bench/anchor_hello.py`).",
    )
    print("\n" + table)
    assert ours_s > 0 and anchor_s > 0
