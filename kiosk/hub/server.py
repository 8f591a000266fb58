"""Run the hub under uvicorn: what `kiosk hub` and `python -m kiosk.hub` call."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from kiosk.hub.app import create_app
from kiosk.hub.settings import HubSettings, is_loopback

DB_FILE = "hub.sqlite3"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / DB_FILE).resolve()}"


def serve(db_url: str | None, host: str, port: int, demo: bool, data_dir: Path) -> None:
    """Serve until SIGINT/SIGTERM. Migrates at start; `demo` seeds only an empty database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = HubSettings(
        db_url=db_url or default_db_url(data_dir),
        secure_cookies=not is_loopback(host),
        seed_demo=demo,
    )
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        # Honour X-Forwarded-For only from the local TLS proxy (uvicorn's default trust list).
        proxy_headers=True,
        server_header=False,
        log_config=None,
    )
