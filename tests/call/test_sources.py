"""Media sources: devices that are missing, end or stall fall back; frames are shared."""

from __future__ import annotations

import asyncio

import av

from kiosk.call.events import DeviceFallback, EventStream
from kiosk.call.frames import FrameSlot
from kiosk.call.pattern import read_stamp
from kiosk.call.sources import (
    AudioSource,
    SourceState,
    ToneReader,
    VideoSource,
    encode_jpeg,
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


async def test_the_tone_is_stereo_20_ms() -> None:
    frame = await ToneReader().recv()
    assert (frame.samples, frame.sample_rate, frame.format.name) == (960, 48000, "s16")


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
