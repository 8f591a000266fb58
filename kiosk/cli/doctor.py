"""`kiosk doctor`: a technician's look at one terminal, one line a check.

    OK   config: /home/kiosk/.config/village-kiosk/kiosk.toml
    OK   video codec: VP8, software (libvpx)
           h264_vaapi: not in this FFmpeg
    FAIL hub: http://hub.example.org/healthz does not answer (...)

Nothing here changes the terminal: no window is made, no file is written but a
probe file in the data directory, removed at once. Exit status 0 when nothing
FAILed, else 1.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from kiosk.config import ConfigError, KioskConfig, load_config
from kiosk.paths import default_config_file

HEALTH_PATH = "/healthz"  # kiosk/hub/routes/health.py
TERMINAL_PATH = "/v1/terminal"  # what the hub knows of the terminal the token is of
HUB_TIMEOUT_S = 3.0
# An outbox event is a few hundred bytes; under these the kiosk soon meets a full disk.
DISK_FAIL_BYTES = 50 * 1024 * 1024
DISK_WARN_BYTES = 500 * 1024 * 1024
SOUND_DIR = Path("/dev/snd")


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def run_doctor(config_path: Path | None, *, as_json: bool = False, verbose: bool = False) -> int:
    """Print the report; 0 when nothing FAILed, else 1."""
    if not verbose:
        # The report says it all; the probe's log line would say it twice.
        logging.getLogger("kiosk").setLevel(logging.WARNING)
    checks = diagnose(config_path)
    failed = any(check.status is Status.FAIL for check in checks)
    if as_json:
        report = {"ok": not failed, "checks": [asdict(check) for check in checks]}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(f"{check.status.value:<4} {check.name}: {check.detail}")
            for note in check.notes:
                print(f"       {note}")
    return 1 if failed else 0


def diagnose(config_path: Path | None) -> list[Check]:
    config_check, config = _config(config_path)
    checks = [config_check]
    for step in (_renderer, _video_codec, _camera, _microphone, _speaker, _hub, _credentials,
                 _outbox):
        try:
            checks.append(step(config))
        except Exception as exc:  # a check that breaks is a finding, not a crash
            checks.append(Check(step.__name__.strip("_").replace("_", " "), Status.FAIL,
                                f"the check itself failed: {exc!r}"))
    return checks


def _config(path: Path | None) -> tuple[Check, KioskConfig]:
    where = path if path is not None else default_config_file()
    try:
        config = load_config(path, required=True) if path is not None else load_config(where)
    except ConfigError as exc:
        return Check("config", Status.FAIL, str(exc),
                     ("the checks below use the defaults",)), KioskConfig()
    if not where.exists():
        return Check("config", Status.OK, f"no file at {where}: every default"), config
    return Check("config", Status.OK, f"{where} is valid"), config


def _renderer(config: KioskConfig) -> Check:
    from kiosk.ui.rendering import DRI_DIR, Renderer, choose_renderer

    chosen = choose_renderer(config.renderer)
    nodes = sorted(str(p) for p in DRI_DIR.glob("renderD*"))
    where = ", ".join(nodes) if nodes else f"no render node in {DRI_DIR}"
    detail = f"{chosen} ({config.renderer} in the config; {where})"
    if chosen is Renderer.GPU and not nodes:
        return Check("renderer", Status.WARN, detail, (
            "without a GPU driver Mesa draws OpenGL on the processor: "
            'renderer = "software" costs far less',))
    return Check("renderer", Status.OK, detail)


def _video_codec(config: KioskConfig) -> Check:
    from kiosk.call.hardware import probe_video_codec

    setting = config.call.video_encoder
    choice = probe_video_codec(setting)
    notes = tuple(f"{name}: {reason}" for name, reason in choice.tried)
    detail = f"{choice.describe()} (video_encoder = {setting!r})"
    pinned_failed = setting not in ("auto", "vp8") and not choice.is_h264
    return Check("video codec", Status.WARN if pinned_failed else Status.OK, detail, notes)


def _camera(config: KioskConfig) -> Check:
    spec = config.call.camera
    if spec == "test-pattern" or spec.startswith("lavfi:"):
        return Check("camera", Status.WARN, f"{spec}: a generated picture, not a camera")
    if spec.startswith("/dev/video"):
        return _device_node("camera", Path(spec))
    return Check("camera", Status.FAIL, f'{spec!r}: expected "test-pattern" or "/dev/videoN"')


def _microphone(config: KioskConfig) -> Check:
    return _sound("microphone", config.call.microphone, capture=True)


def _speaker(config: KioskConfig) -> Check:
    return _sound("speaker", config.call.speaker, capture=False)


def _sound(name: str, spec: str, *, capture: bool) -> Check:
    if spec in ("none", "test-tone"):
        what = "a generated tone" if spec == "test-tone" else "none: the call is silent"
        return Check(name, Status.WARN, f"{spec}: {what}" if spec != "none" else what)
    if spec != "default" and not spec.startswith("alsa:"):
        return Check(name, Status.FAIL, f'{spec!r}: expected "default" or "alsa:NAME"')
    kind = "c" if capture else "p"
    nodes = sorted(SOUND_DIR.glob(f"pcmC*D*{kind}"))
    hw = re.fullmatch(r"alsa:(?:plug)?hw:(\d+),(\d+)", spec)
    if hw is not None:
        return _device_node(name, SOUND_DIR / f"pcmC{hw[1]}D{hw[2]}{kind}", spec)
    if not nodes:
        return Check(name, Status.FAIL,
                     f"{spec}: no {'capture' if capture else 'playback'} device in {SOUND_DIR}")
    # "default" and named ALSA devices (PipeWire, dmix) are resolved by ALSA itself.
    return Check(name, Status.OK, f"{spec} (ALSA; {', '.join(p.name for p in nodes)})")


def _device_node(name: str, node: Path, spec: str | None = None) -> Check:
    label = spec or str(node)
    try:
        mode = node.stat().st_mode
    except OSError:
        return Check(name, Status.FAIL, f"{label}: {node} does not exist")
    if not stat.S_ISCHR(mode):
        return Check(name, Status.FAIL, f"{label}: {node} is not a device")
    if not os.access(node, os.R_OK | os.W_OK):
        return Check(name, Status.FAIL, f"{label}: {node} is not readable and writable by "
                                         "this user (the video/audio group?)")
    return Check(name, Status.OK, f"{label}: {node} is there")


def _hub(config: KioskConfig) -> Check:
    import httpx

    url = config.hub_url.rstrip("/") + HEALTH_PATH
    started = time.monotonic()
    try:
        response = httpx.get(url, timeout=HUB_TIMEOUT_S)
    except httpx.HTTPError as exc:
        return Check("hub", Status.FAIL, f"{url} does not answer ({exc or type(exc).__name__})")
    ms = (time.monotonic() - started) * 1000
    if response.status_code == 200:
        return Check("hub", Status.OK, f"{url} answers in {ms:.0f} ms")
    if response.status_code == 503:
        return Check("hub", Status.FAIL, f"{url}: the hub answers but its database does not")
    return Check("hub", Status.FAIL, f"{url} answered {response.status_code}: is this the hub?")


def _credentials(config: KioskConfig) -> Check:
    import httpx

    from kiosk.device.credentials import CredentialStore

    token = CredentialStore(config.data_dir, config.hub_url).load_token()
    if token is None:
        return Check("credentials", Status.FAIL, f"no terminal token for {config.hub_url}: "
                                                 "run `kiosk enroll --code ...`")
    has = f"a terminal token for {config.hub_url}"
    # A token the hub no longer knows (revoked, a rebuilt hub) looks just like a good one.
    try:
        response = httpx.get(config.hub_url.rstrip("/") + TERMINAL_PATH, timeout=HUB_TIMEOUT_S,
                             headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        return Check("credentials", Status.WARN, f"{has}, not tried: the hub does not answer")
    if response.status_code in (401, 403):
        return Check("credentials", Status.FAIL, f"{has}, refused by the hub "
                     f"({response.status_code}): enrol again with `kiosk enroll --code ...`")
    if response.status_code != 200:
        return Check("credentials", Status.WARN,
                     f"{has}, not tried: the hub answered {response.status_code}")
    return Check("credentials", Status.OK, f"{has}, accepted by the hub")


def _outbox(config: KioskConfig) -> Check:
    directory = config.data_dir
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".kiosk-doctor-"):
            pass
    except OSError as exc:
        return Check("outbox", Status.FAIL, f"{existing} is not writable ({exc.strerror})")
    free = shutil.disk_usage(existing).free
    later = "" if existing == directory else f" (made at first start under {existing})"
    detail = f"{directory} writable{later}, {free / 1e9:.1f} GB free"
    if free < DISK_FAIL_BYTES:
        return Check("outbox", Status.FAIL, detail + ": the disk is all but full")
    if free < DISK_WARN_BYTES:
        return Check("outbox", Status.WARN, detail + ": little room left")
    return Check("outbox", Status.OK, detail)
