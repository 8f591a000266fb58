"""Our video asks for playout-delay 0..200 ms and our audio has a stream of its own
(`kiosk/call/playout.py`): in the offer's SDP and in the packets a real aiortc peer receives."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.rtcrtpparameters import RTCRtpParameters
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, unpack_header_extensions

from kiosk.call import playout
from kiosk.call.peer import ConsultationPeer
from kiosk.call.playout import (
    ADAPTIVE_MAX_MS,
    MAX_DELAY_MS,
    PLAYOUT_DELAY_URI,
    installed,
    playout_delay,
)
from kiosk.call.sources import AudioSource, VideoSource
from tests.call.peer_pair import kiosk_and_lawyer


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
    async with kiosk_and_lawyer() as (kiosk, lawyer):
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


# --- the playout delay each way, from loss, round trip and jitter (pure) -------------------


def test_a_clean_link_holds_nothing_and_a_lossy_one_holds_for_a_retransmission() -> None:
    from kiosk.call.playout import PlayoutPolicy, PlayoutSettings

    s = PlayoutSettings()
    policy = PlayoutPolicy("test", s, browser=True)
    assert not policy.observe(0, 0.3, 0) and policy.delay_ms == 0  # nothing lost yet
    assert policy.extension_range() == (0, MAX_DELAY_MS)  # the low-latency path
    assert policy.observe(1, 0.1, 2)  # two packets lost: a retransmission's worth, pinned
    assert policy.delay_ms == 100 + s.margin_ms - s.slack_ms and not policy.adaptive
    assert policy.extension_range() == (policy.delay_ms, policy.delay_ms)
    assert not policy.observe(2, 0.11, 2)  # a round trip that wobbles moves nothing
    # a round trip so long that a retransmission takes more than the conversation's budget
    # leaves after half of it: our screen holds what the budget leaves, the lawyer's browser
    # is left to its own adaptive buffer (a maximum over 500 ms: not the low-latency path)
    assert policy.observe(3, 0.3, 3)
    assert policy.delay_ms == s.talk_budget_ms - s.ends_ms - 150 < 300 + s.margin_ms - s.slack_ms
    assert policy.adaptive and policy.extension_range() == (0, ADAPTIVE_MAX_MS) \
        and ADAPTIVE_MAX_MS > 500
    # a round trip short enough that a retransmitted frame is no freeze: nothing held
    short = PlayoutPolicy("short", s)
    short.observe(0, 0.05, 0)
    short.observe(1, 0.05, 5)
    assert short.delay_ms == 0
    # no round trip known yet (no receiver report): the wait for retransmissions stands in
    early = PlayoutPolicy("early", s)
    early.observe(0, None, 0)
    early.observe(1, None, 5, repair_ms=400)
    assert early.delay_ms == s.talk_budget_ms - s.ends_ms - 200 > 0
    # a link this slow has nothing to spare: a late frame freezes, the others stay young
    slow = PlayoutPolicy("slow", s, browser=True)
    slow.observe(0, 0.6, 0)
    slow.observe(1, 0.6, 5, repair_ms=900)
    assert slow.delay_ms == 0 and slow.adaptive
    # our own screen has no buffer but this hold: what the budget leaves, never "adaptive"
    here = PlayoutPolicy("here", s)
    here.observe(0, 0.3, 0)
    here.observe(1, 0.3, 3)
    assert here.delay_ms == s.talk_budget_ms - s.ends_ms - 150 and not here.adaptive
    # quiet for long enough: back to showing frames at once
    assert policy.observe(3 + s.quiet_after_s, 0.3, 3) and policy.delay_ms == 0
    assert not policy.adaptive and policy.extension_range() == (0, MAX_DELAY_MS)


def test_late_frames_are_waited_for_even_without_loss() -> None:
    from kiosk.call.playout import PlayoutPolicy

    policy = PlayoutPolicy("tcp relay")
    policy.observe(0, 0.1, 0, jitter_ms=30)
    assert policy.delay_ms == 0  # a little jitter is not worth a delay
    policy.observe(1, 0.1, 0, jitter_ms=150)  # TCP through a relay: late frames, no loss
    assert policy.delay_ms == 90  # half of it (and 10 ms), for our screen
    browser = PlayoutPolicy("lawyer's browser", browser=True)
    browser.observe(1, 0.1, 0, jitter_ms=150)
    assert browser.delay_ms == 160  # all of it, for the lawyer's browser
    # between a relay's stalls the frames come on time again: the hold stays, as it does
    # after a loss, until the link has been quiet for a while
    quiet = policy.settings.quiet_after_s
    assert not policy.observe(3, 0.1, 0, jitter_ms=20) and policy.delay_ms == 90
    assert policy.observe(1 + quiet, 0.1, 0, jitter_ms=20) and policy.delay_ms == 0
    # on a slow link even jitter gets only what the conversation's budget leaves
    policy.observe(2 + quiet, 0.5, 0, jitter_ms=400)
    assert policy.delay_ms == policy.settings.talk_budget_ms - policy.settings.ends_ms - 250


def test_the_clock_keeps_late_frames_in_their_places() -> None:
    from kiosk.call.playout import PlayoutClock

    clock = PlayoutClock()
    frame = 90_000 // 15  # RTP ticks of a frame at 15 fps
    assert clock.due(10.0, 0, 0.0) == 10.0  # no delay asked: shown at once
    assert clock.due(10.0 + 1 / 15, frame, 0.2) == 10.0 + 1 / 15 + 0.2
    # the third frame waited 150 ms for a retransmission: it keeps its place, 50 ms later
    due = clock.due(10.0 + 2 / 15 + 0.15, 2 * frame, 0.2)
    assert abs(due - (10.0 + 2 / 15 + 0.2)) < 1e-9
    for n in range(3, 40):  # most frames on time after it
        clock.due(10.0 + n / 15, n * frame, 0.2)
    assert 140 < clock.lateness_ms(10.0 + 40 / 15, share=0.99) < 160


def test_the_measured_wait_for_retransmissions_beats_the_round_trip() -> None:
    from kiosk.call.playout import PlayoutPolicy, PlayoutSettings

    s = PlayoutSettings()
    policy = PlayoutPolicy("here", s)
    policy.observe(0, 0.15, 0)
    policy.observe(1, 0.15, 3, repair_ms=250)  # a round trip of 150, repairs took 250
    assert policy.delay_ms == 250 + s.margin_ms - s.slack_ms
