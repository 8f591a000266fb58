"""Retransmissions the kiosk's video sender answers (`kiosk/call/resend.py`): recent ones
within a budget, never seconds-old ones (an outage's), on a real aiortc sender."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiortc import RTCPeerConnection, clock
from aiortc.rtp import RTP_HISTORY_SIZE, RtpPacket

from kiosk.call import resend
from kiosk.call.resend import age_s, too_old


def ntp_seconds_ago(seconds: float) -> int:
    """An abs-send-time value of `seconds` ago."""
    now = (clock.current_ntp_time() >> 14) & 0xFFFFFF
    return (now - int(seconds * (1 << 18))) % (1 << 24)


def test_the_age_of_a_packet_from_its_abs_send_time() -> None:
    assert abs(age_s(ntp_seconds_ago(0.3), clock.current_ntp_time()) - 0.3) < 0.01
    assert too_old(0.1) == 0.5 and abs(too_old(0.4) - 1.2) < 1e-9 and too_old(2.0) == 1.5
    assert too_old(0.1, answered_before=True) == resend.AGAIN_UNTIL_S


@asynccontextmanager
async def guarded(rtt: float) -> AsyncIterator[tuple[resend.ResendGuard, list[int], Any]]:
    """A real aiortc sender's guard, what it let through, and the sender (its history)."""
    pc = RTCPeerConnection()
    try:
        sender = pc.addTransceiver("video").sender
        resent: list[int] = []

        async def original(seq: int) -> None:
            resent.append(seq)

        sender._retransmit = original  # type: ignore[method-assign]
        guard = resend.install(sender, rtt=lambda: rtt, target_bps=lambda: 200_000)
        assert guard is not None and resend.installed(sender) is guard
        yield guard, resent, sender
    finally:
        await pc.close()


async def test_old_packets_are_not_resent_and_floods_are_cut() -> None:
    async with guarded(rtt=0.2) as (guard, resent, sender):
        history = sender._RTCRtpSender__rtp_history

        def sent(seq: int, seconds_ago: float) -> None:
            packet = RtpPacket(sequence_number=seq, payload=bytes(1000))
            packet.extensions.abs_send_time = ntp_seconds_ago(seconds_ago)
            history[seq % RTP_HISTORY_SIZE] = packet

        sent(10, 0.1)
        sent(11, 3.0)  # before an outage: nobody waits for it any more
        await sender._retransmit(10)
        await sender._retransmit(11)
        await sender._retransmit(12)  # not in the history
        assert resent == [10] and guard.too_old == 1
        assert guard.requested == 3
        # The frame of packet 10 reached the other side about 0.1 s + half of 0.2 s late.
        wait = guard.repair_wait_ms(time.monotonic())
        assert wait is not None and 180 < wait < 230
        assert guard.repair_wait_ms(time.monotonic() + resend.REPAIR_WINDOW_S + 1) is None
        # 50 recent packets asked for at once: half of 200 kbit/s allows a few only
        for seq in range(20, 70):
            sent(seq, 0.1)
            await sender._retransmit(seq)
        assert 1 <= len(resent) - 1 < 20 and guard.over_budget > 30


async def test_a_packet_answered_in_time_is_answered_again_when_asked_again() -> None:
    async with guarded(rtt=0.15) as (guard, resent, sender):
        history = sender._RTCRtpSender__rtp_history
        packet = RtpPacket(sequence_number=30, payload=bytes(800))
        packet.extensions.abs_send_time = ntp_seconds_ago(0.2)
        history[30] = packet
        await sender._retransmit(30)
        # its retransmission was lost: asked again two round trips later, then more, past
        # what a first request may be (0.5 s at this round trip)
        packet.extensions.abs_send_time = ntp_seconds_ago(0.6)
        await sender._retransmit(30)
        packet.extensions.abs_send_time = ntp_seconds_ago(resend.AGAIN_UNTIL_S + 0.5)
        await sender._retransmit(30)  # long given up by any receiver
        assert resent == [30, 30] and guard.too_old == 1
        # a packet first asked for that late (an outage's) is not resent
        late = RtpPacket(sequence_number=31, payload=bytes(800))
        late.extensions.abs_send_time = ntp_seconds_ago(0.6)
        history[31] = late
        await sender._retransmit(31)
        assert resent == [30, 30] and guard.too_old == 2
