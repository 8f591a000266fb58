"""The centre's coturn config (packaging/coturn/) accepts the credentials the hub hands out.

coturn starts from the packaged file with only ports, paths, the secret and
the certificate replaced, on loopback; aioice (aiortc's ICE) allocates a
relay with `GET /v1/ice-servers`'s credentials, over UDP, plain TCP on the TLS
port, and TLS.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aioice.stun import TransactionFailed
from aioice.turn import create_turn_endpoint

from kiosk.domain.signaling import IceServers
from kiosk.hub.ice import turn_password
from tests.api.conftest import Api, Clock, make_app
from tests.support.hub import REPO
from tests.support.net import free_port
from tests.support.requires import missing

CONF = REPO / "packaging" / "coturn" / "turnserver.conf"
SECRET = "test-secret-0123456789abcdef"
TURNSERVER = shutil.which("turnserver") or "/usr/bin/turnserver"

pytestmark = [pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


@dataclass(frozen=True)
class Turn:
    port: int
    tls_port: int
    log: Path


def _config(tmp: Path, port: int, tls_port: int) -> str:
    replaced = {
        "listening-port": str(port),
        "tls-listening-port": str(tls_port),
        "static-auth-secret": SECRET,
        "cert": str(tmp / "cert.pem"),
        "pkey": str(tmp / "key.pem"),
        "min-port": "50000",
        "max-port": "50999",
    }
    lines = []
    for line in CONF.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if key in replaced:
            line = f"{key}={replaced[key]}"
        elif key == "syslog":
            line = f"log-file={tmp / 'turn.log'}"
        lines.append(line)
    lines += [
        "listening-ip=127.0.0.1",
        f"pidfile={tmp / 'turn.pid'}",
        f"userdb={tmp / 'turndb'}",
    ]
    return "\n".join(lines) + "\n"


def _certificate(tmp: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"),
            "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


@pytest.fixture
def turn(tmp_path: Path) -> Iterator[Turn]:
    if not Path(TURNSERVER).exists():
        missing("coturn's turnserver not found (Debian package coturn)")
    if shutil.which("openssl") is None:
        missing("openssl not found (Debian package openssl)")
    _certificate(tmp_path)
    port, tls_port = free_port(), free_port()
    conf = tmp_path / "turnserver.conf"
    conf.write_text(_config(tmp_path, port, tls_port), encoding="utf-8")
    process = subprocess.Popen(
        [TURNSERVER, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield Turn(port, tls_port, tmp_path / "turn.log")
    finally:
        # A throwaway server: coturn takes seconds over SIGTERM, and holds nothing worth it.
        process.kill()
        process.wait(10)


@pytest.fixture
async def turn_api(db_url: str, clock: Clock) -> AsyncIterator[Api]:
    for app in make_app(db_url, clock, turn_host="127.0.0.1", turn_secret=SECRET):
        harness = Api(app=app, clock=clock)
        try:
            yield harness
        finally:
            await harness.aclose()


async def _allocate(
    port: int, username: str, password: str, transport: str = "udp", tls: bool = False
) -> tuple[str, int]:
    context: ssl.SSLContext | None = None
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    relay, _ = await create_turn_endpoint(
        asyncio.DatagramProtocol,
        ("127.0.0.1", port),
        username=username,
        password=password,
        ssl=context,
        transport=transport,
    )
    try:
        address: tuple[str, int] = relay.get_extra_info("sockname")
        return address
    finally:
        relay.close()


async def _until_listening(port: int, username: str, password: str) -> None:
    for _ in range(100):
        try:
            await asyncio.wait_for(_allocate(port, username, password), 1.0)
            return
        except (OSError, TimeoutError, ConnectionError):
            await asyncio.sleep(0.05)
    raise AssertionError("coturn did not answer")


async def test_coturn_accepts_the_hubs_credentials(turn: Turn, turn_api: Api) -> None:
    terminal = await turn_api.terminal()
    body = IceServers.model_validate((await terminal.get("/v1/ice-servers")).json())
    server = body.ice_servers[1]
    assert server.username is not None and server.credential is not None
    ports = {int(m) for url in server.urls for m in re.findall(r":(\d+)\?", url)}
    assert ports == {3478, 443}  # the URLs name the production ports; the test maps them
    username, password = server.username, server.credential
    await _until_listening(turn.port, username, password)

    host, relay_port = await _allocate(turn.port, username, password)
    assert host == "127.0.0.1" and 50000 <= relay_port <= 50999
    await _allocate(turn.tls_port, username, password, transport="tcp")  # plain TCP on 443
    await _allocate(turn.tls_port, username, password, transport="tcp", tls=True)

    with pytest.raises(TransactionFailed):
        await _allocate(turn.port, username, password[:-4] + "AAA=")
    expired = "1000000000:terminal-1"
    with pytest.raises(TransactionFailed):
        await _allocate(turn.port, expired, turn_password(SECRET, expired))
