"""Run the hub under uvicorn: what `kiosk hub` and `python -m kiosk.hub` call."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import uvicorn

from kiosk.hub.app import create_app
from kiosk.hub.settings import HubSettings, is_loopback

DB_FILE = "hub.sqlite3"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The largest signaling message is about 80 kB; a bigger WebSocket frame closes the socket (1009).
WS_MAX_SIZE = 256 * 1024
# TURN settings may come from the environment, so `kiosk hub` under systemd gets them too.
ENV_TURN_HOST = "KIOSK_HUB_TURN_HOST"
ENV_TURN_SECRET_FILE = "KIOSK_HUB_TURN_SECRET_FILE"


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILE).resolve()}"


def read_secret(path: Path) -> str:
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise ValueError(f"{path} is empty")
    return secret


def turn_settings(
    settings: HubSettings, turn_host: str | None, turn_secret_file: Path | None
) -> HubSettings:
    """TURN host and secret from the arguments, else from the environment; none by default."""
    host = turn_host or os.environ.get(ENV_TURN_HOST) or None
    secret_file = turn_secret_file or (
        Path(os.environ[ENV_TURN_SECRET_FILE]) if os.environ.get(ENV_TURN_SECRET_FILE) else None
    )
    secret = read_secret(secret_file) if secret_file is not None else None
    return replace(settings, turn_host=host, turn_secret=secret)


def serve(
    db_url: str | None,
    host: str,
    port: int,
    demo: bool,
    data_dir: Path,
    *,
    timings: Mapping[str, timedelta] | None = None,
    turn_host: str | None = None,
    turn_secret_file: Path | None = None,
    tls: tuple[Path, Path] | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM. Migrates at start; `demo` seeds only an empty database.

    `timings`: HubSettings' signaling timings by name (`options.TIMINGS`).
    `tls`: (certificate, key) to serve HTTPS itself, as a small centre may without a
    proxy in front; otherwise plain HTTP, for loopback or a TLS proxy on the same host."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = HubSettings(
        db_url=db_url or default_db_url(data_dir),
        secure_cookies=tls is not None or not is_loopback(host),
        seed_demo=demo,
    )
    for name, value in (timings or {}).items():
        if not isinstance(getattr(settings, name, None), timedelta):
            raise ValueError(f"{name} is not a timing of the hub")
        settings = replace(settings, **{name: value})  # type: ignore[arg-type]
    settings = turn_settings(settings, turn_host, turn_secret_file)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        # Honour X-Forwarded-For only from the local TLS proxy (uvicorn's default trust list).
        proxy_headers=True,
        server_header=False,
        log_config=None,
        ws_max_size=WS_MAX_SIZE,
        ssl_certfile=None if tls is None else str(tls[0]),
        ssl_keyfile=None if tls is None else str(tls[1]),
    )
