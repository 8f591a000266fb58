"""Two `ConsultationPeer`s in one process: the kiosk offers, a Python "lawyer" answers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import av
import pytest
from aiortc.mediastreams import MediaStreamError

from kiosk.call.events import (
    DeviceFallback,
    DocumentReceived,
    DocumentRequested,
    DocumentSent,
    EventStream,
    FirstFrame,
    MediaStats,
    PolicyChanged,
    PolicyMode,
)
from kiosk.call.frames import FrameSlot
from kiosk.call.hardware import VideoCodecChoice
from kiosk.call.pattern import Stamp, read_stamp
from kiosk.call.peer import ConsultationPeer
from kiosk.call.policy import BitratePolicy, installed_encoder
from kiosk.call.receive import installed
from kiosk.call.settings import PolicySettings
from kiosk.call.sources import (
    AudioSource,
    CameraUnavailable,
    NullAudioSink,
    TestPatternReader,
    VideoSource,
)


def mode(policy: BitratePolicy) -> PolicyMode:
    """Read through a call: mypy would narrow `policy.mode` after each assert."""
    return policy.mode



@dataclass
class Side:
    peer: ConsultationPeer
    events: EventStream
    video: VideoSource
    audio: AudioSource
    stamps: list[Stamp | None] = field(default_factory=list)
    sink: NullAudioSink = field(default_factory=NullAudioSink)

    async def frames(self, count: int, timeout: float = 20) -> list[Stamp | None]:
        """The stamps of the next `count` remote frames."""
        start = len(self.stamps)
        async with asyncio.timeout(timeout):
            while len(self.stamps) < start + count:
                await asyncio.sleep(0.02)
        return self.stamps[start:start + count]


def recording_slot(stamps: list[Stamp | None]) -> FrameSlot[av.VideoFrame]:
    """A slot whose consumer takes every frame at once and keeps its stamp."""

    def take() -> None:
        frame = slot.take()
        if frame is not None:
            assert frame.format.name == "yuv420p"
            stamps.append(read_stamp(frame))

    slot: FrameSlot[av.VideoFrame] = FrameSlot(take)
    return slot


async def make_side(name: str, video: VideoSource | None = None,
                    policy: BitratePolicy | None = None,
                    events: EventStream | None = None,
                    video_codec: VideoCodecChoice | None = None) -> Side:
    events = events or EventStream()
    video = video or VideoSource("test-pattern", on_event=events)
    audio = AudioSource("test-tone", on_event=events)
    await video.start()
    await audio.start()
    stamps: list[Stamp | None] = []
    sink = NullAudioSink()
    peer = ConsultationPeer(name, video=video, audio=audio, on_event=events,
                            remote_video=recording_slot(stamps), remote_audio=sink,
                            policy=policy, stats_interval_s=0.25, video_codec=video_codec)
    return Side(peer, events, video, audio, stamps, sink)


async def close(*sides: Side) -> None:
    for side in sides:
        await side.peer.aclose()
        await side.video.aclose()
        await side.audio.aclose()


async def connect(kiosk: Side, lawyer: Side) -> None:
    await kiosk.peer.accept_answer(await lawyer.peer.answer(await kiosk.peer.create_offer()))


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Side, Side]]:
    kiosk, lawyer = await make_side("kiosk"), await make_side("lawyer")
    await connect(kiosk, lawyer)
    yield kiosk, lawyer
    await close(kiosk, lawyer)


async def test_video_and_audio_flow_both_ways(pair: tuple[Side, Side]) -> None:
    kiosk, lawyer = pair
    for side in pair:
        first = await side.events.wait_for(FirstFrame)
        assert (first.width, first.height) == (640, 480)
    to_lawyer = await lawyer.frames(10)
    to_kiosk = await kiosk.frames(10)
    for stamps in (to_lawyer, to_kiosk):
        assert all(s is not None for s in stamps)  # the timestamp pattern decodes
        counters = [s.counter for s in stamps if s is not None]
        assert counters == sorted(counters) and len(set(counters)) == 10
    assert kiosk.sink.frames > 0 and lawyer.sink.frames > 0
    # Both sides' video receivers have the kiosk's receive path (receive.py, jitter.py).
    for side in pair:
        receivers = [t.receiver for t in side.peer.pc.getTransceivers() if t.kind == "video"]
        assert receivers and all(installed(r) for r in receivers)
    stats = await kiosk.events.wait_for(MediaStats, lambda s: s.frames_decoded >= 5)
    assert stats.send_kbps > 0 and stats.recv_kbps > 0
    assert stats.relay is False and stats.local_candidate == "host"
    assert stats.policy == PolicyMode.VIDEO


async def test_each_receiver_asks_for_what_reaches_it(pair: tuple[Side, Side]) -> None:
    """The REMB the lawyer's side sends the kiosk's encoder is its receive path's rate
    (queue_watch.py): after the first half second, what arrives, climbing while no queue
    builds; never aiortc's own estimate."""
    kiosk, lawyer = pair
    await lawyer.frames(3)
    assert kiosk.peer.vp8 is not None
    asked: list[int] = []
    kiosk.peer.vp8.on_remb = asked.append
    async with asyncio.timeout(10):
        while len(asked) < 4:  # two a second
            await asyncio.sleep(0.05)
    path = next(installed(t.receiver) for t in lawyer.peer.pc.getTransceivers()
                if t.kind == "video")
    assert path is not None and path.queue.rate_bps is not None
    assert abs(asked[-1] - path.queue.rate_bps) <= 0.2 * path.queue.rate_bps  # it climbs
    arriving = path.queue.incoming_bps()
    assert 0.5 * arriving <= asked[-1] <= path.queue.settings.headroom * arriving * 1.2


