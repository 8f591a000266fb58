"""The kiosk's video jitter buffer, packet by packet: whole frames at once, holes given up."""

from __future__ import annotations

from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from kiosk.call.jitter import H264, VP8, FrameBuffer, frame_start_of


def vp8(seq: int, timestamp: int, data: bytes, *, first: bool = False, key: bool = False,
        marker: bool = False) -> RtpPacket:
    """A VP8 packet as the receiver holds it: the payload with its descriptor, and `_data`
    depayloaded. A frame's first packet carries the frame tag (bit 0: 0 for a key frame)."""
    body = (bytes([0x00 if key else 0x01]) + data) if first else data
    descriptor = VpxPayloadDescriptor(partition_start=int(first), partition_id=0)
    p = RtpPacket(payload_type=96, marker=int(marker), sequence_number=seq % 65536,
                  timestamp=timestamp)
    p.payload = bytes(descriptor) + body
    p._data = body  # type: ignore[attr-defined]  # what aiortc's depayloader sets
    return p


def frame(seq: int, timestamp: int, parts: list[bytes], *, key: bool = False) -> list[RtpPacket]:
    last = len(parts) - 1
    return [vp8(seq + i, timestamp, part, first=i == 0, key=key, marker=i == last)
            for i, part in enumerate(parts)]


def feed(buffer: FrameBuffer, packets: list[RtpPacket], now: float = 0.0) -> list[list[bytes]]:
    """What each packet released, as frame payloads (the frame tag dropped)."""
    return [[f.data[1:] for f in buffer.add(p, now).frames] for p in packets]


KEY = frame(10, 3000, [b"a", b"b", b"c"], key=True)
DELTA = frame(13, 6000, [b"d", b"e"])
DELTA_2 = frame(15, 9000, [b"f"])


def test_a_frame_leaves_with_its_last_packet_not_with_the_next_frame() -> None:
    ours = feed(FrameBuffer(), KEY + DELTA)
    assert ours == [[], [], [b"abc"], [], [b"de"]]
    theirs = JitterBuffer(capacity=512, is_video=True)
    assert [theirs.add(p)[1] for p in KEY][-1] is None  # aiortc waits for the next frame


def test_packets_out_of_order_still_make_whole_frames() -> None:
    a, b, c = KEY
    assert feed(FrameBuffer(), [a, c, b]) == [[], [], [b"abc"]]


def test_every_whole_frame_behind_a_filled_hole_leaves_at_once() -> None:
    a, b, c = KEY
    d, e = DELTA
    (f,) = DELTA_2
    # b is lost and retransmitted after the next two frames came: all three leave with it
    assert feed(FrameBuffer(), [a, c, d, e, f, b]) == [[], [], [], [], [], [b"abc", b"de", b"f"]]


def test_a_hole_is_given_up_after_its_time_and_a_key_frame_is_asked_for() -> None:
    buffer = FrameBuffer()
    feed(buffer, KEY, now=0.9)
    d, e = DELTA
    assert buffer.add(e, now=1.0).frames == []  # d is missing
    assert buffer.missing_at_head and buffer.missing() == [13]
    assert buffer.expire(1.1, give_up_s=0.3).want_key_frame is False  # still worth waiting
    given_up = buffer.expire(1.4, give_up_s=0.3)
    assert given_up.want_key_frame and given_up.frames == []
    # frames after the hole cannot be decoded: dropped until a key frame
    assert feed(buffer, DELTA_2, now=1.5) == [[]]
    assert buffer.add(d, now=1.6).frames == []  # the late retransmission is not wanted
    key = frame(16, 12000, [b"g", b"h"], key=True)
    assert feed(buffer, key, now=1.7) == [[], [b"gh"]]
    assert not buffer.waiting_for_key and buffer.skips == 1


def test_giving_up_skips_to_a_key_frame_already_held() -> None:
    buffer = FrameBuffer()
    feed(buffer, KEY, now=1.9)
    _, e = DELTA
    later_key = frame(15, 9000, [b"k", b"l"], key=True)
    released = [buffer.add(p, now=2.0).frames for p in [e, *later_key]]
    assert released == [[], [], []]  # held behind the hole at d
    given_up = buffer.expire(3.0, give_up_s=0.5)
    assert [f.data[1:] for f in given_up.frames] == [b"kl"] and given_up.want_key_frame


