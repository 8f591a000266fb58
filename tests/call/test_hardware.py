"""Hardware H.264 where there is some, VP8 otherwise: the probe, the encoder, the negotiation.

This machine has no video hardware, so `auto` must fall back to VP8 with a
reason for every candidate; "libx264" pinned runs the whole H.264 path in
software (the probe's child, the encoder, the negotiation, the decoding).
"""

from __future__ import annotations

import asyncio
import fractions
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import av
import pytest
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from kiosk.call.events import FirstFrame
from kiosk.call.hardware import (
    H264,
    HARDWARE_CANDIDATES,
    VP8,
    VP8_SOFTWARE,
    AdaptiveH264Encoder,
    HardwareH264Decoder,
    VideoCodecChoice,
    cached_video_codec,
    decode_with,
    negotiated_mime,
    prefer_codec,
    probe_video_codec,
    video_codec_choice,
    video_codec_choice_async,
)
from kiosk.call.hwprobe import NOMINAL_FPS, encoder_spec, open_h264_encoder, try_encoder
from kiosk.call.pattern import Stamp, read_stamp
from kiosk.call.peer import ConsultationPeer
from kiosk.call.policy import AdaptiveVp8Encoder, BitratePolicy, installed_encoder
from tests.call.test_peer import Side, close, connect, make_side


@pytest.fixture(scope="module")
def libx264() -> VideoCodecChoice:
    return video_codec_choice("libx264")


# --- the probe ------------------------------------------------------------------------------


def test_auto_here_falls_back_to_vp8_with_a_reason_for_each_hardware_candidate() -> None:
    choice = probe_video_codec("auto")
    assert (choice.mime, choice.encoder, choice.hardware) == (VP8, "libvpx", False)
    assert choice.describe() == "VP8, software (libvpx)"
    assert [name for name, _ in choice.tried] == list(HARDWARE_CANDIDATES)
    for name, reason in choice.tried:
        if name not in av.codecs_available:
            assert reason == "not in this FFmpeg"
        else:
            # FFmpeg's own words about the missing device, not just an errno
            assert reason.startswith("encoder failed: ") and len(reason) > 20, reason


def test_libx264_pinned_gives_h264(libx264: VideoCodecChoice) -> None:
    assert (libx264.mime, libx264.encoder, libx264.hardware) == (H264, "libx264", False)
    assert libx264.is_h264 and libx264.describe() == "H.264, software (libx264)"
    [(name, reason)] = libx264.tried
    assert name == "libx264" and "decoded by h264" in reason


def test_vp8_probes_nothing_and_a_bad_name_falls_back() -> None:
    assert probe_video_codec("vp8").tried == (("vp8", "set in the configuration"),)
    for name, why in [("h264_cuvid", "not an encoder in this FFmpeg"),
                      ("h264", "not an encoder's name (FFmpeg would open libx264)"),
                      ("libx265_nonesuch", "not in this FFmpeg")]:
        choice = probe_video_codec(name)
        assert choice.mime == VP8 and choice.tried == ((name, why),)


def test_a_driver_that_does_not_answer_in_time_is_given_up() -> None:
    # A real child that cannot finish in a millisecond: what a hung driver looks like.
    choice = probe_video_codec("libx264", timeout_s=0.001)
    assert choice.mime == VP8
    assert choice.tried == (("libx264", "no answer within 0.001 s (the driver hung)"),)


async def test_the_choice_is_probed_once_per_process(libx264: VideoCodecChoice) -> None:
    assert cached_video_codec("libx264") is libx264
    assert video_codec_choice("libx264") is libx264
    assert await video_codec_choice_async("libx264") is libx264
    # several callers at once on the loop: one probe, the same answer, the loop not held up
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    choices = await asyncio.gather(*(video_codec_choice_async("vp8") for _ in range(3)))
    ticker.cancel()
    assert choices[0] is choices[1] is choices[2] is cached_video_codec("vp8")
    assert try_encoder("libx264")[0]  # in-process, the same recipe as the child's


# --- the encoder ----------------------------------------------------------------------------


def _frame(width: int, height: int, index: int) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    for n, plane in enumerate(frame.planes):
        value = (index * 7 + n * 50) & 0xFF
        plane.update(bytes([value]) * plane.buffer_size)
    frame.pts = index * 90_000 // NOMINAL_FPS
    frame.time_base = fractions.Fraction(1, 90_000)
    return frame


def _nal_types(payloads: list[bytes]) -> set[int]:
    types = set()
    for payload in payloads:
        nal = payload[0] & 0x1F
        if nal == 28:  # FU-A: the fragmented unit's type is in the next byte
            types.add(payload[1] & 0x1F)
        elif nal == 24:  # STAP-A: a 2-byte length before each unit
            pos = 1
            while pos + 2 < len(payload):
                size = int.from_bytes(payload[pos:pos + 2], "big")
                types.add(payload[pos + 2] & 0x1F)
                pos += 2 + size
        else:
            types.add(nal)
    return types


