"""The real hub in a subprocess (`python -m kiosk.hub --demo ...`), as the kiosk will meet it."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from kiosk.hub.demo import DEMO_ADMIN, DEMO_LAWYERS
from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


class HubStartError(RuntimeError):
    pass


# Every demo lawyer's login, in DEMO_LAWYERS order (张伟, who is always on call, first).
DEMO_LAWYER_CREDENTIALS: tuple[Credentials, ...] = tuple(
    Credentials(login.username, login.password) for login in DEMO_LAWYERS
)


@dataclass
class HubAccess:
    """Synchronous helpers for a hub with demo data reachable at `base_url`."""

    base_url: str
    admin: Credentials
    lawyer: Credentials
    ca: Path | None = field(default=None, kw_only=True)  # the test CA of an HTTPS hub

    @property
    def lawyers(self) -> tuple[Credentials, ...]:
        return DEMO_LAWYER_CREDENTIALS

    def client(self, **kwargs: Any) -> httpx.Client:
        """An anonymous client of this hub."""
        if self.base_url.startswith("http://"):
            # Plain http on loopback: skip building a TLS context (20 ms a client).
            kwargs.setdefault("verify", False)
        elif self.ca is not None:
            kwargs.setdefault("verify", ssl.create_default_context(cafile=str(self.ca)))
        kwargs.setdefault("timeout", 10.0)
        return httpx.Client(base_url=self.base_url, **kwargs)

    def login(self, credentials: Credentials) -> httpx.Client:
        """A new client logged in as `credentials`, CSRF header set; use it in a `with`."""
        with self.client() as client:
            response = client.post(
                "/v1/auth/login",
                json={"username": credentials.username, "password": credentials.password},
            )
            if response.status_code != 200:
                raise AssertionError(f"login as {credentials.username}: {response.text}")
            cookies = httpx.Cookies(client.cookies)
        return self.client(cookies=cookies, headers={"X-CSRF-Token": response.json()["csrf_token"]})

    def admin_client(self) -> httpx.Client:
        return self.login(self.admin)

    def lawyer_client(self) -> httpx.Client:
        return self.login(self.lawyer)

    def enrol_terminal(self, terminal_id: int | None = None) -> tuple[int, str]:
        """Enrol a demo terminal (the first not yet enrolled, unless given): (id, bearer token)."""
        with self.admin_client() as admin:
            if terminal_id is None:
                terminals = _ok(admin.get("/v1/terminals")).json()
                waiting = [t["id"] for t in terminals if not t["enrolled"]]
                terminal_id = waiting[0] if waiting else terminals[0]["id"]
            code = _ok(admin.post(f"/v1/terminals/{terminal_id}/enrolment-code")).json()["code"]
        with self.client() as anonymous:
            result = _ok(anonymous.post("/v1/terminals/enroll", json={"code": code})).json()
        return int(result["terminal_id"]), str(result["token"])

    def terminal_client(self, token: str) -> httpx.Client:
        return self.client(headers={"Authorization": f"Bearer {token}"})

    def put_shift_now(self, expert_id: int, hours: float = 4) -> dict[str, Any]:
        """Give `expert_id` a shift from now for `hours`, clearing their shifts in the way."""
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        end = start + timedelta(hours=hours)
        window: dict[str, str | int] = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "expert_id": expert_id,
        }
        with self.admin_client() as admin:
            for shift in _ok(admin.get("/v1/shifts", params=window)).json():
                _ok(admin.delete(f"/v1/shifts/{shift['id']}"))
            body = {
                "expert_id": expert_id,
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
            }
            created: dict[str, Any] = _ok(admin.post("/v1/shifts", json=body)).json()
        return created

    def expert_id(self, name_or_credentials: str | Credentials) -> int:
        """The expert with this name (e.g. "王丽") or behind this lawyer login."""
        with self.admin_client() as admin:
            experts = _ok(admin.get("/v1/experts")).json()
        if isinstance(name_or_credentials, Credentials):
            key, value = "username", name_or_credentials.username
        else:
            key, value = "name", name_or_credentials
        return next(int(e["id"]) for e in experts if e[key] == value)

    def set_availability(self, credentials: Credentials, available: bool) -> None:
        """What the lawyer's own console does: mark themselves available or away."""
        body = {"availability": "available" if available else "away"}
        with self.login(credentials) as lawyer:
            _ok(lawyer.put("/v1/me/availability", json=body))

    def clear_shifts_now(self, expert_id: int, hours: float = 4) -> None:
        """Remove `expert_id`'s shifts overlapping the next `hours`: they are off duty now."""
        start = datetime.now(UTC) - timedelta(minutes=1)
        window: dict[str, str | int] = {
            "from": start.isoformat(),
            "to": (start + timedelta(hours=hours)).isoformat(),
            "expert_id": expert_id,
        }
        with self.admin_client() as admin:
            for shift in _ok(admin.get("/v1/shifts", params=window)).json():
                _ok(admin.delete(f"/v1/shifts/{shift['id']}"))

    def set_on_duty_now(
        self, credentials: Credentials, *, on_duty: bool = True, available: bool = True
    ) -> int:
        """Put a lawyer on duty now (a shift from a minute ago, 4 h) or off duty, and set
        their availability; returns their expert id. Only lawyers with a login can be rung
        (they must have a console open), so this takes the login rather than the id."""
        expert_id = self.expert_id(credentials)
        if on_duty:
            self.put_shift_now(expert_id)
        else:
            self.clear_shifts_now(expert_id)
        self.set_availability(credentials, available)
        return expert_id


