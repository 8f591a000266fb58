"""Transport-wide feedback packets (`transport_cc.py`): the bytes of a small one by hand, and
what a reader of the draft's format (as libwebrtc's parser reads it) gets back."""

from __future__ import annotations

import struct

import pytest

from kiosk.call.transport_cc import ArrivalLog, transport_feedback


def read(packet: bytes) -> tuple[int, list[int | None], int]:
    """(base sequence number, arrival of each packet in µs or None, feedback count), as the
    sender reads them: the reference time plus the running sum of the deltas."""
    first, pt, length = struct.unpack("!BBH", packet[:4])
    assert first >> 6 == 2 and first & 0x1F == 15 and pt == 205
    assert len(packet) == (length + 1) * 4
    end = len(packet) - (packet[-1] if first & 0x20 else 0)
    base, count = struct.unpack("!HH", packet[12:16])
    word = struct.unpack("!I", packet[16:20])[0]
    reference = word >> 8
    if reference & 0x800000:
        reference -= 1 << 24
    symbols: list[int] = []
    at = 20
    while len(symbols) < count:
        chunk = struct.unpack("!H", packet[at:at + 2])[0]
        at += 2
        if chunk >> 15 == 0:  # run length
            symbols += [(chunk >> 13) & 0b11] * (chunk & 0x1FFF)
        elif (chunk >> 14) & 1 == 0:  # fourteen one-bit symbols
            symbols += [(chunk >> (13 - i)) & 1 for i in range(14)]
        else:  # seven two-bit symbols
            symbols += [(chunk >> (12 - 2 * i)) & 0b11 for i in range(7)]
    symbols = symbols[:count]
    now = reference * 64_000
    arrivals: list[int | None] = []
    for symbol in symbols:
        if symbol == 0:
            arrivals.append(None)
            continue
        if symbol == 1:
            ticks = packet[at]
            at += 1
        else:
            ticks = struct.unpack("!h", packet[at:at + 2])[0]
            at += 2
        now += ticks * 250
        arrivals.append(now)
    assert at <= end and not any(packet[at:end])
    return base, arrivals, word & 0xFF


def test_a_small_report_byte_by_byte() -> None:
    packet = transport_feedback(1, 2, 100, [641_000, None, 642_000], 0)
    assert packet.hex() == "8fcd0005" "00000001" "00000002" "00640003" "00000a00" "d1000404"


def test_what_the_sender_reads_back() -> None:
    arrivals: list[int | None] = [5_000_000, 5_000_250, None, None, 5_090_000, 5_089_000,
                                  None, 5_400_000, 5_400_100, 5_400_900]
    base, back, count = read(transport_feedback(7, 8, 65_530, arrivals, 3))
    assert base == 65_530 and count == 3
    for sent, got in zip(arrivals, back, strict=True):
        assert (sent is None) == (got is None)
        if sent is not None and got is not None:
            assert abs(sent - got) <= 125  # a quarter millisecond's rounding, never more
    with pytest.raises(ValueError):
        transport_feedback(7, 8, 0, [None, None], 0)


def test_the_log_reports_each_packet_once_and_the_lost_ones_between() -> None:
    log = ArrivalLog(7, 8)
    assert log.report() is None
    for seq, at in ((65_534, 1_000_000), (65_535, 1_001_000), (1, 1_003_000)):  # 0 lost
        log.add(seq, at)
    base, back, count = read(log.report() or b"")
    assert base == 65_534 and [a is not None for a in back] == [True, True, False, True]
    assert count == 0
    log.add(0, 1_004_000)  # too late: reported lost already
    assert log.report() is None
    log.add(3, 1_010_000)  # 2 lost since the last report
    base, back, count = read(log.report() or b"")
    assert base == 2 and [a is not None for a in back] == [False, True] and count == 1
