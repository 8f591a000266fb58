"""Media sources: devices that are missing, end or stall fall back; frames are shared."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import av
import pytest

from kiosk.call.events import DeviceFallback, EventStream
from kiosk.call.frames import FrameSlot
from kiosk.call.pattern import read_stamp
from kiosk.call.settings import CallSettings
from kiosk.call.sources import (
    AudioSource,
    CameraUnavailable,
    DeviceError,
    SourceState,
    ToneReader,
    VideoSource,
    encode_jpeg,
    open_camera,
    open_speaker,
)


class StuckCamera:
    """Opens, then never delivers a frame (a wedged USB camera)."""

    def __init__(self) -> None:
        self.stopped = False

    async def recv(self) -> av.VideoFrame:
        await asyncio.Event().wait()
        raise AssertionError

    def stop(self) -> None:
        self.stopped = True


async def test_the_test_pattern_is_shared_and_previewed() -> None:
    preview: FrameSlot[av.VideoFrame] = FrameSlot()
    async with VideoSource("test-pattern", preview=preview) as video:
        first, second = video.track(), video.track()
        a = await first.recv()
        a_pts = a.pts
        b = await second.recv()
        assert read_stamp(a) is not None and read_stamp(b) is not None
        assert a.time_base == b.time_base and a_pts is not None
        later = await first.recv()
        assert later.pts is not None and later.pts > a_pts  # per-track time only moves on
        assert preview.peek() is not None
    assert preview.peek() is None  # privacy: the last face is dropped on close


async def test_a_camera_stream_that_ends_falls_back_once() -> None:
    events = EventStream()
    spec = "lavfi:testsrc=size=320x240:rate=15:duration=0.5"  # FFmpeg via aiortc's MediaPlayer
    async with VideoSource(spec, on_event=events) as video:
        track = video.track()
        frame = await track.recv()
        assert (frame.width, frame.height, frame.format.name) == (640, 480, "yuv420p")
        fallback = await events.wait_for(DeviceFallback)
        assert (fallback.kind, fallback.substitute, fallback.reason) == (
            "camera", "still", "camera stream ended")
        assert video.state == SourceState.FALLBACK
        still = await track.recv()
        assert read_stamp(still) is None and still.width == 640
    assert len(events.of(DeviceFallback)) == 1


async def test_a_missing_camera_falls_back_at_start() -> None:
    events = EventStream()
    async with VideoSource("/dev/video99", on_event=events) as video:
        assert video.state == SourceState.FALLBACK
        assert "/dev/video99" in events.of(DeviceFallback)[0].reason
        assert (await video.track().recv()).width == 640


async def test_a_stalled_camera_falls_back() -> None:
    events = EventStream()
    camera = StuckCamera()

    async def open_stuck() -> StuckCamera:
        return camera

    async with VideoSource("/dev/video0", on_event=events, opener=open_stuck,
                           stall_after_s=0.2) as video:
        fallback = await events.wait_for(DeviceFallback)
        assert "no camera data" in fallback.reason
        assert video.state == SourceState.FALLBACK
    assert camera.stopped


async def test_a_missing_microphone_gives_silence() -> None:
    events = EventStream()
    async with AudioSource("alsa:no-such-card", on_event=events) as audio:
        frame = await audio.track().recv()
        assert (frame.samples, frame.sample_rate, frame.layout.name) == (960, 48000, "stereo")
        assert bytes(frame.planes[0]) == bytes(960 * 4)
        assert events.of(DeviceFallback)[0].substitute == "silence"


async def test_a_muted_microphone_sends_silence_and_unmutes_without_a_gap() -> None:
    async with AudioSource("test-tone") as audio:
        tap = audio.track()

        async def loudest(frames: int) -> int:
            peak = 0
            for _ in range(frames):
                data = bytes((await tap.recv()).planes[0])
                peak = max(peak, max(data[1::2]))  # high bytes of s16 samples
            return peak

        assert await loudest(60) > 0  # the tone beeps once a second: 60 x 20 ms holds one
        audio.muted = True
        assert await loudest(60) == 0
        audio.muted = False
        assert await loudest(60) > 0


async def test_the_tone_is_stereo_20_ms() -> None:
    frame = await ToneReader().recv()
    assert (frame.samples, frame.sample_rate, frame.format.name) == (960, 48000, "s16")


async def test_the_tone_catches_up_after_a_busy_loop_as_a_microphone_would() -> None:
    """A loop blocked for 100 ms owes five 20 ms frames: they come at once, so the RTP clock
    keeps to the wall clock. Blocked for a second, it starts again from now."""
    tone = ToneReader()
    await tone.recv()
    time.sleep(0.1)  # the loop is busy (a blocking call), as on a loaded terminal
    started = time.monotonic()
    for _ in range(5):
        await tone.recv()
    assert time.monotonic() - started < 0.06  # paced, five frames would take 80 ms or more
    time.sleep(1.0)
    started = time.monotonic()
    for _ in range(3):
        await tone.recv()
    assert time.monotonic() - started > 0.03  # no burst of 50 frames


async def test_a_missing_speaker_discards() -> None:
    events = EventStream()
    sink = open_speaker("alsa:no-such-card", events)
    tone = ToneReader()
    sink.write(await tone.recv())  # FFmpeg opens the ALSA device on the first packet
    fallback = await events.wait_for(DeviceFallback, timeout=10)
    assert (fallback.kind, fallback.substitute) == ("speaker", "discard")
    sink.write(await tone.recv())  # no error, nothing played
    sink.close()


def test_jpeg_of_a_frame() -> None:
    from kiosk.call.pattern import draw_test_pattern

    data = encode_jpeg(draw_test_pattern(1), quality=80)
    assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    decoded = next(iter(av.open(__import__("io").BytesIO(data)).decode(video=0)))
    assert (decoded.width, decoded.height) == (640, 480)


# --- document stills at full resolution ----------------------------------------------------

STILL = (1920, 1080)
# a stand-in for a V4L2 camera: whatever size it is opened at, as V4L2 would
LAVFI_CAMERA = "lavfi:testsrc2=size={width}x{height}:rate=15,format=yuv420p"


def jpeg_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    with av.open(io.BytesIO(data)) as container:
        frame = next(iter(container.decode(video=0)))
    return frame.width, frame.height


async def live_frames(video: VideoSource, seconds: float) -> list[av.VideoFrame]:
    """What one peer's track gets in `seconds`."""
    tap = video.track()
    frames: list[av.VideoFrame] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        frames.append(await tap.recv())
    tap.stop()
    return frames


