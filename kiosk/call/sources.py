"""Media sources: the terminal's camera and microphone, or generated test media.

A source owns one device for the length of a consultation and hands each peer
connection its own track (`source.track()`): aiortc stops a track when its
sender stops, and a consultation rebuilds its peer connection after media loss,
so the device must outlive the tracks. Between them, only the latest video frame
is kept (a slow encoder gets the newest frame, never a backlog) and audio is a
short bounded queue.

Devices, chosen by the settings (`CallSettings.camera` / `.microphone`):

    camera      "test-pattern"   moving bars + a stamp (see `pattern.py`)
                "/dev/videoN"    V4L2 through aiortc's MediaPlayer (FFmpeg)
                "lavfi:<graph>"  an FFmpeg filter graph, for tests and diagnostics;
                                 "{width}" and "{height}" in it are replaced by the size
                                 asked for (the call's, or the still's: see below)
    microphone  "test-tone"      a short beep at every second of the wall clock
                "default"        ALSA's default device
                "alsa:<name>"    another ALSA device, e.g. "alsa:hw:1,0"
                "none"           silence
    speaker     "none"           received audio is dropped (tests)
                "default" / "alsa:<name>"  ALSA playback

A device that is missing, or that fails or stalls mid-call, is replaced by a
"camera unavailable" still (1 fps) or by silence, one `DeviceFallback` event
says so, and the call goes on with what works. The device is not reopened
during that call; the next consultation tries again.

Document stills (`VideoSource.snapshot_jpeg`) are taken at `still_size` (e.g.
1920x1080) while the call goes on at the call's size. The test pattern draws
one at that size. A V4L2 camera streams one format at a time and cannot be
opened twice, so for a still the live reader is stopped, the last live frame is
re-sent once a second meanwhile (the screen and the lawyer see it held), the
device is opened again at the still size (V4L2 gives the nearest size it can,
maybe less), a few frames go by while the exposure settles, one is kept, the
device is closed and reopened at the call's size. "lavfi:" cameras take the same
path (it is how the tests exercise it). If the still cannot be had in time, the
latest live frame is the still and the log says why; if the camera cannot be
reopened for the call afterwards, the usual fallback applies.

PyAV's wheels bring their own alsa-lib, which looks for its configuration in
the build's prefix: unless `ALSA_CONFIG_PATH` is set, it is pointed at Debian's
`/usr/share/alsa/alsa.conf` before the first ALSA device is opened.

Timeouts here (and everywhere in kiosk.call) use `asyncio.timeout`, never
`asyncio.wait_for`: on Python 3.11 `wait_for` returns the result instead of
raising when a cancellation arrives just as the awaited call completes, and a
pump or an aiortc sender that loses its cancellation never stops (measured:
`RTCPeerConnection.close()` hanging until our 10 s guard).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fractions
import logging
import math
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol, Self

import av
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.video.reformatter import VideoReformatter

from kiosk.call.events import DeviceFallback, DeviceKind, EventSink, discard
from kiosk.call.frames import FrameSlot
from kiosk.call.pattern import draw_test_pattern, draw_unavailable

log = logging.getLogger(__name__)

VIDEO_CLOCK = 90_000
VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK)
AUDIO_RATE = 48_000
AUDIO_SAMPLES = 960  # 20 ms, what aiortc's Opus encoder packs
AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_RATE)
STILL_FPS = 1.0


class DeviceError(Exception):
    """A camera or microphone could not be opened; the message says which and why."""


class CameraUnavailable(DeviceError):
    """A still was asked for while the camera is missing or broken."""


class FrameReader(Protocol):
    """What a device gives: aiortc's `MediaStreamTrack` (a MediaPlayer's track) fits."""

    async def recv(self) -> Any: ...

    def stop(self) -> None: ...


# --- generated media ---------------------------------------------------------------------


# How far behind the tone and the silence may fall and still send every 20 ms they owe.
AUDIO_CATCH_UP_S = 0.2


class _Paced:
    """Wakes `rate` times a second on the loop clock.

    Video skips late wake-ups (a late picture is a stale one). Sound catches up, as a
    microphone's buffer does: a skipped 20 ms would leave the RTP clock behind the wall
    clock, and the receiver would conceal every such late packet. Behind by more than
    `catch_up_s`, it starts again from now."""

    def __init__(self, rate: float, catch_up_s: float = 0.0) -> None:
        self._period = 1.0 / rate
        self._catch_up_s = catch_up_s
        self._next: float | None = None

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._next is None:
            self._next = now
        elif self._next > now:
            await asyncio.sleep(self._next - now)
        elif now - self._next > max(self._period, self._catch_up_s):
            self._next = now
        self._next += self._period


class TestPatternReader:
    """The moving bars with a frame counter and the wall-clock stamp, at `fps`."""

    __test__ = False  # not a pytest class

    def __init__(self, width: int = 640, height: int = 480, fps: float = 15) -> None:
        self.width, self.height = width, height
        self._pace = _Paced(fps)
        self.counter = 0

    async def recv(self) -> av.VideoFrame:
        await self._pace.wait()
        frame = draw_test_pattern(self.counter, None, self.width, self.height)
        self.counter += 1
        return frame

    def stop(self) -> None:
        pass


class StillReader:
    """One frame again and again, at `fps` (the "camera unavailable" still)."""

    def __init__(self, frame: av.VideoFrame, fps: float = STILL_FPS) -> None:
        self._frame = frame
        self._pace = _Paced(fps)

    async def recv(self) -> av.VideoFrame:
        await self._pace.wait()
        return self._frame

    def stop(self) -> None:
        pass


def _audio_frame(samples: bytes) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout="stereo", samples=AUDIO_SAMPLES)
    frame.planes[0].update(samples)
    frame.sample_rate = AUDIO_RATE
    frame.time_base = AUDIO_TIME_BASE
    return frame


def _silence_like(frame: av.AudioFrame) -> av.AudioFrame:
    silent = av.AudioFrame(format=frame.format.name, layout=frame.layout.name,
                           samples=frame.samples)
    for plane in silent.planes:
        plane.update(bytes(plane.buffer_size))
    silent.sample_rate = frame.sample_rate
    silent.time_base = frame.time_base
    return silent


class ToneReader:
    """A 100 ms, 880 Hz beep at -12 dBFS at every second of the wall clock; silence between.

    The beeps line up with the video stamp's clock, so a receiver can check
    lip-sync; stereo s16 at 48 kHz, 20 ms frames, as Opus wants them.
    """

    def __init__(self, freq: float = 880.0, beep_ms: int = 100, level: float = 0.25) -> None:
        self._pace = _Paced(AUDIO_RATE / AUDIO_SAMPLES, catch_up_s=AUDIO_CATCH_UP_S)
        period = array.array("h")
        # a whole number of cycles in one second: the table loops without a click
        for i in range(AUDIO_RATE):
            value = int(32767 * level * math.sin(2 * math.pi * freq * i / AUDIO_RATE))
            period.extend((value, value))
        self._tone = period.tobytes()
        self._silence = bytes(AUDIO_SAMPLES * 4)
        self._beep_samples = AUDIO_RATE * beep_ms // 1000

    async def recv(self) -> av.AudioFrame:
        await self._pace.wait()
        position = int((time.time() % 1.0) * AUDIO_RATE)
        if position >= self._beep_samples:
            return _audio_frame(self._silence)
        start = position * 4
        chunk = self._tone[start:start + AUDIO_SAMPLES * 4]
        return _audio_frame(chunk.ljust(AUDIO_SAMPLES * 4, b"\0"))

    def stop(self) -> None:
        pass


class SilenceReader:
    def __init__(self) -> None:
        self._pace = _Paced(AUDIO_RATE / AUDIO_SAMPLES, catch_up_s=AUDIO_CATCH_UP_S)
        self._silence = bytes(AUDIO_SAMPLES * 4)

    async def recv(self) -> av.AudioFrame:
        await self._pace.wait()
        return _audio_frame(self._silence)

    def stop(self) -> None:
        pass


# --- devices -----------------------------------------------------------------------------


def _prepare_alsa() -> None:
    if "ALSA_CONFIG_PATH" not in os.environ and os.path.exists("/usr/share/alsa/alsa.conf"):
        os.environ["ALSA_CONFIG_PATH"] = "/usr/share/alsa/alsa.conf"


def _alsa_name(spec: str) -> str:
    return "default" if spec == "default" else spec.removeprefix("alsa:")


def _close_player(player: MediaPlayer) -> None:
    """Stop a player's tracks; one never started closes its container (and the device)."""
    for track in (player.audio, player.video):
        if track is not None:
            track.stop()


