"""Where the UI finds its QML module, icons and translations.

Assets live at the repository root (`assets/`) next to `kiosk/`, so a source
checkout runs as is; a wheel installs them under `<prefix>/share/village-kiosk/`
(see `[tool.setuptools.data-files]`); `KIOSK_ASSETS_DIR` overrides both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent

QML_DIR = _HERE / "qml"
QML_MODULE = "Kiosk"


def assets_dir() -> Path:
    override = os.environ.get("KIOSK_ASSETS_DIR")
    if override:
        return Path(override)
    checkout = _HERE.parents[1] / "assets"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "village-kiosk" / "assets"


def icons_dir() -> Path:
    return assets_dir() / "icons"


def i18n_dir() -> Path:
    return assets_dir() / "i18n"
