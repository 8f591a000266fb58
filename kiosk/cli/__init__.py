"""The `kiosk` command: run the terminal, the hub, or both as a demo."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import ConfigError, KioskConfig, load_config
from kiosk.hub.options import add_options, serve_options
from kiosk.paths import default_config_file, default_data_dir

DEFAULT_HUB_PORT = 8348


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # Alembic narrates every plugin it loads and httpx every request; a technician
        # (or a newcomer reading the demo's banner) needs only what went wrong.
        for chatty in ("alembic", "httpx"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    handler = args.handler
    try:
        return int(handler(args))
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the terminal app")
    run.add_argument("--config", type=Path, help="config file (default: %(default)s)", default=None)
    run.add_argument("--windowed", action="store_true", help="not full screen")
    run.set_defaults(handler=_run)

    hub = commands.add_parser("hub", help="serve the central service")
    add_options(hub, data_dir=None)  # resolved when used: no platformdirs on `kiosk run`
    hub.set_defaults(handler=_hub)

    admin = commands.add_parser(
        "hub-admin", help="create the hub's administrator or reset their password"
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--db", default=None, help="SQLAlchemy URL (default: SQLite in --data-dir)")
    admin.add_argument("--data-dir", type=Path, default=None)
    admin.set_defaults(handler=_hub_admin)

    demo = commands.add_parser("demo", help="hub with demo data + a kiosk window on this machine")
    demo.add_argument("--port", type=int, default=DEFAULT_HUB_PORT)
    demo.add_argument("--data-dir", type=Path, default=None)
    demo.add_argument("--no-window", action="store_true", help="only the hub and its console")
    demo.set_defaults(handler=_demo)

    enroll = commands.add_parser("enroll", help="enrol this terminal with the hub")
    enroll.add_argument("--config", type=Path, default=None)
    enroll.add_argument("--hub", default=None, help="hub address (default: hub_url of config)")
    enroll.add_argument("--code", required=True, help="one-time enrolment code from the console")
    enroll.set_defaults(handler=_enroll)

    doctor = commands.add_parser(
        "doctor", help="check this terminal: config, screen, video codec, devices, hub, disk"
    )
    doctor.add_argument("--config", type=Path, default=None)
    doctor.add_argument("--json", action="store_true", help="machine-readable report")
    doctor.set_defaults(handler=_doctor)
    return parser


def _config(path: Path | None) -> KioskConfig:
    if path is not None:
        return load_config(path, required=True)
    return load_config(default_config_file())


def _run(args: argparse.Namespace) -> int:
    # Lean on purpose: a terminal cold-starts after every power cut, and everything
    # imported here comes before its first frame (see `kiosk.ui.app`).
    from dataclasses import replace

    config = _config(args.config)
    if args.windowed:
        config = replace(config, fullscreen=False)

    def load_token() -> str | None:
        # Called by the kiosk on its loop thread once the start screen is up: the
        # keyring (D-Bus, its backends) takes longer to ask than the screen to draw.
        from kiosk.device.credentials import CredentialStore

        token = CredentialStore(config.data_dir, config.hub_url).load_token()
        if token is None:
            logging.getLogger("kiosk").warning(
                "this terminal is not enrolled; run `kiosk enroll --code ...`"
            )
        return token

    from kiosk.ui.app import run

    return run(config, load_token)


def _hub(args: argparse.Namespace) -> int:
    args.data_dir = args.data_dir or default_data_dir() / "hub"
    serve_options(args)
    return 0


def _hub_admin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.hub.admins import AdminError, set_admin
    from kiosk.hub.server import default_db_url

    data_dir = args.data_dir or default_data_dir() / "hub"
    if sys.stdin.isatty():
        password = getpass.getpass("new password (10 characters or more): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        created = set_admin(args.db or default_db_url(data_dir), args.username, password)
    except AdminError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    print(f"administrator {args.username} {'created' if created else 'password reset'}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from kiosk.cli.demo import run_demo

    data_dir = args.data_dir or default_data_dir() / "demo"
    return run_demo(data_dir, args.port, window=not args.no_window)


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.cli.doctor import run_doctor

    return run_doctor(args.config, as_json=args.json, verbose=args.verbose)


def _enroll(args: argparse.Namespace) -> int:
    import asyncio

    from kiosk.api import HubClient, HubError
    from kiosk.device.credentials import CredentialStore

    config = _config(args.config)
    hub_url = (args.hub or config.hub_url).rstrip("/")

    async def enrol() -> str:
        async with HubClient(hub_url, None) as client:
            result = await client.enrol(args.code)
        return CredentialStore(config.data_dir, hub_url).save_token(result.token)

    try:
        where = asyncio.run(enrol())
    except HubError as exc:
        print(f"kiosk: enrolment failed: {exc}", file=sys.stderr)
        return 1
    print(f"enrolled with {hub_url}; token kept in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
