"""A village's link to the centre, emulated: two network namespaces joined by a shaped link.

    with VillageLink.open(tmp_path) as link:
        link.shape(PROFILES["400k"])
        hub = link.centre_argv([sys.executable, "-m", "kiosk.hub", ...])

The **centre** namespace holds the hub, the lawyer's console (Chromium) and
coturn; the **village** namespace holds the kiosk (ours) or the Chromium page
in the kiosk's place (the anchor). They share no network but one point-to-point
link of two TUN devices, one in each namespace, whose packets pass through the
user-space forwarder `tests/support/link_forwarder.py`: whatever the kiosk's
side sends to the centre (signaling, HTTP, media, TURN) crosses the emulated
link, shaped by a `Profile` each way.

Addresses: the village is `VILLAGE_IP`; the centre answers on `HUB_IP` (the hub)
and `TURN_IP` (coturn), so both can listen on port 443 for the 443-only profile.
The test process itself stays in the root namespace and reaches the centre over
a separate, unshaped management pair of veth devices (`MANAGE_IP`), so seeding
the hub and reading its state never touch the link; it makes sockets inside the
village (the anchor's terminal socket) with `village_socket`.

Needs root (namespaces, TUN devices); `ip netns` from iproute2.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.support.link_forwarder import Shape
from tests.support.requires import missing

REPO = Path(__file__).resolve().parents[2]
VILLAGE_IP = "10.71.0.2"
HUB_IP = "10.71.0.1"
TURN_IP = "10.71.0.3"
MANAGE_IP = "10.72.0.1"  # the centre on the management link
MANAGE_ROOT_IP = "10.72.0.2"  # the test process's end of it
_PREFIX = "kl"  # namespaces and devices of this module: kl<pid>v, kl<pid>c, ...
_CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Profile:
    """A village link, each way: `up` is the resident's uplink (village → centre)."""

    name: str
    up: Shape
    down: Shape
    outage_at_s: float | None = None  # into the call, for the benchmark
    outage_s: float = 0.0
    note: str = ""

    @classmethod
    def symmetric(cls, name: str, shape: Shape, **kwargs: Any) -> Profile:
        """The same each way (the 443 filter too: up it passes TCP to port 443, down TCP
        from it, as a NAT passes only the replies of what went out)."""
        return cls(name, shape, shape, **kwargs)

    def describe(self) -> str:
        shape = self.up
        parts = []
        if shape.rate_kbps is not None:
            parts.append(f"{shape.rate_kbps:g} kbit/s")
        parts.append(f"{shape.delay_ms:g} ms")
        if shape.jitter_ms:
            parts.append(f"±{shape.jitter_ms:g} ms")
        parts.append(f"{shape.loss * 100:g} %")
        if shape.burst > 1:
            parts.append(f"bursts of {shape.burst:g}")
        text = ", ".join(parts) + " each way"
        if self.outage_s:
            text += f", a {self.outage_s:g} s outage {self.outage_at_s:g} s into the call"
        if shape.only_tcp_443:
            text += ", only TCP to port 443 gets out"
        return text


# The profiles of issue 13 (P4), each direction alike.
PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile.symmetric("1M", Shape(rate_kbps=1000, delay_ms=40, loss=0.01)),
        Profile.symmetric("400k", Shape(rate_kbps=400, delay_ms=75, loss=0.03)),
        Profile.symmetric("256k", Shape(rate_kbps=256, delay_ms=150, loss=0.05)),
        Profile.symmetric("400k-outage", Shape(rate_kbps=400, delay_ms=75, loss=0.03),
                          outage_at_s=15.0, outage_s=6.0),
        Profile.symmetric("443-only", Shape(rate_kbps=1000, delay_ms=40, loss=0.01,
                                            only_tcp_443=True)),
    )
}


def can_run() -> str | None:
    """Why the emulator cannot run here, or None."""
    if os.geteuid() != 0:
        return "the link emulator needs root (network namespaces, TUN devices)"
    if not Path("/dev/net/tun").exists():
        return "no /dev/net/tun"
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode != 0:
        return "`ip netns` does not work here"
    return None


def require() -> None:
    why = can_run()
    if why is not None:
        missing(why)


