"""Small JSON files that survive a power cut: write aside, fsync, rename.

Also the one read a terminal does before its first frame: the place names of
its cached profile, with plain `json` (no pydantic, no httpx), so the start
screen shows the village at once after a power cut.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The files `HubLink` keeps in the terminal's cache directory.
PROFILE_FILE = "profile.json"
SCHEDULE_FILE = "schedule.json"


def read_json(path: Path) -> dict[str, Any] | None:
    """The file's object, or None when it is missing or damaged (it is only a cache)."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring damaged cache file %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict[str, Any]) -> bool:
    """Replace `path` atomically; False (and the old file kept) when the disk refuses."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        log.error("cannot write cache file %s: %s", path, exc)
        tmp.unlink(missing_ok=True)
        return False
    return True


@dataclass(frozen=True)
class CachedTerminal:
    county: str
    town: str
    village: str
    site_name: str


@dataclass(frozen=True)
class CachedProfile:
    """What the start screen shows of a `TerminalProfile`, in the same shape."""

    terminal: CachedTerminal
    bureau_name: str
    hotline: str


def read_cached_profile(cache_dir: Path) -> CachedProfile | None:
    """The start screen's part of the cached profile; None when missing or damaged.

    Only a quick look for the first frame: `HubLink` validates the whole file
    with the contract's models soon after, and its verdict is what counts.
    """
    path = cache_dir / PROFILE_FILE
    raw = read_json(path)
    if raw is None:
        return None
    profile = raw.get("profile")
    terminal = profile.get("terminal") if isinstance(profile, dict) else None
    try:
        return CachedProfile(
            CachedTerminal(
                county=_text(terminal, "county"),
                town=_text(terminal, "town"),
                village=_text(terminal, "village"),
                site_name=_text(terminal, "site_name"),
            ),
            bureau_name=_text(profile, "bureau_name"),
            hotline=_text(profile, "hotline"),
        )
    except ValueError as exc:
        log.warning("ignoring a damaged profile cache %s: %s", path, exc)
        return None


def _text(record: object, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a text")
    return value
