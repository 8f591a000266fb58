"""The kiosk's screen: held frames shown in their places, spread over a wait (screen.py)."""

from __future__ import annotations

import asyncio
import fractions
import itertools
import time
from collections.abc import Callable

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from kiosk.call.frames import FrameSlot
from kiosk.call.peer import ConsultationPeer
from kiosk.call.playout import PlayoutClock
from kiosk.call.screen import STRETCH_S


class PacedTrack(MediaStreamTrack):
    """Decoded frames as aiortc's receiver hands them on: each at its arrival, or at once
    if it arrived while the reader was busy (they wait in the track's queue)."""

    kind = "video"

    def __init__(self, arrivals: list[float], fps: int) -> None:
        super().__init__()
        self.arrivals = arrivals
        self.fps = fps
        self.sent = 0

    async def recv(self) -> av.VideoFrame:
        if self.sent == len(self.arrivals):
            self.stop()
            raise MediaStreamError
        wait = self.arrivals[self.sent] - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        frame = av.VideoFrame(64, 48, "yuv420p")
        frame.pts = self.sent * 90_000 // self.fps
        frame.time_base = fractions.Fraction(1, 90_000)
        self.sent += 1
        return frame


async def shown_on_the_screen(
    arrivals: list[float], fps: int, hold: float,
    prepare: Callable[[ConsultationPeer], None] = lambda peer: None,
) -> list[tuple[float, int]]:
    """(when, pts) of each frame the peer's screen showed, of frames that come from the
    decoder at `arrivals`, with our screen's hold at `hold`."""
    shown: list[tuple[float, int]] = []

    def take() -> None:
        frame = slot.take()
        if frame is not None and frame.pts is not None:
            shown.append((time.monotonic(), int(frame.pts)))

    slot: FrameSlot[av.VideoFrame] = FrameSlot(take)
    peer = ConsultationPeer("kiosk", remote_video=slot)
    try:
        peer.playout_here.delay_ms = int(hold * 1000)
        prepare(peer)
        async with asyncio.timeout(10):
            await peer._receive_video(PacedTrack(arrivals, fps))
            while len(shown) < len(arrivals):
                await asyncio.sleep(0.02)
    finally:
        await peer.aclose()
    return shown


def paced(fps: int, seconds: int) -> list[float]:
    start = time.monotonic() + 0.05
    return [start + n / fps for n in range(seconds * fps)]


async def test_a_held_frame_does_not_hold_up_the_next() -> None:
    """Our screen's hold is the same for every frame of a steady stream, however long the
    call: reading the next frame only after the last one's hold took each as arriving a
    frame after the one before was due, and the clock's least delay crept up with the
    hold (P4: the lawyer's picture aged 150-200 ms in a call)."""
    fps, hold = 24, 0.2
    arrivals = paced(fps, 3)
    # three frames waited 150 ms for a retransmission and come with the one behind them
    for n in (30, 31, 32):
        arrivals[n] = arrivals[33]

    def renew_quickly(peer: ConsultationPeer) -> None:
        peer.screen.clock = PlayoutClock(window_s=0.5)  # the least delay renewed quickly

    shown = await shown_on_the_screen(arrivals, fps, hold, renew_quickly)
    waits = [at - arrivals[pts * fps // 90_000] for at, pts in shown]
    assert [pts for _, pts in shown] == sorted(pts for _, pts in shown)  # in order
    steady = [w for n, w in enumerate(waits) if not 30 <= n <= 32]
    assert all(hold - 0.03 < w < hold + 0.03 for w in steady), [round(w, 3) for w in waits]
    # the late ones keep their places: each shown at its own time, not all at once
    late = [at for at, pts in shown if 30 <= pts * fps // 90_000 <= 33]
    assert late[-1] - late[0] > 2.5 / fps


async def test_held_frames_are_spread_over_a_wait_for_a_retransmission() -> None:
    """Frames behind a lost packet come a round trip late. The frames already held are
    spread out until then, so that the picture keeps moving (no gap over P4's 200 ms,
    where shown as they were due it stood still for 340 ms), and it catches up at once
    when the late frames come: the frames after them are held as before."""
    fps, hold, wait = 24, 0.1, 0.4
    arrivals = paced(fps, 3)
    # a packet of frame 30 was lost: the gap shows with its next packet, and frames 30-39
    # come with the retransmission, `wait` later
    repaired = arrivals[30] + wait
    for n in range(30, 40):
        arrivals[n] = repaired

    def expected(now: float) -> float | None:  # what the receive path knows of the hole
        return repaired if arrivals[29] + 0.5 / fps <= now < repaired else None

    def await_the_hole(peer: ConsultationPeer) -> None:
        peer.screen.awaited = expected

    shown = await shown_on_the_screen(arrivals, fps, hold, await_the_hole)
    frames = [pts * fps // 90_000 for _, pts in shown]
    assert frames == sorted(frames)  # in order
    # only the newest of a burst is drawn, as on a screen: gaps between bursts
    drawn = [at for n, (at, _) in enumerate(shown)
             if n + 1 == len(shown) or shown[n + 1][0] - at > 0.005]
    gaps = [b - a for a, b in itertools.pairwise(drawn)]
    assert max(gaps) < STRETCH_S + 0.03, [round(g, 3) for g in gaps]
    waits = [at - arrivals[n] for (at, _), n in zip(shown, frames, strict=True)]
    assert all(hold - 0.03 < w < hold + 0.03 for w in waits[45:]), [round(w, 3) for w in waits]
