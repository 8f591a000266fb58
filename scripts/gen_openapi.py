"""Write docs/openapi.json from the hub's app (or, with --check, fail if it is stale).

.venv/bin/python scripts/gen_openapi.py          # regenerate
.venv/bin/python scripts/gen_openapi.py --check  # exit 1 when the committed file drifts
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "openapi.json"


def render() -> str:
    sys.path.insert(0, str(REPO))
    from kiosk.hub.app import create_app
    from kiosk.hub.settings import HubSettings

    # An in-memory database: building the document touches no file and no server.
    app = create_app(HubSettings(db_url="sqlite://", password_hash_fast=True))
    return json.dumps(app.openapi(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run .venv/bin/python scripts/gen_openapi.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
