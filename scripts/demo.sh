#!/usr/bin/env bash
# The demo: hub on 127.0.0.1 with demo data (SQLite), a kiosk window, and the
# console's address and demo logins printed here. Extra arguments go to `kiosk demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
exec .venv/bin/kiosk demo "$@"
