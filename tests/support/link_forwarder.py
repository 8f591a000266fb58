"""The user-space half of the village link emulator: two TUN devices and what lies between.

    python -m tests.support.link_forwarder VILLAGE_TUN CENTRE_TUN

Run by `tests/support/village_link.py`, as root, in the root network namespace;
it creates both TUN devices (the caller then moves each into its namespace) and
carries every IP packet from one to the other, shaping each direction as a thin
rural link would: a rate with a drop-tail queue, a one-way delay with jitter
(never reordering), random or bursty loss, outages, and a filter that lets only
TCP to port 443 through (a carrier-grade NAT where only HTTPS gets out).

There is no kernel netem on these machines (`tc qdisc ... netem` is unknown), so
this is the netem of the suite. Commands come as JSON lines on stdin, answers go
as JSON lines to stdout:

    {"cmd": "shape", "up": {...}, "down": {...}}   a `Shape` each way (keys as below)
    {"cmd": "outage", "seconds": 6}                 nothing passes either way for so long
    {"cmd": "stats"}                                counters and queue delays each way
    {"cmd": "quit"}

"up" is village → centre (the resident's uplink), "down" centre → village.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import random
import struct
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

_TUNSETIFF = 0x400454CA
_IFF_TUN = 0x0001
_IFF_NO_PI = 0x1000
_MTU = 2048  # more than a TUN device's 1500


@dataclass(frozen=True)
class Shape:
    """One direction of the link. Rate None: as fast as the machine."""

    rate_kbps: float | None = None
    delay_ms: float = 0.0
    jitter_ms: float = 0.0  # uniform in [-jitter, +jitter] around the delay, never reordered
    loss: float = 0.0  # share of packets lost on the wire (after the queue)
    burst: float = 1.0  # mean length of a loss burst in packets (1: independent losses)
    queue_ms: float = 1000.0  # the sender's buffer in front of the rate; more is dropped
    only_tcp_443: bool = False  # up: TCP to port 443 only; down: TCP from port 443 only

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Shape:
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown shape keys {sorted(unknown)}")
        shape = cls(**raw)
        if shape.rate_kbps is not None and shape.rate_kbps <= 0:
            raise ValueError("rate_kbps: expected > 0 or null")
        if not 0 <= shape.loss < 1 or shape.burst < 1:
            raise ValueError("expected 0 <= loss < 1 and burst >= 1")
        if min(shape.delay_ms, shape.jitter_ms, shape.queue_ms) < 0:
            raise ValueError("delays must not be negative")
        return shape


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", name.encode(), _IFF_TUN | _IFF_NO_PI))
    return fd


def tcp_port_443(packet: bytes, *, destination: bool) -> bool:
    """Whether an IPv4 packet is TCP to (or from) port 443."""
    if len(packet) < 20 or packet[0] >> 4 != 4 or packet[9] != 6:
        return False
    header = (packet[0] & 0x0F) * 4
    if len(packet) < header + 4:
        return False
    source, dest = struct.unpack_from("!HH", packet, header)
    return (dest if destination else source) == 443


@dataclass
class Counters:
    passed: int = 0
    passed_bytes: int = 0
    lost: int = 0
    overflowed: int = 0
    filtered: int = 0
    in_outage: int = 0
    # the time each passed packet waited in the queue for the rate, ms (for percentiles)
    queued_ms: list[float] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        waits = sorted(self.queued_ms)
        out = {k: v for k, v in asdict(self).items() if k != "queued_ms"}

        def pick(share: float) -> float:
            return round(waits[min(len(waits) - 1, int(share * len(waits)))], 1) if waits else 0

        out.update(queue_p50_ms=pick(0.5), queue_p95_ms=pick(0.95),
                   queue_max_ms=round(waits[-1], 1) if waits else 0)
        return out


class Direction:
    """One way of the link: a queue draining at the rate, then the wire (delay, loss)."""

    def __init__(self, name: str, source: int, sink: int, link: Link) -> None:
        self.name = name
        self.source = source
        self.sink = sink
        self.link = link
        self.shape = Shape()
        self.counters = Counters()
        self._busy_until = 0.0  # when the queue is empty again (loop clock)
        self._last_arrival = 0.0
        self._bad = False  # the burst-loss model's state
        self.first_after_outage: float | None = None  # wall clock
        self._noted = 0.0
        self._worst = 0.0

    def _note(self, now: float, queued: float) -> None:
        """Once a second, on stderr (the forwarder's log): how long this way's queue was."""
        self._worst = max(self._worst, queued)
        if now - self._noted >= 1.0:
            print(f"{time.strftime('%H:%M:%S')} {self.name}: queue up to "
                  f"{self._worst * 1000:.0f} ms", file=sys.stderr, flush=True)
            self._noted, self._worst = now, 0.0

    def set_shape(self, shape: Shape) -> None:
        self.shape = shape

    def _lost(self) -> bool:
        shape = self.shape
        if shape.loss <= 0:
            return False
        if shape.burst <= 1:
            return random.random() < shape.loss
        # Gilbert's two states: a burst ends with 1 / burst, starts so that the mean is `loss`.
        leave = 1 / shape.burst
        enter = shape.loss * leave / (1 - shape.loss)
        self._bad = random.random() >= leave if self._bad else random.random() < enter
        return self._bad

    def on_readable(self) -> None:
        loop = self.link.loop
        for _ in range(64):  # a burst at a time, then let the timers run
            try:
                packet = os.read(self.source, _MTU)
            except BlockingIOError:
                return
            except OSError:
                return
            self._take(packet, loop.time())

    def _take(self, packet: bytes, now: float) -> None:
        shape, counters = self.shape, self.counters
        if shape.only_tcp_443 and not tcp_port_443(packet, destination=self.name == "up"):
            counters.filtered += 1
            return
        if self.link.down(now):
            counters.in_outage += 1
            return
        start = max(now, self._busy_until)
        if shape.rate_kbps is not None:
            if (start - now) * 1000 > shape.queue_ms:
                counters.overflowed += 1
                return
            departs = start + len(packet) * 8 / (shape.rate_kbps * 1000)
        else:
            departs = now
        self._busy_until = departs
        counters.queued_ms.append((start - now) * 1000)
        self._note(now, start - now)
        if self._lost():
            counters.lost += 1
            return
        jitter = random.uniform(-shape.jitter_ms, shape.jitter_ms) if shape.jitter_ms else 0.0
        arrives = max(departs + max(0.0, shape.delay_ms + jitter) / 1000, self._last_arrival)
        self._last_arrival = arrives
        self.link.loop.call_at(arrives, self._deliver, packet)

    def _deliver(self, packet: bytes) -> None:
        if self.link.down(self.link.loop.time()):
            self.counters.in_outage += 1  # in flight when the link went down
            return
        if self.link.outages and self.first_after_outage is None:
            self.first_after_outage = time.time()
        try:
            os.write(self.sink, packet)
        except OSError:
            return  # the other side's device is gone or full: the packet is lost
        self.counters.passed += 1
        self.counters.passed_bytes += len(packet)


class Link:
    def __init__(self, loop: asyncio.AbstractEventLoop, village: int, centre: int) -> None:
        self.loop = loop
        self.up = Direction("up", village, centre, self)
        self.down_dir = Direction("down", centre, village, self)
        self._down_until = 0.0
        self.outages: list[dict[str, float]] = []
        loop.add_reader(village, self.up.on_readable)
        loop.add_reader(centre, self.down_dir.on_readable)

    def down(self, now: float) -> bool:
        return now < self._down_until

    def outage(self, seconds: float) -> dict[str, float]:
        now = self.loop.time()
        self._down_until = now + seconds
        wall = time.time()
        for direction in (self.up, self.down_dir):
            direction.first_after_outage = None
        spell = {"from": wall, "to": wall + seconds}
        self.outages.append(spell)
        return spell

    def stats(self) -> dict[str, Any]:
        return {
            "up": self.up.counters.report(),
            "down": self.down_dir.counters.report(),
            "outages": self.outages,
            "first_after_outage": {"up": self.up.first_after_outage,
                                   "down": self.down_dir.first_after_outage},
        }


def answer(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


async def serve(village_name: str, centre_name: str) -> None:
    loop = asyncio.get_running_loop()
    village, centre = open_tun(village_name), open_tun(centre_name)
    link = Link(loop, village, centre)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    answer(event="ready", pid=os.getpid())
    while line := (await reader.readline()).decode().strip():
        try:
            command = json.loads(line)
            kind = command.get("cmd")
            if kind == "shape":
                up = Shape.from_dict(command.get("up", {}))
                down = Shape.from_dict(command.get("down", {}))
                link.up.set_shape(up)
                link.down_dir.set_shape(down)
                answer(event="shaped", up=asdict(up), down=asdict(down))
            elif kind == "outage":
                answer(event="outage", **link.outage(float(command["seconds"])))
            elif kind == "stats":
                answer(event="stats", **link.stats())
            elif kind == "reset":
                for direction in (link.up, link.down_dir):
                    direction.counters = Counters()
                link.outages.clear()
                answer(event="reset")
            elif kind == "quit":
                break
            else:
                answer(event="error", detail=f"unknown command {kind!r}")
        except (ValueError, KeyError, TypeError) as exc:
            answer(event="error", detail=str(exc))
    os.close(village)
    os.close(centre)


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tests.support.link_forwarder VILLAGE_TUN CENTRE_TUN")
    with contextlib.suppress(OSError):
        os.nice(-10)  # its timers are the link's clock: keep them punctual on a busy box
    asyncio.run(serve(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