def player_threads() -> int:
    return sum(t.name == "media-player" for t in threading.enumerate())


async def test_the_test_pattern_still_is_full_size_and_the_call_is_not() -> None:
    async with VideoSource("test-pattern", still_size=STILL) as video:
        tap = video.track()
        before = read_stamp(await tap.recv())
        assert before is not None
        jpeg = await video.snapshot_jpeg()
        assert jpeg_size(jpeg) == STILL
        with av.open(io.BytesIO(jpeg)) as container:
            stamp = read_stamp(next(iter(container.decode(video=0))))
        assert stamp is not None and stamp.counter >= before.counter  # the pattern's own
        counters = []
        for _ in range(3):
            frame = await tap.recv()
            assert (frame.width, frame.height) == (640, 480)
            stamp = read_stamp(frame)
            assert stamp is not None
            counters.append(stamp.counter)
        assert counters == sorted(counters) and counters[0] > before.counter


async def test_without_a_still_size_the_still_is_the_live_frame() -> None:
    async with VideoSource("test-pattern") as video:
        await video.changed(2)
        assert jpeg_size(await video.snapshot_jpeg()) == (640, 480)


async def test_a_camera_is_reopened_for_the_still_and_the_call_resumes() -> None:
    events = EventStream()
    preview: FrameSlot[av.VideoFrame] = FrameSlot()
    async with VideoSource(LAVFI_CAMERA, still_size=STILL, on_event=events,
                           preview=preview) as video:
        tap = video.track()
        first = await tap.recv()
        assert (first.width, first.height) == (640, 480)
        held = video.latest
        during: list[av.VideoFrame] = []

        async def watch() -> None:
            while True:
                during.append(await tap.recv())

        watcher = asyncio.create_task(watch())
        jpeg = await video.snapshot_jpeg()
        watcher.cancel()
        assert jpeg_size(jpeg) == STILL
        # meanwhile the call got the last live frame again, at the call's size
        assert any(frame is held for frame in during)
        assert all((f.width, f.height) == (640, 480) for f in during)
        after = await live_frames(video, 1.0)
        assert len({id(f) for f in after}) >= 5  # live again (the hold is 1 fps)
        assert all((f.width, f.height) == (640, 480) for f in after)
        assert video.state == SourceState.LIVE
        assert preview.peek() is not None
        # and again: the camera can be reopened as often as the lawyer asks
        assert jpeg_size(await video.snapshot_jpeg()) == STILL
        assert len(await live_frames(video, 0.5)) >= 3
    assert events.of(DeviceFallback) == []
    assert player_threads() == 0


