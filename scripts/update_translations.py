"""Regenerate the kiosk's translation files from the QML sources.

    .venv/bin/python scripts/update_translations.py          # lupdate + lrelease
    .venv/bin/python scripts/update_translations.py --check  # fail if anything is unfinished

`lupdate` merges new source strings into `assets/i18n/kiosk_<lang>.ts` and
keeps existing translations; translate new entries in the `.ts` (by hand or
with `pyside6-linguist`), then run this again so `lrelease` rebuilds the
`.qm` files the kiosk loads. Both `.ts` and `.qm` are committed: the terminal
has no Qt tools.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QML_DIR = REPO / "kiosk" / "ui" / "qml" / "Kiosk"
I18N_DIR = REPO / "assets" / "i18n"
LANGUAGES = ("zh_CN", "en")


def _tool(name: str) -> str:
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 into this Python's environment")
    return found


def unfinished(ts_file: Path) -> list[str]:
    """Source texts of `ts_file` that still lack a translation."""
    missing = []
    for message in ET.parse(ts_file).getroot().iter("message"):
        translation = message.find("translation")
        source = message.findtext("source", default="")
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            missing.append(source)
            continue
        forms = translation.findall("numerusform")
        if (forms and not all((f.text or "").strip() for f in forms)) or (
            not forms and not (translation.text or "").strip()
        ):
            missing.append(source)
    return missing


def update() -> None:
    sources = sorted(str(p) for p in QML_DIR.glob("*.qml"))
    for language in LANGUAGES:
        ts_file = I18N_DIR / f"kiosk_{language}.ts"
        subprocess.run(
            [
                _tool("pyside6-lupdate"),
                *sources,
                "-source-language",
                "en",
                "-target-language",
                language,
                "-locations",
                "relative",
                "-no-obsolete",
                # English is the source language: only its plural forms need a translation.
                *(["-pluralonly"] if language == "en" else []),
                "-ts",
                str(ts_file),
            ],
            check=True,
        )
        subprocess.run(
            [_tool("pyside6-lrelease"), str(ts_file), "-qm", str(ts_file.with_suffix(".qm"))],
            check=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report unfinished texts")
    args = parser.parse_args()
    if not args.check:
        update()
    status = 0
    for language in LANGUAGES:
        missing = unfinished(I18N_DIR / f"kiosk_{language}.ts")
        for source in missing:
            print(f"kiosk_{language}.ts: untranslated: {source!r}", file=sys.stderr)
        status |= bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main())
