"""Our video asks for playout-delay 0..200 ms and our audio has a stream of its own
(`kiosk/call/playout.py`): in the offer's SDP and in the packets a real aiortc peer receives."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.rtcrtpparameters import RTCRtpParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, unpack_header_extensions

from kiosk.call import playout
from kiosk.call.peer import ConsultationPeer
from kiosk.call.playout import MAX_DELAY_MS, PLAYOUT_DELAY_URI, installed, playout_delay
from kiosk.call.sources import AudioSource, VideoSource


def sections(sdp: str) -> dict[str, list[str]]:
    """The offer's lines by media kind (`m=audio ...` up to the next `m=`)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            current = out.setdefault(line[2:].split()[0], [])
        elif current is not None:
            current.append(line)
    return out


def stream_of(lines: list[str]) -> str:
    (msid,) = [line for line in lines if line.startswith("a=msid:")]
    return msid.removeprefix("a=msid:").split()[0]


class Tap(HeaderExtensionsMap):
    """What a receiving transport parses, header extension by header extension."""

    def __init__(self, inner: HeaderExtensionsMap) -> None:
        super().__init__()
        self.inner = inner
        self.packets: list[list[tuple[int, bytes]]] = []

    def configure(self, parameters: RTCRtpParameters) -> None:
        self.inner.configure(parameters)

    def get(self, extension_profile: int, extension_value: bytes) -> HeaderExtensions:
        self.packets.append(unpack_header_extensions(extension_profile, extension_value))
        return self.inner.get(extension_profile, extension_value)


def test_the_extension_packs_minimum_and_maximum_in_10_ms_units() -> None:
    assert playout_delay(0, 200) == bytes([0x00, 0x00, 0x14])
    assert playout_delay(100, 40950) == bytes([0x00, 0xAF, 0xFF])
    with pytest.raises(ValueError):
        playout_delay(300, 200)


async def test_the_offer_separates_audio_and_asks_for_playout_delay() -> None:
    video, audio = VideoSource("test-pattern"), AudioSource("test-tone")
    await video.start()
    await audio.start()
    peer = ConsultationPeer("kiosk", video=video, audio=audio)
    try:
        offer = sections(await peer.create_offer())
        # aiortc would give both tracks the peer connection's one stream: lip-synced
        assert stream_of(offer["audio"]) != stream_of(offer["video"])
        assert any(line.startswith("a=extmap:") and line.endswith(" " + PLAYOUT_DELAY_URI)
                   for line in offer["video"])
        uris: dict[str, set[str]] = {}
        for line in offer["audio"] + offer["video"]:
            if line.startswith("a=extmap:"):
                number, uri = line.removeprefix("a=extmap:").split()[:2]
                uris.setdefault(number, set()).add(uri)
        assert all(len(u) == 1 for u in uris.values()), uris  # BUNDLE: one id, one URI
    finally:
        await peer.aclose()
        await video.aclose()
        await audio.aclose()


async def test_every_video_packet_the_other_side_gets_asks_for_0_to_200_ms() -> None:
    sources: list[Any] = [VideoSource("test-pattern"), AudioSource("test-tone"),
                          VideoSource("test-pattern"), AudioSource("test-tone")]
    for source in sources:
        await source.start()
    kiosk = ConsultationPeer("kiosk", video=sources[0], audio=sources[1])
    lawyer = ConsultationPeer("lawyer", video=sources[2], audio=sources[3])
    try:
        answer = await lawyer.answer(await kiosk.create_offer())
        # the lawyer's transport parses every packet (BUNDLE: one transport) through the tap
        transport = lawyer.pc.getTransceivers()[0].receiver.transport
        tap = Tap(transport._rtp_header_extensions_map)
        transport._rtp_header_extensions_map = tap
        await kiosk.accept_answer(answer)
        async with asyncio.timeout(20):
            while lawyer.frames_decoded < 5:
                await asyncio.sleep(0.05)
        (sender,) = [t.sender for t in kiosk.pc.getTransceivers() if t.kind == "video"]
        extensions = installed(sender)
        assert extensions is not None and extensions.id is not None  # negotiated
        asked = [dict(p)[extensions.id] for p in tap.packets if extensions.id in dict(p)]
        assert len(asked) >= 5  # the others: the kiosk's audio
        assert set(asked) == {playout_delay(0, MAX_DELAY_MS)}
    finally:
        await kiosk.aclose()
        await lawyer.aclose()
        for source in sources:
            await source.aclose()


async def test_install_uses_aiortcs_private_slots() -> None:
    pc = RTCPeerConnection()
    try:
        video = pc.addTransceiver(VideoStreamTrack())
        audio = pc.addTransceiver(AudioStreamTrack())
        idle = pc.addTransceiver("video", direction="recvonly")
        assert not playout.installed_stream(pc, audio.sender)  # aiortc's: one stream
        assert playout.install(pc)
        assert installed(video.sender) is not None
        assert playout.installed_stream(pc, audio.sender)
        assert installed(idle.sender) is None  # it sends nothing
        assert playout.install(pc)  # again: nothing changes
    finally:
        await pc.close()
