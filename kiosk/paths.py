"""Where the kiosk keeps its files on a terminal."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "village-kiosk"


def default_data_dir() -> Path:
    override = os.environ.get("KIOSK_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_config_file() -> Path:
    override = os.environ.get("KIOSK_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "kiosk.toml"
