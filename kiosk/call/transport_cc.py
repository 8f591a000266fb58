"""Transport-wide congestion control feedback: what the kiosk would send the lawyer's browser.

Between two Chromiums the receiver reports every packet's arrival time (RTCP
transport feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01, 3.1) and
the *sender* estimates the link, paces and probes. aiortc sends only REMB, so the
lawyer's browser falls back to following our estimate (`receive.py`,
`queue_watch.py`), and on the 256 kbit/s link the lawyer→kiosk direction is where
P4 is worst. This module is the pure part of closing that gap: the arrivals of the
packets of one transport-wide sequence (audio and video under BUNDLE) in, one
feedback packet out. Wiring it in (the header extension and `transport-cc` in the
offer, a timer that sends it) is the next step (issue 13's note).

The packet (RTPFB, PT 205, FMT 15): base sequence number, how many packets it
covers, a reference time in 64 ms units, a feedback count, then two-bit status
vector chunks (seven packets each: not received, received with a small delta,
received with a large or negative delta), then the receive deltas in 250 µs units,
each from the previous received packet (the first from the reference time),
padded to 32 bits with RTCP's padding bit and count, as libwebrtc writes it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from kiosk.call import seqnum

PT_RTPFB = 205
FMT_TRANSPORT_CC = 15
TICK_US = 250
REFERENCE_US = 64_000
MAX_PACKETS = 0xFFFF

NOT_RECEIVED, SMALL, LARGE = 0, 1, 2


def _symbol(delta_ticks: int) -> int:
    return SMALL if 0 <= delta_ticks <= 0xFF else LARGE


def transport_feedback(sender_ssrc: int, media_ssrc: int, base_seq: int,
                       arrivals: Sequence[int | None], feedback_count: int) -> bytes:
    """One feedback packet for the packets `base_seq`, `base_seq + 1`, ... (16-bit, they
    wrap): `arrivals[i]` is when packet `base_seq + i` arrived (µs on the receiver's
    clock) or None if it did not. At least one must have arrived."""
    received = [at for at in arrivals if at is not None]
    if not received:
        raise ValueError("transport feedback: no packet reported arrived")
    if len(arrivals) > MAX_PACKETS:
        raise ValueError(f"transport feedback: at most {MAX_PACKETS} packets, "
                         f"got {len(arrivals)}")
    reference = received[0] // REFERENCE_US
    previous_us = reference * REFERENCE_US
    symbols: list[int] = []
    deltas = bytearray()
    for at in arrivals:
        if at is None:
            symbols.append(NOT_RECEIVED)
            continue
        # the delta is what the sender reads back; rounding each on its own would drift
        ticks = round((at - previous_us) / TICK_US)
        previous_us += ticks * TICK_US
        symbol = _symbol(ticks)
        symbols.append(symbol)
        if symbol == SMALL:
            deltas.append(ticks)
        else:
            if not -0x8000 <= ticks <= 0x7FFF:
                raise ValueError(f"transport feedback: a delta of {ticks * TICK_US} µs "
                                 "does not fit (split the report)")
            deltas += struct.pack("!h", ticks)
    chunks = bytearray()
    for start in range(0, len(symbols), 7):
        group = symbols[start:start + 7]
        group += [NOT_RECEIVED] * (7 - len(group))
        value = 0b11 << 14  # a status vector chunk of two-bit symbols
        for i, symbol in enumerate(group):
            value |= symbol << (12 - 2 * i)
        chunks += struct.pack("!H", value)
    body = (struct.pack("!IIHH", sender_ssrc, media_ssrc, base_seq & 0xFFFF, len(arrivals))
            + struct.pack("!I", ((reference & 0xFFFFFF) << 8) | (feedback_count & 0xFF))
            + chunks + deltas)
    padding = -len(body) % 4
    if padding:
        body += bytes(padding - 1) + bytes([padding])
    length = (4 + len(body)) // 4 - 1
    first = 0x80 | (0x20 if padding else 0) | FMT_TRANSPORT_CC
    return struct.pack("!BBH", first, PT_RTPFB, length) + body


class ArrivalLog:
    """The arrivals of one transport-wide sequence, until they are reported.

    `add` takes each packet's 16-bit transport sequence number and its arrival (µs);
    `report` gives the feedback for everything since the last report (packets that never
    came between them as not received) and forgets it. A packet that arrives after the
    report that counted it lost is not reported again: the sender has moved on."""

    def __init__(self, sender_ssrc: int, media_ssrc: int) -> None:
        self.sender_ssrc = sender_ssrc
        self.media_ssrc = media_ssrc
        self._arrivals: dict[int, int] = {}  # extended sequence number -> µs
        self._next: int | None = None  # the first extended number not yet reported
        self._highest: int | None = None
        self._count = 0

    def add(self, seq: int, arrival_us: int) -> None:
        ext = seqnum.extend(seq, self._highest)
        if self._next is not None and ext < self._next:
            return  # already reported (as lost)
        if self._next is None:
            self._next = ext
        self._arrivals[ext] = arrival_us
        if self._highest is None or ext > self._highest:
            self._highest = ext

    def report(self) -> bytes | None:
        if self._next is None or self._highest is None or not self._arrivals:
            return None
        first = self._next  # those lost since the last report too
        last = min(self._highest, first + MAX_PACKETS - 1)
        if not any(first <= ext <= last for ext in self._arrivals):
            first = min(self._arrivals)  # a gap longer than one report can say
            last = min(self._highest, first + MAX_PACKETS - 1)
        packet = transport_feedback(
            self.sender_ssrc, self.media_ssrc, first,
            [self._arrivals.get(ext) for ext in range(first, last + 1)], self._count)
        self._count = (self._count + 1) & 0xFF
        for ext in [e for e in self._arrivals if e <= last]:
            del self._arrivals[ext]
        self._next = last + 1
        return packet