def test_a_frame_whose_marked_packet_is_lost_ends_where_the_next_begins() -> None:
    buffer = FrameBuffer()
    unmarked = [vp8(20, 9000, b"x", first=True, key=True), vp8(21, 9000, b"y")]
    following = frame(22, 12000, [b"z"])
    assert feed(buffer, unmarked + following) == [[], [], [b"xy", b"z"]]


def test_a_full_buffer_skips_instead_of_waiting_for_ever() -> None:
    buffer = FrameBuffer(capacity=64)
    feed(buffer, KEY)
    packets = [p for n in range(40) for p in frame(14 + 2 * n, 6000 + 3000 * n, [b"p", b"q"])]
    out = [buffer.add(p, now=0.0) for p in packets]  # 13 never comes
    assert any(r.want_key_frame for r in out)
    assert buffer.held() < 64


def test_sequence_numbers_wrap() -> None:
    buffer = FrameBuffer()
    first = frame(65534, 3000, [b"a", b"b", b"c"], key=True)  # 65534, 65535, 0
    assert feed(buffer, first + frame(1, 6000, [b"d"])) == [[], [], [b"abc"], [b"d"]]


def test_key_frames_and_frame_starts_of_each_codec() -> None:
    assert VP8.key(vp8(1, 0, b"", first=True, key=True))
    assert not VP8.key(vp8(1, 0, b"", first=True))
    assert not VP8.starts(vp8(1, 0, b"x"))
    idr = RtpPacket(payload_type=102)
    idr.payload = bytes([0x65, 0x88])  # a single IDR slice
    fu_middle = RtpPacket(payload_type=102)
    fu_middle.payload = bytes([0x7C, 0x05, 0x00])  # FU-A, not the start
    stap = RtpPacket(payload_type=102)
    stap.payload = bytes([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE])  # SPS, PPS
    assert H264.key(idr) and H264.starts(idr)
    assert not H264.starts(fu_middle) and not H264.key(fu_middle)
    assert H264.key(stap) and H264.starts(stap)
    assert frame_start_of("vp8") is VP8 and frame_start_of("H264") is H264


def test_after_an_outage_a_hole_is_given_up_at_once() -> None:
    buffer = FrameBuffer()
    feed(buffer, KEY, now=1.0)
    # 6 s of nothing, then packets from well after the hole
    later = frame(200, 90000, [b"x", b"y"])
    first = buffer.add(later[0], now=7.0)
    assert first.want_key_frame and buffer.skips == 1 and not buffer.missing_at_head
    assert buffer.add(later[1], now=7.01).frames == []  # not a key frame: dropped
    assert feed(buffer, frame(202, 93000, [b"k"], key=True), now=7.1) == [[b"k"]]


def test_a_short_pause_is_not_an_outage() -> None:
    buffer = FrameBuffer()
    feed(buffer, KEY, now=1.0)
    _, e = DELTA
    assert not buffer.add(e, now=1.5).want_key_frame  # d may still come
    assert buffer.missing_at_head and buffer.skips == 0


def test_how_long_the_picture_waited_for_retransmissions() -> None:
    buffer = FrameBuffer()
    a, b, c = KEY
    buffer.add(a, now=1.0)
    buffer.add(c, now=1.05)  # b is missing from here
    assert buffer.repair_wait_ms(1.1) == 0.0
    assert buffer.add(b, now=1.35).frames  # its retransmission, 300 ms later
    assert abs(buffer.repair_wait_ms(1.4) - 300) < 1e-6
    assert buffer.repair_wait_ms(30.0) == 0.0  # long ago: forgotten