async def test_a_camera_gives_the_nearest_size_it_has() -> None:
    capped = ("lavfi:testsrc2=size={width}x{height}:rate=15,"
              "scale=w='min(iw,1280)':h='min(ih,720)',format=yuv420p")
    async with VideoSource(capped, still_size=STILL) as video:
        await video.changed(5)
        assert jpeg_size(await video.snapshot_jpeg()) == (1280, 720)
        assert all((f.width, f.height) == (640, 480) for f in await live_frames(video, 0.5))


async def test_a_still_that_cannot_be_opened_is_the_live_frame() -> None:
    events = EventStream()
    # pad to 640x480 works for the call and fails for anything bigger: FFmpeg refuses
    spec = "lavfi:testsrc2=size={width}x{height}:rate=15,format=yuv420p,pad=640:480"
    async with VideoSource(spec, still_size=STILL, on_event=events) as video:
        await video.changed(5)
        assert jpeg_size(await video.snapshot_jpeg()) == (640, 480)
        after = await live_frames(video, 1.0)
        assert len({id(f) for f in after}) >= 5
        assert video.state == SourceState.LIVE
    assert events.of(DeviceFallback) == []


async def test_a_still_that_takes_too_long_is_the_live_frame() -> None:
    events = EventStream()
    async with VideoSource(LAVFI_CAMERA, still_size=STILL, on_event=events,
                           still_timeout_s=0.2) as video:  # less than the settling time
        await video.changed(5)
        jpeg = await video.snapshot_jpeg()
        # frames came but never settled: the newest of them; none at all: the live frame
        assert jpeg_size(jpeg) in (STILL, (640, 480))
        assert len({id(f) for f in await live_frames(video, 1.0)}) >= 5
        video.still_timeout_s = 0.0  # not even open in time
        assert jpeg_size(await video.snapshot_jpeg()) == (640, 480)
        assert len({id(f) for f in await live_frames(video, 1.0)}) >= 5
    assert events.of(DeviceFallback) == []
    await asyncio.sleep(0.5)  # an open left to its thread is closed when it returns
    assert player_threads() == 0


async def test_a_camera_that_cannot_be_reopened_falls_back_and_the_still_is_kept() -> None:
    events = EventStream()
    opened = 0

    async def open_once() -> object:
        nonlocal opened
        opened += 1
        if opened > 1:
            raise DeviceError("/dev/video0 busy")  # as if another program took it
        return await open_camera(LAVFI_CAMERA)

    async with VideoSource(LAVFI_CAMERA, still_size=STILL, on_event=events,
                           opener=open_once) as video:
        await video.changed(5)
        assert jpeg_size(await video.snapshot_jpeg()) == STILL
        fallback = await events.wait_for(DeviceFallback)
        assert "reopened" in fallback.reason and "busy" in fallback.reason
        assert video.state == SourceState.FALLBACK
        frame = await video.track().recv()
        assert read_stamp(frame) is None and frame.width == 640  # the "unavailable" still
        with pytest.raises(CameraUnavailable):
            await video.snapshot_jpeg()
    assert len(events.of(DeviceFallback)) == 1


async def test_closing_during_a_still_leaves_no_device_open() -> None:
    video = VideoSource(LAVFI_CAMERA, still_size=STILL)
    await video.start()
    await video.changed(5)
    taking = asyncio.create_task(video.snapshot_jpeg())
    await asyncio.sleep(0.2)  # the still's camera is open, settling
    await video.aclose()
    with pytest.raises(CameraUnavailable):
        await taking
    assert video.state == SourceState.CLOSED
    await asyncio.sleep(0.5)
    assert player_threads() == 0


async def test_a_caller_that_gives_up_does_not_leave_the_camera_closed() -> None:
    async with VideoSource(LAVFI_CAMERA, still_size=STILL) as video:
        await video.changed(5)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await video.snapshot_jpeg()
        await asyncio.sleep(2)  # the still is finished without its caller
        assert video.state == SourceState.LIVE
        assert len({id(f) for f in await live_frames(video, 1.0)}) >= 5


def test_the_still_size_is_checked() -> None:
    assert (CallSettings().still_width, CallSettings().still_height) == STILL
    with pytest.raises(ValueError, match="still_width"):
        CallSettings(still_width=320)  # smaller than the call
    with pytest.raises(ValueError, match="still_width"):
        CallSettings(still_height=0)
    CallSettings(width=1280, height=720, still_width=1280, still_height=720)
