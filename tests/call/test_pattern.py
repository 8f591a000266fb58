"""The test pattern's stamp survives VP8 at a village bitrate."""

from __future__ import annotations

import fractions

import av
import pytest

from kiosk.call.pattern import (
    Stamp,
    draw_test_pattern,
    draw_unavailable,
    parse_stamp,
    read_stamp,
    stamp_bytes,
)


def test_stamp_round_trip() -> None:
    frame = draw_test_pattern(123_456, 1_795_600_000_123)
    assert read_stamp(frame) == Stamp(123_456, 1_795_600_000_123)
    assert Stamp(1, 1000).age_ms(1500) == 500


def test_damaged_stamps_are_rejected() -> None:
    data = bytearray(stamp_bytes(7, 99))
    assert parse_stamp(bytes(data)) == Stamp(7, 99)
    data[3] ^= 0x10
    assert parse_stamp(bytes(data)) is None
    assert read_stamp(draw_unavailable()) is None


def test_sizes() -> None:
    assert read_stamp(draw_test_pattern(5, 42, 320, 240)) == Stamp(5, 42)
    with pytest.raises(ValueError):
        draw_test_pattern(1, 1, 650, 480)


def test_stamp_survives_vp8_at_100_kbits() -> None:
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 640, 480, "yuv420p"
    encoder.bit_rate = 100_000
    encoder.time_base = fractions.Fraction(1, 15)
    encoder.options = {"deadline": "realtime", "cpu-used": "-6", "lag-in-frames": "0"}
    decoder = av.CodecContext.create("libvpx", "r")
    sent, read = [], []
    for n in range(30):
        frame = draw_test_pattern(n, 1_795_600_000_000 + n * 67)
        frame.pts = n
        sent.append(Stamp(n, 1_795_600_000_000 + n * 67))
        for packet in encoder.encode(frame):
            read += [read_stamp(f) for f in decoder.decode(packet)]
    for packet in encoder.encode(None):
        read += [read_stamp(f) for f in decoder.decode(packet)]
    assert read == sent
