"""Fixtures every suite may use: the real hub with demo data, and a throwaway PostgreSQL.

Imports of the hub's stack happen inside the fixtures, so suites that do not
use them run even where the `hub` extra is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.hub import RunningHub
    from tests.support.postgres import Cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """Debian's PostgreSQL 15, started for this session in a temporary directory.

    Missing binaries fail the run on CI (CI=true) and skip the test elsewhere.
    """
    from tests.support import postgres
    from tests.support.requires import missing

    if not postgres.available():
        missing(f"PostgreSQL binaries not found in {postgres.BINDIR}")
    with postgres.throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: Cluster) -> str:
    """SQLAlchemy URL (`postgresql+psycopg://`) of an empty database in the session's cluster."""
    from tests.support.postgres import sqlalchemy_url

    return sqlalchemy_url(postgres_cluster.create_database("kiosk_test"))


@pytest.fixture(scope="session")
def demo_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """`python -m kiosk.hub --demo` on SQLite in a temporary directory, for the whole session."""
    from tests.support.hub import running_hub

    with running_hub(tmp_path_factory.mktemp("demo-hub")) as hub:
        yield hub
