"""Fixtures of the outbox tests: a data directory with its key file, and an open outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from kiosk.outbox import Outbox, Sealer, load_sealer
from tests.outbox.hubside import Terminal

if TYPE_CHECKING:
    from tests.support.hub import RunningHub


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk"
    path.mkdir()
    return path


@pytest.fixture
def sealer(tmp_path: Path) -> Sealer:
    # No Secret Service on a test machine: the key file, apart from the outbox, as on a kiosk
    # whose compositor has none.
    return load_sealer(tmp_path / "keys" / "outbox.key", use_keyring=False)


@pytest.fixture
async def outbox(data_dir: Path, sealer: Sealer) -> AsyncIterator[Outbox]:
    box = Outbox(data_dir, sealer, reserve_bytes=256 * 1024)
    await box.open()
    try:
        yield box
    finally:
        await box.aclose()


@pytest.fixture(scope="session")
def terminal(demo_hub: RunningHub) -> Terminal:
    """A terminal enrolled on the session's real hub; tests tell their records apart by id."""
    terminal_id, token = demo_hub.enrol_terminal()
    return Terminal(terminal_id, token)