def test_a_call_whose_first_key_frame_was_lost_asks_for_one() -> None:
    # DTLS-SRTP drops what arrives before its keys are ready: the first frame seen is a
    # delta frame, or the middle of the key frame; the sender sends no other until asked.
    from_delta, mid_key = FrameBuffer(), FrameBuffer()
    assert not from_delta.wants_key_frame
    feed(from_delta, DELTA)
    feed(mid_key, KEY[1:] + DELTA)
    assert from_delta.wants_key_frame and mid_key.wants_key_frame
    key = frame(15, 12000, [b"g"], key=True)
    assert feed(from_delta, key) == [[b"g"]] and not from_delta.wants_key_frame
    fine = FrameBuffer()
    feed(fine, KEY + DELTA)
    assert not fine.wants_key_frame


def test_a_hole_is_asked_for_three_times_before_it_is_given_up() -> None:
    """libwebrtc resends a packet at most once per its own round-trip estimate, which a
    queue on a thin link moves by 100-200 ms from ours: asked again sooner, the request is
    dropped, and a hole was given up after two (P4, 256 kbit/s: about one a call, each a
    1.5 s freeze waiting for a key frame)."""
    from kiosk.call.receive import give_up_after, nack_every

    for rtt in (0.05, 0.15, 0.3, 0.45):
        again = nack_every(rtt)
        assert again >= rtt + 0.15
        # the third request's retransmission comes a round trip after it, before the give-up
        assert 2 * again + rtt < give_up_after(rtt) <= 2.5


def probe(seq: int, timestamp: int) -> RtpPacket:
    """The sender's probe after a frame (tail_probe.py): the frame's, no start, no marker."""
    return vp8(seq, timestamp, b"\x00")


def test_a_probe_shows_a_lost_last_packet_at_once_and_is_passed_over() -> None:
    buffer = FrameBuffer()
    a, b, c = KEY
    feed(buffer, [a, b], now=1.0)
    assert buffer.missing() == []  # c may still be on its way: nothing says it is lost
    assert buffer.add(probe(13, 3000), now=1.01).frames == []
    assert buffer.missing() == [12] and buffer.missing_at_head
    assert feed(buffer, [c], now=1.1) == [[b"abc"]]  # the retransmission
    later = frame(14, 6000, [b"d"])
    assert feed(buffer, [*later, probe(15, 6000)], now=1.2) == [[b"d"], []]
    assert not buffer.missing_at_head and buffer.held() == 0
    assert (buffer.dropped_packets, buffer.dropped_frames, buffer.skips) == (0, 0, 0)


def test_padding_holds_a_place_in_the_sequence() -> None:
    buffer = FrameBuffer()
    padding = RtpPacket(payload_type=96, sequence_number=13, timestamp=3000)
    padding._data = b""  # type: ignore[attr-defined]
    packets = [*KEY, padding, *frame(14, 6000, [b"d"])]
    assert feed(buffer, packets) == [[], [], [b"abc"], [], [b"d"]]
    assert buffer.dropped_packets == 0


class _Receiver:
    """What the receive path asks of aiortc's receiver to send its requests."""

    def __init__(self) -> None:
        self.nacks: list[list[int]] = []
        self.plis = 0

    async def _send_rtcp_nack(self, ssrc: int, seqs: list[int]) -> None:
        self.nacks.append(seqs)

    async def _send_rtcp_pli(self, ssrc: int) -> None:
        self.plis += 1


async def test_a_request_is_repeated_soon_before_the_round_trip_is_known() -> None:
    from kiosk.call.receive import ASK_AGAIN_RTT_S, VideoReceivePath, nack_every

    receiver = _Receiver()
    path = VideoReceivePath(receiver, lambda: None)  # type: ignore[arg-type]
    path.buffer, path._media_ssrc = FrameBuffer(), 1234
    a, _lost, c = KEY
    t = 100.0  # monotonic time, seconds into the machine's uptime
    feed(path.buffer, [a, c], now=t)
    await path._ask(t, want_key=False)
    assert receiver.nacks == [[11]]
    await path._ask(t + nack_every(ASK_AGAIN_RTT_S) - 0.01, want_key=False)
    assert receiver.nacks == [[11]]  # not yet
    await path._ask(t + nack_every(ASK_AGAIN_RTT_S) + 0.001, want_key=False)
    assert receiver.nacks == [[11], [11]] and nack_every(ASK_AGAIN_RTT_S) < 0.4
    assert receiver.plis == 0
