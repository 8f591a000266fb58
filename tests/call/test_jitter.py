"""The marker-aware video jitter buffer, packet by packet, and installed on a real receiver."""

from __future__ import annotations

from aiortc import RTCPeerConnection
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from kiosk.call.jitter import MarkerJitterBuffer, install, installed


def packet(seq: int, timestamp: int, data: bytes, *, marker: bool = False) -> RtpPacket:
    p = RtpPacket(payload_type=96, marker=int(marker), sequence_number=seq, timestamp=timestamp)
    p._data = data  # type: ignore[attr-defined]  # what the receiver's depayloader sets
    return p


def feed(buffer: JitterBuffer, packets: list[RtpPacket]) -> list[bytes | None]:
    out: list[bytes | None] = []
    for p in packets:
        _, frame = buffer.add(p)
        out.append(None if frame is None else frame.data)
    return out


FRAME_1 = [packet(10, 3000, b"a"), packet(11, 3000, b"b"), packet(12, 3000, b"c", marker=True)]
FRAME_2 = [packet(13, 6000, b"d"), packet(14, 6000, b"e", marker=True)]


def test_a_frame_leaves_with_its_last_packet_not_with_the_next_frame() -> None:
    ours = feed(MarkerJitterBuffer(), FRAME_1 + FRAME_2)
    theirs = feed(JitterBuffer(capacity=512, is_video=True), FRAME_1 + FRAME_2)
    assert ours == [None, None, b"abc", None, b"de"]
    assert theirs == [None, None, None, b"abc", None]  # aiortc waits for the next frame


def test_packets_out_of_order_still_make_whole_frames() -> None:
    a, b, c = FRAME_1
    assert feed(MarkerJitterBuffer(), [a, c, b]) == [None, None, b"abc"]


def test_a_missing_packet_holds_the_frame_until_it_comes() -> None:
    a, b, c = FRAME_1
    d, e = FRAME_2
    assert feed(MarkerJitterBuffer(), [a, c, d, e, b]) == [None, None, None, None, b"abc"]


def test_a_frame_whose_marked_packet_is_lost_goes_as_aiortc_would() -> None:
    unmarked = [packet(20, 9000, b"x"), packet(21, 9000, b"y")]
    following = [packet(22, 12000, b"z", marker=True)]
    assert feed(MarkerJitterBuffer(), unmarked + following) == [None, None, b"xy"]


async def test_it_installs_on_a_video_receiver_before_packets_arrive() -> None:
    pc = RTCPeerConnection()
    try:
        video = pc.addTransceiver("video")
        assert not installed(video.receiver)
        assert install(video.receiver)
        assert installed(video.receiver)
    finally:
        await pc.close()
