"""What a test needs from the machine: on CI its absence is a failure, never a skip."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(message: str) -> NoReturn:
    """Fail when CI=true (scripts/setup.sh must have installed it), skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
