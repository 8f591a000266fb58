#!/usr/bin/env bash
# Installs what the kiosk needs on Debian 12: system packages, then a virtual
# environment in .venv with the project and its extras.
#   scripts/setup.sh demo   what the demo needs (Qt libraries, fonts)
#   scripts/setup.sh test   also what the test suite uses (Chromium, Xvfb, coturn, PostgreSQL,
#                           iproute2 for the village link emulator's namespaces)
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-demo}"
demo_debs=(python3 python3-venv python3-pip fonts-noto-cjk
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libglib2.0-0
  libnss3 libasound2 libpulse0 libxrandr2 libxcomposite1 libxdamage1 libxtst6 libxi6)
test_debs=(chromium xvfb xauth coturn postgresql libatomic1 openssl iproute2)

debs=("${demo_debs[@]}")
extras="hub"
if [[ "$profile" == "test" ]]; then
  debs+=("${test_debs[@]}")
  extras="hub,dev"
fi

missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if ((${#missing[@]})); then
  echo "==> installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "==> installing Python packages (.[$extras])"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