async def test_document_still_arrives_intact(pair: tuple[Side, Side]) -> None:
    kiosk, lawyer = pair
    await kiosk.events.wait_for(FirstFrame)
    # The data channel opens on its own time: on a busy machine after the first frame.
    async with asyncio.timeout(10):
        while kiosk.peer.document is None or lawyer.peer.document is None:
            await asyncio.sleep(0.02)
    await lawyer.peer.request_document()
    requested = await kiosk.events.wait_for(DocumentRequested)
    assert requested.peer == "kiosk"
    jpeg = await kiosk.video.snapshot_jpeg()
    assert jpeg[:2] == b"\xff\xd8" and jpeg[-2:] == b"\xff\xd9"
    await kiosk.peer.send_document(jpeg)
    received = await lawyer.events.wait_for(DocumentReceived)
    assert (received.mime, received.data) == ("image/jpeg", jpeg)
    assert kiosk.events.of(DocumentSent)[0].size == len(jpeg)

    # bigger than one chunk and not a multiple of 16 KiB, with garbage around it
    blob = os.urandom(5 * 16 * 1024 + 123)
    assert lawyer.peer.document is not None
    lawyer.peer.document.channel.send("not json")
    lawyer.peer.document.channel.send(b"stray bytes")
    await kiosk.peer.send_document(blob, "application/octet-stream")
    second = await lawyer.events.wait_for(DocumentReceived, lambda e: e.data == blob)
    assert second.mime == "application/octet-stream"
    assert kiosk.peer.document is not None
    await asyncio.sleep(0.1)
    assert kiosk.peer.document.refused == 2


async def test_audio_only_when_the_estimate_drops_and_back() -> None:
    now = [1000.0]
    settings = PolicySettings(probe_after_s=60, probe_s=10)
    events = EventStream()
    policy = BitratePolicy(settings, on_event=events, clock=lambda: now[0])
    kiosk = await make_side("kiosk", policy=policy, events=events)
    lawyer = await make_side("lawyer")
    try:
        await connect(kiosk, lawyer)
        await lawyer.frames(3)
        assert kiosk.peer.vp8 is not None
        video_sender = next(t.sender for t in kiosk.peer.pc.getTransceivers()
                            if t.kind == "video")
        assert installed_encoder(video_sender) is kiosk.peer.vp8  # the patch is in place
        kiosk.peer.vp8.on_remb = lambda bps: None  # the test plays the network from here

        # below aiortc's 250 kbit/s floor, the encoder follows the estimate (less audio)
        policy.on_estimate(172_000, now[0])
        assert kiosk.peer.vp8.target_bitrate == 172_000 - settings.reserve_bps

        # a thin uplink: under the threshold for degrade_after_s -> audio only, once
        policy.on_estimate(40_000, now[0])
        now[0] += settings.degrade_after_s
        policy.on_estimate(45_000, now[0])
        change = await kiosk.events.wait_for(PolicyChanged)
        assert (change.old, change.new) == (PolicyMode.VIDEO, PolicyMode.AUDIO_ONLY)
        assert kiosk.peer.vp8.target_bitrate == settings.floor_bps
        # the lawyer sees one frozen frame, resent; audio keeps flowing
        frozen = (await lawyer.frames(3))[1:]
        assert frozen[0] is not None and frozen[0] == frozen[1]
        audio_before = lawyer.sink.frames
        await lawyer.frames(1)
        assert lawyer.sink.frames > audio_before

        # the estimate recovers: probing (video again), then video after probe_s
        policy.on_estimate(400_000, now[0])
        assert mode(policy) == PolicyMode.PROBING
        moving = await lawyer.frames(4)
        counters = [s.counter for s in moving[1:] if s is not None]
        assert len(set(counters)) == 3
        now[0] += settings.probe_s
        policy.tick(now[0])
        assert mode(policy) == PolicyMode.VIDEO
        modes = [(e.old, e.new) for e in kiosk.events.of(PolicyChanged)]
        assert modes == [(PolicyMode.VIDEO, PolicyMode.AUDIO_ONLY),
                         (PolicyMode.AUDIO_ONLY, PolicyMode.PROBING),
                         (PolicyMode.PROBING, PolicyMode.VIDEO)]
    finally:
        await close(kiosk, lawyer)


