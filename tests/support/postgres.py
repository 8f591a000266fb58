"""A throwaway PostgreSQL cluster from Debian's binaries, for the length of a test session."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from tests.support.net import free_port

BINDIR = Path(os.environ.get("KIOSK_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
# PostgreSQL refuses to run as root; as root the cluster belongs to this user.
SERVICE_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    pass


def available() -> bool:
    return all((BINDIR / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres"))


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVICE_USER, "--", *argv]
    return argv


def _run(argv: list[str]) -> None:
    done = subprocess.run(_as_owner(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PostgresUnavailable(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )


def create_database(admin_url: str, name: str, template: str | None = None) -> None:
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(query)


def sqlalchemy_url(libpq_url: str) -> str:
    return libpq_url.replace("postgresql://", "postgresql+psycopg://", 1)


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster; URLs are libpq spelling (`postgresql://`)."""

    admin_url: str
    port: int
    password: str

    def url(self, database: str) -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        create_database(self.admin_url, name, template)
        return self.url(name)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a fresh cluster on a free loopback port, listening on 127.0.0.1 only.

    Password authentication even on loopback: other users of the machine
    must not get into a test's database by chance.
    """
    if not available():
        raise PostgresUnavailable(f"no PostgreSQL binaries in {BINDIR}")
    root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    data = root / "data"
    password = secrets.token_urlsafe(16)
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, SERVICE_USER)
        shutil.chown(pwfile, SERVICE_USER)
    port = free_port()
    started = False
    try:
        _run(
            [
                str(BINDIR / "initdb"),
                "-D", str(data),
                "-U", "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--no-locale",
            ]
        )  # fmt: skip
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {port}",
                f"-c unix_socket_directories={root}",
                # A test cluster holds nothing worth an fsync.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        _run(
            [
                str(BINDIR / "pg_ctl"),
                "-D", str(data),
                "-l", str(root / "server.log"),
                "-o", options,
                "-w", "-t", "60",
                "start",
            ]
        )  # fmt: skip
        started = True
        yield Cluster(
            admin_url=f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres",
            port=port,
            password=password,
        )
    finally:
        if started:
            subprocess.run(
                _as_owner(
                    [str(BINDIR / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