def _ip(*args: str, ns: str | None = None) -> None:
    argv = ["ip", *(["-n", ns] if ns else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale() -> None:
    """Remove the namespaces (and so the devices) of earlier runs whose process is gone."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(_PREFIX) or not name[len(_PREFIX):-1].isdigit():
            continue
        if not _pid_alive(int(name[len(_PREFIX):-1])):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    for line in links.splitlines():
        device = line.split(":")[1].strip().split("@")[0] if ":" in line else ""
        if device.startswith(_PREFIX) and device[len(_PREFIX):-1].isdigit() \
                and not _pid_alive(int(device[len(_PREFIX):-1])):
            subprocess.run(["ip", "link", "del", device], capture_output=True)


_libc = ctypes.CDLL(None, use_errno=True)


@contextmanager
def in_namespace(name: str) -> Iterator[None]:
    """The calling thread in network namespace `name` (sockets made now live there)."""
    with open("/proc/thread-self/ns/net") as own, open(f"/var/run/netns/{name}") as target:
        if _libc.setns(target.fileno(), _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {name}")
        try:
            yield
        finally:
            if _libc.setns(own.fileno(), _CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")


@dataclass
class VillageLink:
    village: str  # namespace names
    centre: str
    forwarder: subprocess.Popen[str]
    log_path: Path
    profile: Profile | None = None
    _lines: queue.Queue[dict[str, Any] | None] = field(default_factory=queue.Queue)

    @classmethod
    @contextmanager
    def open(cls, folder: Path) -> Iterator[VillageLink]:
        require()
        clean_stale()
        tag = f"{_PREFIX}{os.getpid()}"
        village, centre = f"{tag}v", f"{tag}c"
        village_tun, centre_tun = f"{tag}t", f"{tag}u"
        folder.mkdir(parents=True, exist_ok=True)
        log_path = folder / "link-forwarder.log"
        for ns in (village, centre):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
            _ip("netns", "add", ns)
        log = log_path.open("w")
        forwarder = subprocess.Popen(
            [sys.executable, "-m", "tests.support.link_forwarder", village_tun, centre_tun],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
        )
        log.close()
        link = cls(village, centre, forwarder, log_path)
        threading.Thread(target=link._read, name="link-forwarder", daemon=True).start()
        try:
            link._expect("ready", 20)
            link._wire(village_tun, centre_tun, f"{tag}m", f"{tag}n")
            yield link
        finally:
            link.close()

    def _wire(self, village_tun: str, centre_tun: str, manage: str, manage_peer: str) -> None:
        for ns in (self.village, self.centre):
            _ip("link", "set", "lo", "up", ns=ns)
            subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                            "net.ipv6.conf.all.disable_ipv6=1"], capture_output=True)
        _ip("link", "set", village_tun, "netns", self.village)
        _ip("link", "set", centre_tun, "netns", self.centre)
        _ip("addr", "add", f"{VILLAGE_IP}/24", "dev", village_tun, ns=self.village)
        _ip("link", "set", village_tun, "up", ns=self.village)
        _ip("addr", "add", f"{HUB_IP}/24", "dev", centre_tun, ns=self.centre)
        _ip("addr", "add", f"{TURN_IP}/32", "dev", centre_tun, ns=self.centre)
        _ip("link", "set", centre_tun, "up", ns=self.centre)
        # The management pair: the test process (root namespace) to the centre, unshaped.
        _ip("link", "add", manage, "type", "veth", "peer", "name", manage_peer)
        _ip("link", "set", manage_peer, "netns", self.centre)
        _ip("addr", "add", f"{MANAGE_ROOT_IP}/30", "dev", manage)
        _ip("link", "set", manage, "up")
        _ip("addr", "add", f"{MANAGE_IP}/30", "dev", manage_peer, ns=self.centre)
        _ip("link", "set", manage_peer, "up", ns=self.centre)

    # --- the forwarder's conversation ----------------------------------------------------------

    def _read(self) -> None:
        assert self.forwarder.stdout is not None
        for line in self.forwarder.stdout:
            if line.startswith("{"):
                self._lines.put(json.loads(line))
        self._lines.put(None)

    def _send(self, **command: Any) -> None:
        assert self.forwarder.stdin is not None
        self.forwarder.stdin.write(json.dumps(command) + "\n")
        self.forwarder.stdin.flush()

    def _expect(self, event: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"link forwarder: no {event} within {timeout} s") from None
            if line is None:
                raise AssertionError(f"link forwarder exited: {self.log_path.read_text()}")
            if line.get("event") == "error":
                raise AssertionError(f"link forwarder: {line['detail']}")
            if line.get("event") == event:
                return line

    def shape(self, profile: Profile) -> None:
        """Shape both ways as `profile` says (its outage is the caller's to start)."""
        self.profile = profile
        self._send(cmd="shape", up=asdict(profile.up), down=asdict(profile.down))
        self._expect("shaped")

    def clear(self) -> None:
        """An unshaped link (set-up traffic)."""
        self.profile = None
        self._send(cmd="shape", up={}, down={})
        self._expect("shaped")

    def outage(self, seconds: float) -> dict[str, float]:
        """Nothing passes for `seconds` from now; the wall-clock span ({"from", "to"})."""
        self._send(cmd="outage", seconds=seconds)
        spell = self._expect("outage")
        return {"from": spell["from"], "to": spell["to"]}

    def stats(self) -> dict[str, Any]:
        self._send(cmd="stats")
        return self._expect("stats")

    def reset_stats(self) -> None:
        self._send(cmd="reset")
        self._expect("reset")

    # --- running things on either side ---------------------------------------------------------

    def reach_from_here(self, ip: str) -> None:
        """This process (root namespace) reaches the centre's `ip` over the management link,
        unshaped: to seed the hub, or to see that coturn listens."""
        _ip("route", "replace", f"{ip}/32", "via", MANAGE_IP)

    def centre_argv(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.centre, *argv]

    def village_argv(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.village, *argv]

    def chromium(self, folder: Path, side: str, binary: str = "/usr/bin/chromium") -> Path:
        """An executable that starts Chromium in the `side` ("village" or "centre") namespace,
        for Playwright's `executable_path` (it talks to the browser over pipes)."""
        ns = self.village if side == "village" else self.centre
        script = folder / f"chromium-{side}"
        script.write_text(f'#!/bin/sh\nexec ip netns exec {ns} {binary} "$@"\n')
        script.chmod(0o755)
        return script

    def village_socket(self, host: str, port: int, timeout: float = 10) -> socket.socket:
        """A TCP socket connected from inside the village, made on a thread of its own."""
        made: list[socket.socket] = []
        failed: list[BaseException] = []

        def connect() -> None:
            try:
                with in_namespace(self.village):
                    sock = socket.create_connection((host, port), timeout=timeout)
                sock.settimeout(None)
                made.append(sock)
            except BaseException as exc:
                failed.append(exc)

        worker = threading.Thread(target=connect, name="village-socket")
        worker.start()
        worker.join()
        if failed:
            raise failed[0]
        return made[0]

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._send(cmd="quit")
        try:
            self.forwarder.wait(5)
        except subprocess.TimeoutExpired:
            self.forwarder.kill()
            self.forwarder.wait(5)
        for ns in (self.village, self.centre):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        clean_stale()
