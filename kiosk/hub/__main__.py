"""`python -m kiosk.hub`: start the hub (the `kiosk hub` command does the same)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from kiosk.hub.options import add_options, serve_options


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kiosk.hub", description=__doc__)
    add_options(parser, data_dir=Path("hub-data"))
    serve_options(parser.parse_args(argv))


if __name__ == "__main__":
    main()