def test_the_h264_encoder_follows_the_policy_and_the_frame_size() -> None:
    policy = BitratePolicy()
    encoder = AdaptiveH264Encoder(policy, "libx264")
    # a REMB goes to the policy, below aiortc's own 500 kbit/s floor for H.264
    encoder.target_bitrate = 210_000
    assert policy.estimate_bps == 210_000 and encoder.target_bitrate == 150_000  # less the reserve
    payloads, _ = encoder.encode(_frame(640, 480, 0))
    assert payloads and 5 in _nal_types(payloads)  # the first frame is an IDR
    assert encoder.codec is not None
    assert (encoder.codec.bit_rate, encoder.codec.max_b_frames) == (150_000, 0)
    for i in range(1, 4):
        payloads, _ = encoder.encode(_frame(640, 480, i))
        assert 5 not in _nal_types(payloads)
    payloads, _ = encoder.encode(_frame(640, 480, 4), force_keyframe=True)  # a PLI
    assert 5 in _nal_types(payloads)
    assert encoder.opened == 1

    policy.on_estimate(220_000)  # under 10 % (of the video's share): the encoder stays open
    encoder.encode(_frame(640, 480, 5))
    assert encoder.opened == 1
    policy.on_estimate(460_000)
    encoder.encode(_frame(640, 480, 6))
    assert (encoder.opened, encoder.codec.bit_rate) == (2, 400_000)
    # the send-size ladder steps down: a new size, a new encoder, a key frame
    payloads, _ = encoder.encode(_frame(320, 240, 7))
    assert (encoder.opened, encoder.codec.width, encoder.codec.height) == (3, 320, 240)
    assert 5 in _nal_types(payloads)


# --- the negotiation ------------------------------------------------------------------------


def _video_payload_names(sdp: str) -> list[str]:
    """Codec names of the video m-line, in its order of preference."""
    section = sdp.split("m=video", 1)[1].split("\r\nm=", 1)[0]
    order = section.split("\r\n", 1)[0].split()[2:]  # " PORT PROTO PT PT ..."
    names = {}
    for line in section.split("\r\n"):
        if line.startswith("a=rtpmap:"):
            pt, rest = line[len("a=rtpmap:"):].split(" ", 1)
            names[pt] = rest.split("/")[0]
    return [names[pt] for pt in order]


async def test_prefer_codec_puts_h264_first_and_keeps_vp8(libx264: VideoCodecChoice) -> None:
    for choice, expected in [(libx264, ["H264", "rtx", "H264", "rtx", "VP8", "rtx"]),
                             (None, ["VP8", "rtx"])]:
        pc = RTCPeerConnection()
        try:
            prefer_codec(pc.addTransceiver("video", direction="sendrecv"), choice)
            await pc.setLocalDescription(await pc.createOffer())
            sdp = pc.localDescription.sdp
        finally:
            await pc.close()
        assert _video_payload_names(sdp) == expected
        if choice is not None:
            assert "profile-level-id=42e01f" in sdp and "packetization-mode=1" in sdp


def _video_transceiver(peer: ConsultationPeer) -> object:
    return next(t for t in peer.pc.getTransceivers() if t.kind == "video")


@pytest.fixture
async def h264_pair(libx264: VideoCodecChoice) -> AsyncIterator[tuple[Side, Side]]:
    kiosk, lawyer = await make_side("kiosk", video_codec=libx264), await make_side("lawyer")
    await connect(kiosk, lawyer)
    yield kiosk, lawyer
    await close(kiosk, lawyer)


async def test_an_h264_call_decodes_on_the_other_side(h264_pair: tuple[Side, Side]) -> None:
    kiosk, lawyer = h264_pair
    for side in h264_pair:
        assert negotiated_mime(_video_transceiver(side.peer)) == H264
    # the kiosk sends with the encoder it chose; the lawyer, who only answered, with libx264
    assert kiosk.peer.sending is not None and kiosk.peer.sending.encoder == "libx264"
    assert isinstance(kiosk.peer.video_encoder, AdaptiveH264Encoder)
    assert kiosk.peer.vp8 is None
    sender = next(t.sender for t in kiosk.peer.pc.getTransceivers() if t.kind == "video")
    assert installed_encoder(sender) is kiosk.peer.video_encoder
    assert lawyer.peer.sending is not None and lawyer.peer.sending.is_h264
    assert lawyer.peer.sending.tried[-1] == ("H.264", "the offer put it first")

    first = await lawyer.events.wait_for(FirstFrame)
    assert (first.width, first.height) == (640, 480)
    for side in (lawyer, kiosk):
        stamps = await side.frames(10)
        counters = [s.counter for s in stamps if s is not None]
        assert len(counters) >= 8 and counters == sorted(counters)  # decoded, in order
    assert kiosk.peer.video_encoder.opened >= 1
    assert kiosk.sink.frames > 0 and lawyer.sink.frames > 0


