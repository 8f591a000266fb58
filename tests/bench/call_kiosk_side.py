"""The kiosk's side of a benchmark call (P1-P3), alone in its own process.

    python -m tests.bench.call_kiosk_side HUB_URL TOKEN [--read-stamps] [--ice] [--own-cpu]

The bare `kiosk.call` stack as the app drives it (`SignalClient` + `Consultation`
with the 640x480 test-pattern camera at 15 fps and the test tone, received audio
dropped, no Qt), so that its CPU time is this process's and nobody else's.
Commands come one a line on stdin, answers go as JSON lines to stdout; logs go
to stderr:

    call     start a consultation (the resident's tap): `started` with the wall
             clock just before `Consultation.start()`, later `state` for each
             state, `peer` for each state of its peer connection, and
             `first_frame` when the first remote frame reaches the
             `remote_video` FrameSlot (what the UI draws from)
    stats    the last `MediaStats` of the call
    stamps   (with --read-stamps) the ages of the stamps of the remote frames
             read since the last `stamps`, and the wall clock (ms) of each new
             frame: every frame is taken from the slot when it is put there and
             read with `read_stamp`
    hangup   the resident hangs up; `ended`
    quit     close everything and exit
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
import time
from typing import Any

import av

from kiosk.api.client import HubClient
from kiosk.call.consultation import Consultation
from kiosk.call.events import CallEvent, FirstFrame, MediaStats, PeerStateChanged, StateChanged
from kiosk.call.frames import FrameSlot
from kiosk.call.pattern import read_stamp
from kiosk.call.settings import CallSettings
from kiosk.call.signal_client import SignalClient, signal_url
from kiosk.domain.codes import ServiceCode

log = logging.getLogger("kiosk side")
SETTINGS = CallSettings(
    camera="test-pattern", microphone="test-tone", speaker="none", width=640, height=480, fps=15
)


class ProcessCpu:
    """This process's share of the machine's cores since the last reading: in P4 the kiosk
    plays a terminal of its own, so the lawyer's browser sharing this machine must not
    make its send ladder step down (`--own-cpu`)."""

    def __init__(self) -> None:
        self._last: tuple[float, float] | None = None

    def sample(self) -> float | None:
        times = os.times()
        now = (times.user + times.system, time.monotonic())
        last, self._last = self._last, now
        if last is None or now[1] <= last[1]:
            return None
        return (now[0] - last[0]) / (now[1] - last[1]) / (os.cpu_count() or 1)


REFRESH_S = 1 / 60  # the kiosk's screen


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}, default=str), flush=True)


class KioskSide:
    def __init__(self, hub_url: str, token: str, read_stamps: bool, ice: bool,
                 own_cpu: bool = False) -> None:
        self.cpu = ProcessCpu() if own_cpu else None
        self.signal = SignalClient(signal_url(hub_url), token)
        self.hub = HubClient(hub_url, token) if ice else None
        self.read_stamps = read_stamps
        self.call: Consultation | None = None
        self.slot: FrameSlot[av.VideoFrame] | None = None
        self.first_frame_at: float | None = None
        self.stats: MediaStats | None = None
        self.ages: list[float] = []
        self.times: list[float] = []  # wall ms of each new frame
        self.aged_at: list[float] = []  # wall ms of the frame of each age
        self.unreadable = 0
        self.repeats = 0
        self._last_counter = -1
        self._refresh_due = False

    # --- events of the call, on the loop's thread --------------------------------------------

    def on_event(self, event: CallEvent) -> None:
        if isinstance(event, StateChanged):
            emit("state", new=str(event.new), t=time.time(), detail=event.detail)
        elif isinstance(event, PeerStateChanged):
            emit("peer", new=str(event.new), t=time.time(), detail=event.detail)
        elif isinstance(event, MediaStats):
            self.stats = event
            log.info("stats: sent %.0f kbit/s (target %s, estimate %s), received %.0f kbit/s "
                     "%.1f fps, rtt %s ms, %s, %s", event.send_kbps, event.target_kbps,
                     event.estimate_kbps, event.recv_kbps, event.fps_in, event.rtt_ms,
                     event.send_step, event.policy)
        elif isinstance(event, FirstFrame):
            emit("first_frame_event", after_s=event.after_s, width=event.width,
                 height=event.height)

    def on_frame(self) -> None:
        """The slot went from empty to full: what wakes the UI to draw. The stamp is read at
        the screen's next refresh, from the newest frame by then, as the kiosk's window draws
        (and as the anchor's page reads the frames its `<video>` presents): frames a
        retransmission releases together are not each seen."""
        now = time.time()
        if self.first_frame_at is None:
            self.first_frame_at = now
            emit("first_frame", t=now)
        if not self.read_stamps or self.slot is None or self._refresh_due:
            return
        self._refresh_due = True
        asyncio.get_running_loop().call_later(REFRESH_S - time.monotonic() % REFRESH_S,
                                              self.on_refresh)

    def on_refresh(self) -> None:
        self._refresh_due = False
        frame = None if self.slot is None else self.slot.take()
        if frame is None:
            return
        now = time.time()
        stamp = read_stamp(frame)
        if stamp is None:
            self.unreadable += 1
            self.times.append(now * 1000)
        elif stamp.counter == self._last_counter:
            self.repeats += 1
        else:
            self._last_counter = stamp.counter
            self.ages.append(now * 1000 - stamp.wall_ms)
            self.aged_at.append(now * 1000)
            self.times.append(now * 1000)

    # --- commands ------------------------------------------------------------------------------

    async def start_call(self) -> None:
        if self.call is not None:
            await self.end_call()
        self.first_frame_at = None
        self.stats = None
        self.slot = FrameSlot(self.on_frame)
        call = Consultation(
            self.signal, ServiceCode.LEGAL_CONSULTATION, settings=SETTINGS,
            on_event=self.on_event, remote_video=self.slot,
            ice_servers=self.hub.ice_servers if self.hub is not None else (),
            cpu_load=self.cpu.sample if self.cpu is not None else None,
        )
        self.call = call
        tapped = time.time()
        await call.start()
        emit("started", t=tapped, consultation_id=str(call.consultation_id))

    async def end_call(self) -> None:
        call, self.call = self.call, None
        if call is not None:
            await call.hang_up()
            await call.aclose()
            emit("ended", state=str(call.state))

    def report_stats(self) -> None:
        stats = None if self.stats is None else dataclasses.asdict(self.stats)
        emit("stats", stats=stats)

    def report_stamps(self) -> None:
        ages, self.ages = self.ages, []
        times, self.times = self.times, []
        aged_at, self.aged_at = self.aged_at, []
        emit("stamps", ages=ages, agedAt=aged_at, times=times, unreadable=self.unreadable,
             repeats=self.repeats)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        commands = asyncio.StreamReader()
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(commands), sys.stdin
        )
        async with self.signal:
            await self.signal.wait_up(20)
            emit("ready", pid=os.getpid())
            while line := (await commands.readline()).decode().strip():
                if line == "call":
                    await self.start_call()
                elif line == "stats":
                    self.report_stats()
                elif line == "stamps":
                    self.report_stamps()
                elif line == "hangup":
                    await self.end_call()
                elif line == "quit":
                    break
                else:
                    emit("error", detail=f"unknown command {line!r}")
            await self.end_call()
        if self.hub is not None:
            await self.hub.aclose()
        emit("bye")


def main() -> None:
    parser = argparse.ArgumentParser(description="the kiosk's side of a benchmark call")
    parser.add_argument("hub_url")
    parser.add_argument("token")
    parser.add_argument("--read-stamps", action="store_true")
    parser.add_argument("--ice", action="store_true", help="STUN and TURN from the hub")
    parser.add_argument("--own-cpu", action="store_true",
                        help="the send ladder reads this process's CPU, not the machine's")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # e.g. KIOSK_DEBUG_LOGS=aioice.ice,kiosk.call.receive while finding out why a call failed
    for name in filter(None, os.environ.get("KIOSK_DEBUG_LOGS", "").split(",")):
        logging.getLogger(name).setLevel(logging.DEBUG)
    asyncio.run(KioskSide(args.hub_url, args.token, args.read_stamps, args.ice, args.own_cpu).run())


if __name__ == "__main__":
    main()