class FlakyCamera:
    """The test pattern for `good` frames, then the camera is unplugged."""

    def __init__(self, good: int) -> None:
        self._pattern = TestPatternReader()
        self._left = good

    async def recv(self) -> av.VideoFrame:
        if self._left == 0:
            raise MediaStreamError
        self._left -= 1
        return await self._pattern.recv()

    def stop(self) -> None:
        pass


def opener(reader: object) -> Callable[[], object]:
    async def open_it() -> object:
        return reader

    return open_it


async def test_camera_failing_mid_call_falls_back_to_a_still() -> None:
    events = EventStream()
    camera = VideoSource("/dev/video-flaky", on_event=events, opener=opener(FlakyCamera(20)))
    kiosk = await make_side("kiosk", video=camera)
    lawyer = await make_side("lawyer")
    try:
        await connect(kiosk, lawyer)
        assert any(s is not None for s in await lawyer.frames(3))
        fallback = await events.wait_for(DeviceFallback)
        assert (fallback.kind, fallback.substitute) == ("camera", "still")
        assert "ended" in fallback.reason
        # the call goes on: the "camera unavailable" still (no stamp) reaches the lawyer
        async with asyncio.timeout(20):
            while lawyer.stamps[-1:] != [None]:
                await asyncio.sleep(0.05)
        await lawyer.frames(1)  # still arriving, at 1 fps
        assert kiosk.sink.frames > 0
        with pytest.raises(CameraUnavailable):
            await camera.snapshot_jpeg()
        assert len(events.of(DeviceFallback)) == 1
    finally:
        await close(kiosk, lawyer)


async def test_a_call_whose_first_key_frame_was_lost_gets_its_picture() -> None:
    """The first packets of the lawyer's video never reach the kiosk (DTLS-SRTP drops what
    comes before its keys are ready): the kiosk asks for a key frame. Chromium sends none
    until asked (CI saw a kiosk wait 30 s for its first frame); the aiortc lawyer here
    would send the next one with its first step up the ladder, seconds later."""
    kiosk, lawyer = await make_side("kiosk"), await make_side("lawyer")
    try:
        offer = await kiosk.peer.create_offer()
        (receiver,) = [t.receiver for t in kiosk.peer.pc.getTransceivers()
                       if t.kind == "video"]
        path = installed(receiver)
        assert path is not None
        lost: list[int] = []

        async def losing_the_first(packet: object, arrival_time_ms: int) -> None:
            if len(lost) < 3:
                lost.append(packet.sequence_number)  # type: ignore[attr-defined]
                return
            await path.handle(packet, arrival_time_ms)

        receiver._handle_rtp_packet = losing_the_first  # type: ignore[method-assign]
        await kiosk.peer.accept_answer(await lawyer.peer.answer(offer))
        first = await kiosk.events.wait_for(FirstFrame, timeout=5)
        assert len(lost) == 3 and path.plis_sent >= 1
        assert first.width > 0
        assert all(s is not None for s in await kiosk.frames(5))
    finally:
        await close(kiosk, lawyer)
