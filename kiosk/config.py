"""The terminal's configuration file (TOML), read once at start-up.

A technician edits this file by hand on a maintenance visit, so every mistake
must be reported as one line naming the file, the key and what is expected,
and the kiosk must not start half-configured.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.call.settings import CallSettings
from kiosk.paths import default_data_dir

LANGUAGES = ("zh_CN", "en")


class ConfigError(Exception):
    """One line for the technician: file, key, what is expected."""


class _Bad(ValueError):
    pass


_Check = Callable[[object], object]


@dataclass(frozen=True)
class KioskConfig:
    hub_url: str = "http://127.0.0.1:8348"
    language: str = "zh_CN"
    idle_seconds: int = 90
    idle_warning_seconds: int = 15
    timezone: str = "Asia/Shanghai"
    data_dir: Path = field(default_factory=default_data_dir)
    fullscreen: bool = True
    window_width: int = 1920
    window_height: int = 1080
    refresh_seconds: int = 60
    renderer: str = "auto"  # kiosk/ui/rendering.py: "auto", "gpu" or "software"
    call: CallSettings = field(default_factory=CallSettings)

    @classmethod
    def for_tests(
        cls, data_dir: Path, hub_url: str = "http://127.0.0.1:9", **overrides: Any
    ) -> KioskConfig:
        # Tests draw in software: the same pixels on every machine, video included.
        base = cls(data_dir=data_dir, hub_url=hub_url, fullscreen=False, renderer="software")
        return replace(base, **overrides)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


def _expect_int(low: int, high: int, unit: str) -> _Check:
    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _Bad(f"expected a whole number of {unit} from {low} to {high}")
        return value

    return check


def _expect_bool(value: object) -> object:
    if not isinstance(value, bool):
        raise _Bad("expected true or false")
    return value


def _expect_url(value: object) -> object:
    if not isinstance(value, str):
        raise _Bad('expected an address such as "https://hub.example.org"')
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Bad('expected an http:// or https:// address such as "https://hub.example.org"')
    return value.rstrip("/")


def _expect_timezone(value: object) -> object:
    try:
        if not isinstance(value, str):
            raise ZoneInfoNotFoundError
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _Bad('expected a time zone name such as "Asia/Shanghai"') from None
    return value


def _expect_device(examples: str) -> _Check:
    def check(value: object) -> object:
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise _Bad(f"expected a device name such as {examples}")
        return value.strip()

    return check


def _expect_choice(*choices: str) -> _Check:
    def check(value: object) -> object:
        if value not in choices:
            raise _Bad("expected one of " + ", ".join(f'"{x}"' for x in choices))
        return value

    return check


def _h264_encoders() -> list[str]:
    import av  # only when the key is set: PyAV is not needed to read the rest

    found = []
    for name in sorted(av.codecs_available):
        if "264" not in name:
            continue
        try:
            codec = av.Codec(name, "w")
        except Exception:
            continue  # a decoder only
        formats = {f.name for f in codec.video_formats or ()}
        # libx264rgb and the like cannot take the camera's YUV frames
        if codec.name == name and (not formats or formats & {"yuv420p", "nv12"}):
            found.append(name)
    return found


def _expect_video_encoder(value: object) -> object:
    if value in ("auto", "vp8"):
        return value
    encoders = _h264_encoders()
    if not isinstance(value, str) or value not in encoders:
        known = ", ".join(f'"{name}"' for name in encoders) or "none"
        raise _Bad('expected "auto", "vp8" or an H.264 encoder of this FFmpeg '
                   f"({known})")
    return value


def _expect_path(value: object) -> object:
    if not isinstance(value, str) or not value:
        raise _Bad("expected a folder path")
    return Path(value).expanduser()


_CHECKS: dict[str, _Check] = {
    "hub_url": _expect_url,
    "language": _expect_choice(*LANGUAGES),
    "idle_seconds": _expect_int(15, 3600, "seconds"),
    "idle_warning_seconds": _expect_int(5, 120, "seconds"),
    "timezone": _expect_timezone,
    "data_dir": _expect_path,
    "fullscreen": _expect_bool,
    "window_width": _expect_int(320, 7680, "pixels"),
    "window_height": _expect_int(240, 7680, "pixels"),
    "refresh_seconds": _expect_int(10, 3600, "seconds"),
    "renderer": _expect_choice("auto", "gpu", "software"),
}


# [call]: what a technician may set about calls (kiosk/call/settings.py has the rest).
_CALL_CHECKS: dict[str, _Check] = {
    "camera": _expect_device('"/dev/video0" or "test-pattern"'),
    "microphone": _expect_device('"default", "alsa:hw:1,0", "test-tone" or "none"'),
    "speaker": _expect_device('"default", "alsa:NAME" or "none"'),
    "relay_only": _expect_bool,
    "turn_transport": _expect_choice("auto", "udp", "tcp", "tls"),
    "video_encoder": _expect_video_encoder,
    "no_answer_timeout_s": _expect_int(20, 600, "seconds"),
    "video_floor_kbps": _expect_int(32, 1000, "kbit/s"),
    "still_width": _expect_int(640, 4096, "pixels"),
    "still_height": _expect_int(480, 4096, "pixels"),
}


def _read_table(
    path: Path, section: str, table: object, checks: dict[str, _Check]
) -> dict[str, Any]:
    """The checked values of one table; the first mistake names the file and the key."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{section}]: expected a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        check = checks.get(key)
        if check is None:
            known = ", ".join(checks)
            raise ConfigError(f"{path}: {section}.{key}: unknown key, expected one of {known}")
        try:
            values[key] = check(value)
        except _Bad as exc:
            raise ConfigError(f"{path}: {section}.{key}: {exc}, got {value!r}") from None
    return values


def _call_settings(path: Path, table: object) -> CallSettings:
    values = _read_table(path, "call", table, _CALL_CHECKS)
    floor = values.pop("video_floor_kbps", None)
    try:
        settings = CallSettings(**values)
    except ValueError as exc:
        raise ConfigError(f"{path}: [call]: {exc}") from None
    if floor is not None:
        base = settings.policy
        if floor * 1000 > base.start_bps:
            raise ConfigError(
                f"{path}: call.video_floor_kbps: expected at most {base.start_bps // 1000} "
                f"(the starting bitrate), got {floor}"
            )
        settings = replace(settings, policy=replace(base, floor_bps=floor * 1000))
    return settings


def load_config(path: Path, *, required: bool = False) -> KioskConfig:
    """Read the `[kiosk]` table of `path`; a missing optional file means defaults."""
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: file not found")
        return KioskConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: expected a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    table = raw.get("kiosk", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [kiosk]: expected a table")
    unknown_top = sorted(set(raw) - {"kiosk", "call"})
    if unknown_top:
        name = unknown_top[0]
        if not isinstance(raw[name], dict):
            # a key above the first [section] line: the usual slip when writing one by hand
            where = "[call]" if name in _CALL_CHECKS else "[kiosk]"
            raise ConfigError(f"{path}: {name}: a key outside any section, expected it "
                              f"under {where}")
        raise ConfigError(
            f"{path}: {name}: unknown section, expected only [kiosk] and [call]"
        )
    values = _read_table(path, "kiosk", table, _CHECKS)
    config = KioskConfig(**values, call=_call_settings(path, raw.get("call", {})))
    if config.idle_warning_seconds >= config.idle_seconds:
        raise ConfigError(
            f"{path}: kiosk.idle_warning_seconds: expected fewer seconds than "
            f"kiosk.idle_seconds ({config.idle_seconds}), got {config.idle_warning_seconds}"
        )
    return config