def _close_orphan(opening: asyncio.Future[MediaPlayer]) -> None:
    """A player whose opener was cancelled (a timeout, a close) must not keep the device."""
    if opening.cancelled() or opening.exception() is not None:
        return
    player = opening.result()
    log.info("closing a media device opened after its opener gave up")
    opening.get_loop().run_in_executor(None, _close_player, player)


async def _open_player(what: str, file: str, fmt: str, options: dict[str, str]) -> MediaPlayer:
    loop = asyncio.get_running_loop()
    # av.open blocks (a V4L2 device may take a second): not on the loop
    opening = loop.run_in_executor(
        None, lambda: MediaPlayer(file, format=fmt, options=options, timeout=5)
    )
    try:
        # shielded: a cancelled opener leaves the open to finish in its thread, then closed
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_orphan)
        raise
    except Exception as exc:
        raise DeviceError(f"{what} {file!r} cannot be opened: {exc}") from exc


async def open_camera(spec: str, width: int = 640, height: int = 480,
                      fps: float | None = 15) -> FrameReader:
    """A reader of video frames for a `camera` setting; `DeviceError` if it cannot open.

    `fps` None leaves a V4L2 camera at its own rate for that size (a still needs no rate).
    """
    if spec == "test-pattern":
        return TestPatternReader(width, height, fps or 15)
    if spec.startswith("lavfi:"):
        graph = spec.removeprefix("lavfi:")
        graph = graph.replace("{width}", str(width)).replace("{height}", str(height))
        player = await _open_player("camera", graph, "lavfi", {})
    elif spec.startswith("/dev/video"):
        options = {"video_size": f"{width}x{height}"}
        if fps is not None:
            options["framerate"] = f"{fps:g}"
        player = await _open_player("camera", spec, "v4l2", options)
    else:
        raise DeviceError(f'camera {spec!r}: expected "test-pattern" or "/dev/videoN"')
    if player.video is None:
        raise DeviceError(f"camera {spec!r} gives no video")
    track: FrameReader = player.video
    return track