@dataclass
class RunningHub(HubAccess):
    db_url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    argv: Sequence[str] = ()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as in a power cut; nothing of it runs after."""
        self.process.kill()
        self.process.wait(10)

    def start(self, startup_timeout: float = 60.0) -> None:
        """The same command again (same database, same port), after `kill`; waits until
        it answers. Its log goes on in the same file."""
        if self.process.poll() is None:
            raise RuntimeError("the hub is still running")
        self.process = _spawn(self.argv, self.log_path)
        _wait_healthy(self, startup_timeout)


def _ok(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise AssertionError(
            f"{response.request.method} {response.request.url} -> "
            f"{response.status_code}: {response.text}"
        )
    return response


def _wait_healthy(hub: RunningHub, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise HubStartError(f"hub exited with {hub.process.returncode}:\n{hub.log()}")
        try:
            with hub.client(timeout=2.0) as client:
                if client.get("/healthz").status_code == 200:
                    return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise HubStartError(f"hub not healthy after {timeout} s:\n{hub.log()}")


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)


@contextmanager
def running_hub(
    data_dir: Path,
    db_url: str | None = None,
    *,
    demo: bool = True,
    startup_timeout: float = 60.0,
    extra_args: Sequence[str] = (),
    wrap: Sequence[str] = (),
    host: str = "127.0.0.1",
    port: int | None = None,
    reach: str | None = None,
    ca: Path | None = None,
) -> Iterator[RunningHub]:
    """Start `python -m kiosk.hub` on a free loopback port; stop it (TERM, then KILL) after.

    `extra_args` go to the command line, e.g. `("--ring-timeout", "2")`. Elsewhere than
    on loopback (the centre of `tests/support/village_link.py`): `wrap` prefixes the
    command (`ip netns exec centre`), the hub listens on `host`:`port`, and this process
    reaches it at `reach` (its `base_url`), verifying an HTTPS hub's certificate with `ca`.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    db_url = db_url or f"sqlite:///{data_dir / 'hub.sqlite3'}"
    argv = [
        *wrap, sys.executable, "-m", "kiosk.hub",
        "--host", host,
        "--port", str(port),
        "--db", db_url,
        "--data-dir", str(data_dir),
    ]  # fmt: skip
    if demo:
        argv.append("--demo")
    argv.extend(extra_args)
    log_path = data_dir / f"hub-{port}.log"
    log_path.unlink(missing_ok=True)
    process = _spawn(argv, log_path)
    lawyer = DEMO_LAWYERS[0]
    hub = RunningHub(
        base_url=reach or f"http://127.0.0.1:{port}",
        admin=Credentials(DEMO_ADMIN.username, DEMO_ADMIN.password),
        lawyer=Credentials(lawyer.username, lawyer.password),
        db_url=db_url,
        data_dir=data_dir,
        log_path=log_path,
        process=process,
        ca=ca,
        argv=argv,
    )
    try:
        _wait_healthy(hub, startup_timeout)
        yield hub
    finally:
        stop(hub.process)


def _spawn(argv: Sequence[str], log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            list(argv), cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
