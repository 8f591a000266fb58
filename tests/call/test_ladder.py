"""The send-size ladder: the pure rule, the CPU reading, the tap, and a real aiortc call."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

import av
import pytest

from kiosk.call.events import EventStream, MediaStats, SendStepChanged
from kiosk.call.frames import FrameSlot
from kiosk.call.ladder import CpuMeter, SendLadder, build_steps
from kiosk.call.peer import ConsultationPeer
from kiosk.call.settings import LadderSettings
from kiosk.call.sources import AudioSource, NullAudioSink, VideoSource

STEPS = build_steps(640, 480, 15)
ROOMY_BPS = 1_000_000


class Clocked:
    """A ladder on a clock the test moves."""

    def __init__(self, settings: LadderSettings | None = None) -> None:
        self.now = 1000.0
        self.events = EventStream()
        self.ladder = SendLadder(STEPS, settings, on_event=self.events, clock=lambda: self.now)
        self.ladder.tick(None, ROOMY_BPS)  # as in a call: the meter's first reading is None

    def run(self, seconds: int, cpu: float | None, target_bps: int = ROOMY_BPS) -> None:
        """One tick a second for `seconds` seconds."""
        for _ in range(seconds):
            self.now += 1.0
            self.ladder.tick(cpu, target_bps)

    @property
    def step(self) -> str:
        return str(self.ladder.step)


def test_the_steps_follow_the_camera() -> None:
    assert [str(s) for s in STEPS] == ["640x480@15", "480x360@15", "320x240@15", "320x240@10"]
    # each step needs less bitrate than the one above; the last needs none
    floors = [s.min_bps for s in STEPS]
    assert floors == sorted(floors, reverse=True) and floors[-1] == 0
    # the call starts at full size on the policy's starting bitrate
    assert STEPS[0].min_bps <= 300_000
    odd = build_steps(650, 490, 24)
    assert all(s.width % 2 == 0 and s.height % 2 == 0 for s in odd)
    assert str(odd[-1]) == "324x244@16"


def test_a_busy_second_is_not_a_slow_machine() -> None:
    c = Clocked()
    for _ in range(5):
        c.run(2, 0.99)
        c.run(1, 0.5)
    assert c.step == "640x480@15" and c.ladder.changes == 0
    assert c.events.of(SendStepChanged) == []


def test_a_machine_out_of_cpu_steps_down_one_step_at_a_time(
        caplog: pytest.LogCaptureFixture) -> None:
    c = Clocked()
    caplog.set_level(logging.INFO, "kiosk.call.ladder")
    c.run(3, 0.95)
    assert c.step == "640x480@15"
    c.run(1, 0.95)
    assert c.step == "480x360@15"
    change = c.events.of(SendStepChanged)
    assert [(e.old, e.new) for e in change] == [("640x480@15", "480x360@15")]
    assert "CPU 95%" in change[0].detail
    assert "send ladder: 640x480@15 -> 480x360@15" in caplog.text
    c.run(4, 0.95)
    c.run(4, 0.95)
    assert c.step == "320x240@10"
    # the bottom is the bottom: nothing more to emit however long it lasts
    c.run(20, 1.0)
    assert c.step == "320x240@10" and c.ladder.changes == 3
    # between the marks the ladder holds where it is
    c.run(60, 0.8)
    assert c.step == "320x240@10"


def test_it_climbs_back_when_there_is_room_and_waits_longer_after_a_failed_climb() -> None:
    c = Clocked()
    c.run(4, 0.95)
    assert c.step == "480x360@15"
    c.run(9, 0.5)
    assert c.step == "480x360@15"
    c.run(1, 0.5)
    assert c.step == "640x480@15"
    # the climb brought the load back: down again, and the next climb waits twice as long
    c.run(4, 0.95)
    assert c.step == "480x360@15"
    assert "next climb after 20 s" in c.events.of(SendStepChanged)[-1].detail
    c.run(19, 0.5)
    assert c.step == "480x360@15"
    c.run(1, 0.5)
    assert c.step == "640x480@15"
    # a climb that held resets the wait
    c.run(30, 0.5)
    c.run(4, 0.95)
    c.run(10, 0.5)
    assert c.step == "640x480@15"


def test_an_unknown_load_neither_pushes_nor_holds_back() -> None:
    c = Clocked()
    c.run(30, None)
    assert c.step == "640x480@15"
    c.run(4, 0.99)
    c.run(10, None)
    assert c.step == "640x480@15"


def test_a_thin_uplink_steps_down_and_a_wide_one_back_up() -> None:
    c = Clocked()
    # the other side's estimate starts low and climbs: no step for the first seconds of it
    c.run(9, 0.3, target_bps=170_000)
    c.run(5, 0.3, target_bps=400_000)
    assert c.step == "640x480@15" and c.ladder.changes == 0
    c.run(10, 0.3, target_bps=200_000)  # under 640x480's 276 kbit/s for 10 s
    assert c.step == "480x360@15"
    assert "target 200 kbit/s under 276" in c.events.of(SendStepChanged)[0].detail
    c.run(30, 0.3, target_bps=200_000)  # carries 480x360; not enough to climb
    assert c.step == "480x360@15"
    # on the boundary it stays: a climb needs a quarter more than the step above
    c.run(30, 0.3, target_bps=STEPS[0].min_bps + 1_000)
    assert c.step == "480x360@15"
    c.run(10, 0.3, target_bps=96_000)
    c.run(10, 0.3, target_bps=96_000)
    assert c.step == "320x240@15"  # 96 kbit/s carries 320x240 at 15 fps
    c.run(10, 0.3, target_bps=ROOMY_BPS)
    c.run(10, 0.3, target_bps=ROOMY_BPS)
    assert c.step == "640x480@15"


def test_bad_settings_are_refused() -> None:
    for bad in ({"cpu_low": 0.95}, {"up_after_s": 0}, {"climb_margin": 0.5},
                {"bits_per_pixel": 0}, {"down_after_s": 0}, {"starved_after_s": -1}):
        with pytest.raises(ValueError):
            LadderSettings(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SendLadder(())


def test_the_cpu_meter_reads_the_machine(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    line = "cpu  {user} 0 {system} {idle} {iowait} 0 0 0 0 0\ncpu0 1 2 3 4\n"
    stat.write_text(line.format(user=100, system=100, idle=700, iowait=100))
    meter = CpuMeter(str(stat))
    assert meter.sample() is None  # nothing to compare with yet
    stat.write_text(line.format(user=250, system=200, idle=800, iowait=150))
    assert meter.sample() == pytest.approx(250 / 400)
    assert meter.sample() is None  # no time passed
    for garbage in ("", "cpu x y z w v\n", "intr 1 2 3 4 5\n", "\x00\xff"):
        stat.write_bytes(garbage.encode("latin-1"))
        assert meter.sample() is None
    stat.unlink()
    assert meter.sample() is None
    real = CpuMeter()
    real.sample()
    time.sleep(0.2)
    busy = real.sample()
    assert busy is not None and 0.0 <= busy <= 1.0


async def test_the_tap_scales_and_paces_what_goes_out() -> None:
    source = VideoSource("test-pattern", fps=15)
    await source.start()
    tap = source.track()
    try:
        frame = await tap.recv()
        assert (frame.width, frame.height) == (640, 480)
        assert frame is source.latest  # full size: the source's own frame, no copy
        tap.send_at(480, 360, 15)
        frame = await tap.recv()
        assert (frame.width, frame.height, frame.format.name) == (480, 360, "yuv420p")
        assert frame is not source.latest and frame.pts is not None
        tap.send_at(320, 240, 10)
        before_source, before_sent = source.frames, tap.sent
        async with asyncio.timeout(10):
            while source.frames - before_source < 45:
                frame = await tap.recv()
                assert (frame.width, frame.height) == (320, 240)
        share = (tap.sent - before_sent) / (source.frames - before_source)
        assert 0.55 <= share <= 0.8  # two of every three frames of 15 fps
        # frozen (audio only) at a small step: the still goes out at the step's size
        tap.freeze()
        frozen = await tap.recv()
        assert (frozen.width, frozen.height) == (320, 240)
    finally:
        tap.stop()
        await source.aclose()


def sizes_slot(sizes: list[tuple[int, int]]) -> FrameSlot[av.VideoFrame]:
    def take() -> None:
        frame = slot.take()
        if frame is not None:
            sizes.append((frame.width, frame.height))

    slot: FrameSlot[av.VideoFrame] = FrameSlot(take)
    return slot


async def wait_until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)


async def test_a_real_call_goes_down_the_ladder_and_back() -> None:
    """aiortc both ways: the lawyer's side decodes the kiosk's video at each step's size."""
    load: list[float | None] = [0.3]
    events = EventStream()
    # About the CPU only: steps that need few bits, so that the estimate of an aiortc on
    # loopback, capped at 1.5x the easy test pattern's rate, never holds a climb back.
    settings = LadderSettings(down_after_s=0.5, up_after_s=0.5, bits_per_pixel=0.01)
    ladder = SendLadder(build_steps(640, 480, 15, settings), settings, on_event=events)
    sources: list[VideoSource | AudioSource] = []

    async def side(name: str, received: list[tuple[int, int]], **kw: object) -> ConsultationPeer:
        video, audio = VideoSource("test-pattern"), AudioSource("test-tone")
        for s in (video, audio):
            await s.start()
            sources.append(s)
        return ConsultationPeer(name, video=video, audio=audio, stats_interval_s=0.25,
                                remote_video=sizes_slot(received),
                                remote_audio=NullAudioSink(), **kw)  # type: ignore[arg-type]

    at_lawyer: list[tuple[int, int]] = []
    kiosk = await side("kiosk", [], ladder=ladder, cpu_load=lambda: load[0], on_event=events)
    lawyer = await side("lawyer", at_lawyer)
    try:
        await kiosk.accept_answer(await lawyer.answer(await kiosk.create_offer()))
        await wait_until(lambda: (640, 480) in at_lawyer)
        stats = await events.wait_for(MediaStats, lambda s: s.fps_out > 0)
        assert stats.send_step == "640x480@15" and stats.cpu_busy == 0.3

        load[0] = 0.97  # the machine is out of CPU
        await wait_until(lambda: str(ladder.step) == "320x240@10")
        await wait_until(lambda: at_lawyer[-1] == (320, 240))
        steps = [(e.old, e.new) for e in events.of(SendStepChanged)]
        assert steps == [("640x480@15", "480x360@15"), ("480x360@15", "320x240@15"),
                         ("320x240@15", "320x240@10")]
        # every size went through the encoder and the lawyer's decoder
        assert {(640, 480), (480, 360), (320, 240)} <= set(at_lawyer)
        await events.wait_for(MediaStats, lambda s: s.send_step == "320x240@10")

        load[0] = 0.8  # between the marks: it stays
        held = len(at_lawyer)
        await wait_until(lambda: len(at_lawyer) >= held + 20)
        assert str(ladder.step) == "320x240@10" and at_lawyer[-1] == (320, 240)

        load[0] = 0.2  # room again: back up to the camera's size
        await wait_until(lambda: str(ladder.step) == "640x480@15")
        await wait_until(lambda: at_lawyer[-1] == (640, 480))
    finally:
        await kiosk.aclose()
        await lawyer.aclose()
        for s in sources:
            await s.aclose()