async def open_microphone(spec: str) -> FrameReader:
    """A reader of 20 ms stereo s16 48 kHz frames for a `microphone` setting."""
    if spec == "test-tone":
        return ToneReader()
    if spec == "none":
        return SilenceReader()
    if spec == "default" or spec.startswith("alsa:"):
        _prepare_alsa()
        player = await _open_player("microphone", _alsa_name(spec), "alsa", {})
        if player.audio is None:
            raise DeviceError(f"microphone {spec!r} gives no audio")
        track: FrameReader = player.audio
        return track
    raise DeviceError(f'microphone {spec!r}: expected "test-tone", "default" or "alsa:NAME"')


async def _stop_reader(reader: FrameReader, *, blocking: bool) -> None:
    """MediaPlayer's stop joins its thread: off the loop, bounded, if the device may hang."""
    if not blocking:
        reader.stop()
        return
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(3):
            await loop.run_in_executor(None, reader.stop)
    except Exception:
        log.warning("a media device did not stop within 3 s; left to its thread", exc_info=True)


class SourceState(StrEnum):
    NEW = "new"
    LIVE = "live"
    FALLBACK = "fallback"
    CLOSED = "closed"


class _Source:
    """The shared life of a video or audio source: open, pump, fall back once, close."""

    kind: DeviceKind
    substitute: str

    def __init__(self, spec: str, opener: Callable[[], Any], on_event: EventSink,
                 stall_after_s: float) -> None:
        self.spec = spec
        self._opener = opener
        self._on_event = on_event
        self._stall_after_s = stall_after_s
        self.state = SourceState.NEW
        self.failure: str | None = None
        self._reader: FrameReader | None = None
        self._task: asyncio.Task[None] | None = None
        # a substitute paced by us stands in for a live device (a still is being taken)
        self._holding = False

    def _set_state(self, new: SourceState, reason: str = "") -> None:
        old = self.state
        if old == new:
            return
        self.state = new
        log.info("%s %s: %s -> %s%s", self.kind, self.spec, old, new,
                 f" ({reason})" if reason else "")
        if new == SourceState.FALLBACK:
            self.failure = reason
            self._on_event(DeviceFallback(self.kind, self.spec, reason, self.substitute))

    def _fallback_reader(self) -> FrameReader:
        raise NotImplementedError

    def _publish(self, item: Any) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        if self.state != SourceState.NEW:
            return
        try:
            self._reader = await self._opener()
            self._set_state(SourceState.LIVE)
        except DeviceError as exc:
            self._reader = self._fallback_reader()
            self._set_state(SourceState.FALLBACK, str(exc))
        self._task = asyncio.create_task(self._pump(), name=f"{self.kind}-pump")

    async def _pump(self) -> None:
        assert self._reader is not None
        while True:
            reader = self._reader
            try:
                # a substitute paces itself (1 fps): only a device can stall
                live = self.state == SourceState.LIVE and not self._holding
                stall = self._stall_after_s if live else None
                async with asyncio.timeout(stall):
                    item = await reader.recv()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.state == SourceState.FALLBACK:
                    log.exception("%s substitute failed", self.kind)
                    raise
                if isinstance(exc, TimeoutError):
                    reason = f"no {self.kind} data for {self._stall_after_s:g} s"
                elif isinstance(exc, MediaStreamError):
                    reason = f"{self.kind} stream ended"
                else:
                    reason = f"{self.kind} failed: {exc!r}"
                self._reader = self._fallback_reader()
                self._set_state(SourceState.FALLBACK, reason)
                await _stop_reader(reader, blocking=isinstance(exc, TimeoutError))
                continue
            self._publish(item)

    async def _replace_reader(self, reader: FrameReader) -> None:
        """Pump `reader` from now on. The old reader is not stopped here: the caller owns it.

        `reader` is ours (`aclose` stops it) before the first await, so a cancellation
        here leaks nothing; the cancelled caller's pump is then not restarted.
        """
        self._reader = reader
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            # asyncio.wait: our own cancellation is not swallowed with the pump's
            await asyncio.wait((task,))
        if task is not None and not task.cancelled() and task.exception() is not None:
            log.error("%s pump had failed", self.kind, exc_info=task.exception())
        self._task = asyncio.create_task(self._pump(), name=f"{self.kind}-pump")

    async def aclose(self) -> None:
        if self.state == SourceState.CLOSED:
            return
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._reader is not None:
            await _stop_reader(self._reader, blocking=True)
            self._reader = None
        self._set_state(SourceState.CLOSED)


