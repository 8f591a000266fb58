#!/usr/bin/env bash
# The whole test suite: installs what it needs, checks style and types, runs
# every test (hub on SQLite and PostgreSQL, the kiosk UI offscreen and under
# Xvfb, the console in Chromium) and the benchmarks. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
echo "==> ruff"
.venv/bin/ruff check kiosk tests scripts
echo "==> mypy"
.venv/bin/mypy kiosk
echo "==> pytest"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