@dataclass
class Vp8OnlyAnswerer:
    """A plain aiortc peer that knows only VP8, as a browser without H.264 would answer."""

    pc: RTCPeerConnection
    stamps: list[Stamp | None]
    tasks: list[asyncio.Task[None]]

    @classmethod
    def make(cls) -> Vp8OnlyAnswerer:
        pc = RTCPeerConnection()
        transceiver = pc.addTransceiver("video", direction="recvonly")
        codecs = RTCRtpSender.getCapabilities("video").codecs
        transceiver.setCodecPreferences(
            [c for c in codecs if c.mimeType.lower() in ("video/vp8", "video/rtx")]
        )
        answerer = cls(pc, [], [])
        pc.on("track", answerer._on_track)
        return answerer

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self.tasks.append(asyncio.ensure_future(self._receive(track)))

    async def _receive(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                assert isinstance(frame, av.VideoFrame)
                self.stamps.append(read_stamp(frame.reformat(format="yuv420p")))
        except MediaStreamError:
            pass

    async def answer(self, offer: str) -> str:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return str(self.pc.localDescription.sdp)


async def test_an_answer_with_only_vp8_gets_vp8(libx264: VideoCodecChoice) -> None:
    kiosk = await make_side("kiosk", video_codec=libx264)
    answerer = Vp8OnlyAnswerer.make()
    try:
        offer = await kiosk.peer.create_offer()
        assert _video_payload_names(offer)[0] == "H264"
        answer = await answerer.answer(offer)
        assert "H264" not in _video_payload_names(answer)
        await kiosk.peer.accept_answer(answer)
        assert negotiated_mime(_video_transceiver(kiosk.peer)) == VP8
        assert kiosk.peer.sending is not None
        assert (kiosk.peer.sending.mime, kiosk.peer.sending.encoder) == (VP8, "libvpx")
        assert kiosk.peer.sending.tried[-1] == ("libx264", "the answer accepted only VP8")
        assert isinstance(kiosk.peer.video_encoder, AdaptiveVp8Encoder)
        assert kiosk.peer.vp8 is kiosk.peer.video_encoder
        async with asyncio.timeout(20):
            while sum(s is not None for s in answerer.stamps) < 10:
                await asyncio.sleep(0.05)
        counters = [s.counter for s in answerer.stamps if s is not None]
        assert counters == sorted(counters)
    finally:
        await answerer.pc.close()
        await close(kiosk)


# --- the decoder ----------------------------------------------------------------------------


def _h264_stream(count: int) -> list[JitterFrame]:
    """`count` frames of libx264's Annex B output, as aiortc's depacketizer hands them on."""
    encoder = open_h264_encoder(encoder_spec("libx264"), 320, 240, 300_000)
    frames = []
    for index in range(count):
        for packet in encoder.encode(_frame(320, 240, index)):
            frames.append(JitterFrame(data=bytes(packet), timestamp=index * 6000))
    for packet in encoder.encode(None):
        frames.append(JitterFrame(data=bytes(packet), timestamp=count * 6000))
    return frames


def test_the_probed_decoder_falls_back_to_software_when_it_fails(
        caplog: pytest.LogCaptureFixture) -> None:
    stream = _h264_stream(6)
    # "libx264"'s recipe reads back with FFmpeg's h264: the hardware decoder's place
    decoder = HardwareH264Decoder(encoder_spec("libx264"))
    assert decoder.hardware
    assert sum(len(decoder.decode(f)) for f in stream) == 6

    # a decoder that fails on every frame is given up after a few, for the software one
    failing = HardwareH264Decoder(encoder_spec("libx264"))
    for _ in range(HardwareH264Decoder.FALLBACK_AFTER):
        with pytest.raises(av.FFmpegError):
            failing.decode(JitterFrame(data=b"\x00\x00\x00\x01\x65" + b"\xff" * 64,
                                       timestamp=0))
    assert not failing.hardware
    assert "decoding in software from the next key frame" in caplog.text
    assert sum(len(failing.decode(f)) for f in stream) == 6  # from the key frame on

    # a decoder the machine does not have: software from the start
    absent = HardwareH264Decoder(encoder_spec("h264_v4l2m2m"))
    assert not absent.hardware
    assert sum(len(absent.decode(f)) for f in stream) == 6


async def test_incoming_h264_goes_to_the_probed_decoder(
        caplog: pytest.LogCaptureFixture) -> None:
    """A terminal with (here: as if) hardware H.264 decodes the other side's H.264 with it."""
    caplog.set_level(logging.INFO, "kiosk.call.hardware")
    as_hardware = VideoCodecChoice(H264, "libx264", True)
    kiosk, lawyer = await make_side("kiosk", video_codec=as_hardware), await make_side("lawyer")
    try:
        await connect(kiosk, lawyer)
        stamps = await kiosk.frames(10)
        counters = [s.counter for s in stamps if s is not None]
        assert len(counters) >= 8 and counters == sorted(counters)
        assert negotiated_mime(_video_transceiver(kiosk.peer)) == H264
        assert "decoding H.264 on h264" in caplog.text
    finally:
        await close(kiosk, lawyer)
        decode_with(VP8_SOFTWARE)  # the process's decoding back to aiortc's