class VideoSource(_Source):
    """One camera (or the test pattern), shared by the peer connections of a consultation.

    `still_size` is what a document still is asked at (None: the latest live frame, at
    the call's size); see the module's notes. With a custom `opener` the still is the
    live frame unless the spec is one `open_camera` can open again at another size.
    """

    kind: DeviceKind = "camera"
    substitute = "still"
    # A camera opened again for a still: frames let go by while its exposure settles
    # (at least this many, for at least this long), then the next one is the still.
    STILL_SKIP_FRAMES = 3
    STILL_SETTLE_S = 0.5
    REOPEN_ATTEMPTS = 2  # opening the camera for the call again after a still
    REOPEN_TIMEOUT_S = 5.0  # each
    REOPEN_PAUSE_S = 0.5  # a V4L2 device may be busy a moment after it was closed

    def __init__(self, spec: str = "test-pattern", *, width: int = 640, height: int = 480,
                 fps: float = 15, on_event: EventSink = discard,
                 preview: FrameSlot[av.VideoFrame] | None = None,
                 stall_after_s: float = 3.0,
                 opener: Callable[[], Any] | None = None,
                 still_size: tuple[int, int] | None = None,
                 still_timeout_s: float = 4.0) -> None:
        self.width, self.height, self.fps = width, height, fps
        super().__init__(
            spec, opener or (lambda: open_camera(spec, width, height, fps)), on_event,
            stall_after_s,
        )
        if still_size is not None and (still_size[0] <= 0 or still_size[1] <= 0):
            raise ValueError(f"still_size: expected positive, got {still_size!r}")
        self.still_size = still_size
        self.still_timeout_s = still_timeout_s  # opening at the still size + settling
        self.preview = preview
        self.latest: av.VideoFrame | None = None
        self.seq = 0
        self.frames = 0
        self._changed: asyncio.Future[None] | None = None
        self._unavailable: av.VideoFrame | None = None
        self._still_task: asyncio.Task[av.VideoFrame] | None = None

    def unavailable_frame(self) -> av.VideoFrame:
        """The "camera unavailable" still at this source's size."""
        if self._unavailable is None:
            self._unavailable = draw_unavailable(self.width, self.height)
        return self._unavailable

    def _fallback_reader(self) -> FrameReader:
        return StillReader(self.unavailable_frame())

    def _normalise(self, frame: av.VideoFrame) -> av.VideoFrame:
        if (frame.format.name != "yuv420p" or frame.width != self.width
                or frame.height != self.height):
            frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        return frame

    def _publish(self, item: Any) -> None:
        frame = self._normalise(item)
        self.latest = frame
        self.seq += 1
        self.frames += 1
        if self.preview is not None:
            self.preview.put(frame)
        self._wake()

    def _wake(self) -> None:
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)
        self._changed = None

    async def changed(self, timeout: float | None = None) -> None:
        """Wait for the next frame (or `timeout`)."""
        if self._changed is None:
            self._changed = asyncio.get_running_loop().create_future()
        # asyncio.wait neither cancels the shared future nor loses our cancellation
        await asyncio.wait((self._changed,), timeout=timeout)

    def track(self) -> VideoTap:
        return VideoTap(self)

    async def snapshot_jpeg(self, quality: int = 90) -> bytes:
        """A document still as a JPEG, at `still_size` where the camera can give it;
        `CameraUnavailable` if the camera is missing or broken."""
        frame = await self.still_frame()
        return await asyncio.get_running_loop().run_in_executor(
            None, encode_jpeg, frame, quality
        )

    async def still_frame(self) -> av.VideoFrame:
        """The frame for a document still (see the module's notes). From a camera opened
        again, it takes up to about `still_timeout_s` plus reopening for the call
        (`REOPEN_ATTEMPTS` x `REOPEN_TIMEOUT_S` at the very worst)."""
        task = self._still_task
        if task is None or task.done():
            frame = self.latest
            if self.state != SourceState.LIVE or frame is None:
                raise CameraUnavailable(f"camera {self.spec!r}: {self.failure or 'no frame yet'}")
            size = self.still_size
            if size is None or size == (frame.width, frame.height):
                return frame
            if self.spec == "test-pattern":
                reader = self._reader
                counter = reader.counter if isinstance(reader, TestPatternReader) else 0
                return await asyncio.get_running_loop().run_in_executor(
                    None, draw_still_pattern, counter, *size
                )
            if not self.spec.startswith(("/dev/video", "lavfi:")):
                return frame
            task = asyncio.create_task(self._take_still(size), name="camera-still")
            task.add_done_callback(_still_done)
            self._still_task = task
        try:
            # shielded: a caller that gives up does not leave the camera closed
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and current is not None and not current.cancelling():
                raise CameraUnavailable(
                    f"camera {self.spec!r}: closed while taking a still"
                ) from None
            raise

    async def _take_still(self, size: tuple[int, int]) -> av.VideoFrame:
        """Stop the live reader, hold its last frame, take a still, reopen the live reader."""
        held, live = self.latest, self._reader
        if self.state != SourceState.LIVE or held is None or live is None:
            # the camera failed between the request and this task's first step
            raise CameraUnavailable(f"camera {self.spec!r}: {self.failure or 'no frame yet'}")
        log.info("camera %s: taking a still at %dx%d", self.spec, *size)
        self._holding = True
        try:
            await self._replace_reader(StillReader(held))
        finally:
            # V4L2: one open at a time. Also if cancelled: `aclose` stops only the hold.
            await _stop_reader(live, blocking=True)
        still = await self._grab_still(size, held)
        try:
            reader = await self._reopen()
        except DeviceError as exc:
            self._holding = False
            self._set_state(SourceState.FALLBACK,
                            f"camera cannot be reopened after a document still: {exc}")
            await self._replace_reader(self._fallback_reader())
            return still
        self._holding = False
        await self._replace_reader(reader)
        log.info("camera %s: live again at %dx%d", self.spec, self.width, self.height)
        return still

    async def _grab_still(self, size: tuple[int, int], held: av.VideoFrame) -> av.VideoFrame:
        """The camera opened at `size` (bounded by `still_timeout_s`), or `held`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.still_timeout_s
        reader: FrameReader | None = None
        try:
            async with asyncio.timeout_at(deadline):
                reader = await open_camera(self.spec, *size, None)
            frame = await self._settled_frame(reader, deadline)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = (f"none within {self.still_timeout_s:g} s" if isinstance(exc, TimeoutError)
                      else "the stream ended" if isinstance(exc, MediaStreamError)
                      else str(exc) or repr(exc))
            log.warning("camera %s: no still at %dx%d (%s); the live frame (%dx%d) instead",
                        self.spec, *size, reason, held.width, held.height)
            return held
        finally:
            if reader is not None:
                await _stop_reader(reader, blocking=True)
        if frame.width * frame.height < held.width * held.height:
            log.warning("camera %s: a still of %dx%d is smaller than the call's; "
                        "the live frame instead", self.spec, frame.width, frame.height)
            return held
        log.info("camera %s: a still of %dx%d (%dx%d asked)", self.spec, frame.width,
                 frame.height, *size)
        return frame

    async def _settled_frame(self, reader: FrameReader, deadline: float) -> av.VideoFrame:
        loop = asyncio.get_running_loop()
        newest: av.VideoFrame | None = None
        seen = 0
        settled_at: float | None = None
        try:
            async with asyncio.timeout_at(deadline):
                while True:
                    newest = await reader.recv()
                    seen += 1
                    now = loop.time()
                    if settled_at is None:
                        settled_at = now + self.STILL_SETTLE_S
                    if seen > self.STILL_SKIP_FRAMES and now >= settled_at:
                        return newest
        except (TimeoutError, MediaStreamError) as exc:
            if newest is None:
                raise
            log.info("camera %s: %s after %d frames; the last of them is the still",
                     self.spec, "time is up" if isinstance(exc, TimeoutError)
                     else "the stream ended", seen)
            return newest

    async def _reopen(self) -> FrameReader:
        """The camera for the call again, `REOPEN_ATTEMPTS` tries; `DeviceError` if not."""
        error: DeviceError | None = None
        for attempt in range(self.REOPEN_ATTEMPTS):
            if attempt:
                await asyncio.sleep(self.REOPEN_PAUSE_S)
            try:
                async with asyncio.timeout(self.REOPEN_TIMEOUT_S):
                    reader: FrameReader = await self._opener()
                return reader
            except TimeoutError:
                error = DeviceError(f"camera {self.spec!r} not open within "
                                    f"{self.REOPEN_TIMEOUT_S:g} s")
            except DeviceError as exc:
                error = exc
            except Exception as exc:  # a custom opener's own error
                error = DeviceError(f"camera {self.spec!r} cannot be opened: {exc!r}")
            log.warning("camera %s: reopening for the call, try %d: %s", self.spec,
                        attempt + 1, error)
        assert error is not None
        raise error

    async def aclose(self) -> None:
        task = self._still_task
        if task is not None and not task.done():
            task.cancel()  # it stops what it opened; the held still is ours to stop
            await asyncio.wait((task,))
        self._still_task = None
        self._holding = False
        await super().aclose()
        self.latest = None
        if self.preview is not None:
            self.preview.clear()


def _still_done(task: asyncio.Task[av.VideoFrame]) -> None:
    """Its callers may all have gone: a failure is logged here, not lost."""
    if not task.cancelled() and not isinstance(task.exception(), CameraUnavailable | None):
        log.error("taking a document still failed", exc_info=task.exception())


def draw_still_pattern(counter: int, width: int, height: int) -> av.VideoFrame:
    """The test pattern as a still of exactly `width` x `height`: drawn at the nearest
    size it can be drawn at (multiples of 16, at least 320x240), then scaled once."""
    w, h = max(320, width - width % 16), max(240, height - height % 16)
    frame = draw_test_pattern(counter, None, w, h)
    if (w, h) != (width, height):
        frame = frame.reformat(width=width, height=height)
    return frame


def encode_jpeg(frame: av.VideoFrame, quality: int = 90) -> bytes:
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height = frame.width, frame.height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = fractions.Fraction(1, 25)
    # FFmpeg's mjpeg takes quality as qscale 2 (best) .. 31
    qscale = max(2, min(31, round(31 - (quality / 100) * 29)))
    codec.options = {"qmin": str(qscale), "qmax": str(qscale)}
    packets = codec.encode(frame.reformat(format="yuvj420p"))
    packets += codec.encode(None)
    return b"".join(bytes(p) for p in packets)


class VideoTap(MediaStreamTrack):
    """One peer connection's view of a `VideoSource`: the newest frame each time.

    `freeze()` (the bitrate policy's audio-only mode) resends the frame of that
    moment once a second instead; `unfreeze()` goes back to live frames.

    `send_at(width, height, fps)` (the send-size ladder's step) scales what goes
    out and lets frames go by to keep under `fps`; the local view keeps the
    camera's frames. One reformatter lives as long as the tap, so libswscale's
    context is built once per size, not once per frame.

    Frames at the source's size are not copied: every tap hands out the source's
    frame object and sets its `pts`. A consultation closes its old peer before it
    makes the next, so one tap sends at a time; two live peers on one source
    would need a copy per tap (about 0.1 ms a 640x480 frame).
    """

    kind = "video"

    def __init__(self, source: VideoSource) -> None:
        super().__init__()
        self._source = source
        self._seen = -1
        self._start: float | None = None
        self._last_pts = -1
        self._frozen: av.VideoFrame | None = None
        self._frozen_due = 0.0
        self._size = (source.width, source.height)
        self._interval = 0.0  # 0: every frame of the source
        self._due = 0.0
        self._scaler = VideoReformatter()
        self.sent = 0

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def freeze(self) -> None:
        if self._frozen is None:
            self._frozen = self._source.latest or self._source.unavailable_frame()
            self._frozen_due = 0.0
            self._source._wake()

    def unfreeze(self) -> None:
        if self._frozen is not None:
            self._frozen = None
            self._source._wake()

    def send_at(self, width: int, height: int, fps: float) -> None:
        """Send at most `fps` frames a second of `width` x `height` from now on."""
        source = self._source
        self._size = (width, height)
        # a source at or under the rate is sent whole: no frame is let go by for nothing
        self._interval = 0.0 if fps >= source.fps else 1.0 / fps
        self._due = 0.0

    def _scaled(self, frame: av.VideoFrame) -> av.VideoFrame:
        width, height = self._size
        if frame.width == width and frame.height == height:
            return frame
        return self._scaler.reformat(frame, width=width, height=height, format="yuv420p",
                                     interpolation="BILINEAR")

    def _paced_out(self, now: float) -> bool:
        """True when this frame is one too many for the step's rate."""
        interval = self._interval
        if not interval:
            return False
        # a third of the interval early still counts: camera frames are not evenly spaced
        if now < self._due - interval / 3:
            return True
        self._due = self._due + interval if now < self._due + interval else now + interval
        return False

    def _stamp(self, frame: av.VideoFrame) -> av.VideoFrame:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        pts = max(int((now - self._start) * VIDEO_CLOCK), self._last_pts + 1)
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        # aiortc marks a frame it must encode as a key frame: reset, frames are shared
        frame.pict_type = av.video.frame.PictureType.NONE
        self.sent += 1
        return frame

    async def recv(self) -> av.VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            source = self._source
            if self._frozen is not None:
                now = time.monotonic()
                if now >= self._frozen_due:
                    self._frozen_due = now + 1.0 / STILL_FPS
                    return self._stamp(self._scaled(self._frozen))
                await source.changed(self._frozen_due - now)
                continue
            if source.seq != self._seen and source.latest is not None:
                self._seen = source.seq
                if self._paced_out(time.monotonic()):
                    continue
                return self._stamp(self._scaled(source.latest))
            if source.state == SourceState.CLOSED:
                self.stop()
                raise MediaStreamError
            await source.changed(1.0)


class AudioSource(_Source):
    """One microphone (or the test tone), shared by the peer connections of a consultation."""

    kind: DeviceKind = "microphone"
    substitute = "silence"

    def __init__(self, spec: str = "test-tone", *, on_event: EventSink = discard,
                 stall_after_s: float = 3.0, opener: Callable[[], Any] | None = None) -> None:
        super().__init__(spec, opener or (lambda: open_microphone(spec)), on_event,
                         stall_after_s)
        self._taps: set[AudioTap] = set()
        self.frames = 0
        # Muted, the microphone keeps running and silence is sent in its place: the
        # lawyer's side sees a steady stream, and unmuting needs no renegotiation.
        self.muted = False

    def _fallback_reader(self) -> FrameReader:
        return SilenceReader()

    def _publish(self, item: Any) -> None:
        self.frames += 1
        if self.muted:
            item = _silence_like(item)
        for tap in list(self._taps):
            tap._push(item)

    def track(self) -> AudioTap:
        tap = AudioTap(self)
        self._taps.add(tap)
        return tap

    def _forget(self, tap: AudioTap) -> None:
        self._taps.discard(tap)

    async def aclose(self) -> None:
        await super().aclose()
        for tap in list(self._taps):
            tap.stop()


class AudioTap(MediaStreamTrack):
    """One peer connection's audio: at most `backlog` frames (100 ms) wait, older ones go."""

    kind = "audio"

    def __init__(self, source: AudioSource, backlog: int = 5) -> None:
        super().__init__()
        self._source = source
        self._queue: deque[av.AudioFrame] = deque(maxlen=backlog)
        self._waiter: asyncio.Future[None] | None = None
        self._samples = 0

    def _push(self, frame: av.AudioFrame) -> None:
        self._queue.append(frame)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def recv(self) -> av.AudioFrame:
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await asyncio.wait((self._waiter,), timeout=1.0)
        frame = self._queue.popleft()
        frame.pts = self._samples
        frame.time_base = AUDIO_TIME_BASE
        self._samples += frame.samples
        return frame

    def stop(self) -> None:
        super().stop()
        self._source._forget(self)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


# --- received audio ------------------------------------------------------------------------


class AudioSink(Protocol):
    """Where received audio goes; `write` is called on the loop and must not block."""

    def write(self, frame: av.AudioFrame) -> None: ...

    def close(self) -> None: ...


class NullAudioSink:
    def __init__(self) -> None:
        self.frames = 0

    def write(self, frame: av.AudioFrame) -> None:
        self.frames += 1

    def close(self) -> None:
        pass


class AlsaSpeaker:
    """ALSA playback on its own thread; at most `backlog` frames wait (200 ms), older go.

    Opening happens on that thread; a failure is reported once through `on_event`
    (from the loop) and the sink then discards.
    """

    def __init__(self, spec: str = "default", *, on_event: EventSink = discard,
                 backlog: int = 10) -> None:
        self.spec = spec
        self._on_event = on_event
        self._loop = asyncio.get_running_loop()
        self._queue: queue.Queue[av.AudioFrame | None] = queue.Queue(maxsize=backlog)
        self.failed: str | None = None
        self.frames = 0
        self._stop = threading.Event()
        _prepare_alsa()
        self._thread = threading.Thread(target=self._run, name="kiosk-speaker", daemon=True)
        self._thread.start()

    def write(self, frame: av.AudioFrame) -> None:
        if self.failed is not None:
            return
        self.frames += 1
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            with contextlib.suppress(queue.Empty):
                self._queue.get_nowait()
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(frame)

    def _fail(self, reason: str) -> None:
        self.failed = reason
        log.warning("speaker %s: live -> fallback (%s)", self.spec, reason)
        self._on_event(DeviceFallback("speaker", self.spec, reason, "discard"))

    def _run(self) -> None:
        try:
            container = av.open(_alsa_name(self.spec), format="alsa", mode="w")
            stream = container.add_stream("pcm_s16le", rate=AUDIO_RATE, layout="stereo")
        except Exception as exc:
            self._loop.call_soon_threadsafe(self._fail, f"speaker cannot be opened: {exc}")
            return
        try:
            while not self._stop.is_set():
                try:
                    frame = self._queue.get(timeout=0.5)
                except queue.Empty:
                    continue
                if frame is None:
                    break
                frame.pts = None
                for packet in stream.encode(frame):
                    container.mux(packet)
        except Exception as exc:
            self._loop.call_soon_threadsafe(self._fail, f"speaker failed: {exc!r}")
        finally:
            with contextlib.suppress(Exception):
                container.close()

    def close(self) -> None:
        self._stop.set()


def open_speaker(spec: str, on_event: EventSink = discard) -> AudioSink:
    if spec == "none":
        return NullAudioSink()
    if spec == "default" or spec.startswith("alsa:"):
        return AlsaSpeaker(spec, on_event=on_event)
    raise DeviceError(f'speaker {spec!r}: expected "none", "default" or "alsa:NAME"')
