"""The hub's command-line options, shared by `kiosk hub` and `python -m kiosk.hub`.

Only argparse here: `kiosk run` builds its parser with these options too, and a
terminal must not import the hub's web stack to start.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

# The signaling timings a command line may change (HubSettings' names; seconds), chiefly
# so tests of restarts and lost consoles need not wait minutes.
TIMINGS: dict[str, str] = {
    "ring_timeout": "withdraw a call nobody accepted after this long (default: 120)",
    "orphan_grace": "end an accepted call a party has had no socket for this long (180)",
    "restart_grace": "after a restart, how long open calls wait for their parties (180)",
    "claim_timeout": "how long a reconnected terminal has to say it still has its call (20)",
    "console_heartbeat": "how often the hub pings each console tab (5)",
    "console_timeout": "close a console tab that answered no ping for this long (15)",
}


def add_options(parser: argparse.ArgumentParser, data_dir: Path | None) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8348)
    parser.add_argument(
        "--db", default=None, help="SQLAlchemy URL (default: SQLite in the data directory)"
    )
    parser.add_argument("--data-dir", type=Path, default=data_dir)
    parser.add_argument("--demo", action="store_true", help="seed demo data into an empty database")
    for name, words in TIMINGS.items():
        parser.add_argument(
            "--" + name.replace("_", "-"), type=float, default=None, metavar="SECONDS", help=words
        )
    parser.add_argument(
        "--turn-host", default=None, help="coturn's public name (default: $KIOSK_HUB_TURN_HOST)"
    )
    parser.add_argument(
        "--turn-secret-file",
        type=Path,
        default=None,
        help="file holding coturn's static-auth-secret (default: $KIOSK_HUB_TURN_SECRET_FILE)",
    )
    parser.add_argument(
        "--tls-cert",
        type=Path,
        default=None,
        help="serve HTTPS with this certificate (PEM; with --tls-key) instead of behind a proxy",
    )
    parser.add_argument("--tls-key", type=Path, default=None, help="the certificate's key (PEM)")


def serve_options(args: argparse.Namespace) -> None:
    """Serve with the parsed options until SIGINT/SIGTERM."""
    from kiosk.hub.demo import DEMO_ADMIN, DEMO_LAWYERS
    from kiosk.hub.server import serve

    if (args.tls_cert is None) != (args.tls_key is None):
        raise SystemExit("kiosk hub: --tls-cert and --tls-key go together")

    if args.demo:
        print(f"demo admin:   {DEMO_ADMIN.username} / {DEMO_ADMIN.password}", flush=True)
        for login in DEMO_LAWYERS:
            print(
                f"demo lawyer:  {login.username} / {login.password} ({login.display_name})",
                flush=True,
            )
    serve(
        args.db,
        args.host,
        args.port,
        args.demo,
        args.data_dir,
        timings={
            name: timedelta(seconds=getattr(args, name))
            for name in TIMINGS
            if getattr(args, name) is not None
        },
        turn_host=args.turn_host,
        turn_secret_file=args.turn_secret_file,
        tls=None if args.tls_cert is None else (args.tls_cert, args.tls_key),
    )
