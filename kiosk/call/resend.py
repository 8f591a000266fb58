"""Retransmissions that help: none of packets too old to be waited for, none in a flood.

aiortc's `RTCRtpSender._retransmit` resends whatever a NACK names that is still in
its history. After a village link's outage the lawyer's browser asks for seconds
of lost video at once; measured on the emulated link (P4, a 6 s outage at 400
kbit/s): aiortc sent 1.7 Mbit/s of retransmissions into it, the uplink's queue
overflowed for seconds, and the lawyer's picture came back 2.7 s after the link
(Chromium in the kiosk's place: 0.7 s). A frame that old is never shown: the
browser asks for a key frame, which cannot pass until the flood has.

`install(sender, rtt, target)` wraps the sender's `_retransmit` on the instance
(like `receive.py` does for the receiver): a packet first sent more than
`too_old(rtt)` ago is not resent, unless it was resent before and is asked for
again (its retransmission was lost and the receiver still waits for it), and
retransmissions stay within half the video's target (a token bucket), as
libwebrtc limits them. The age comes from
the packet's own abs-send-time header extension (24 bits of 1/2^18 s), which
aiortc writes into every packet it sends.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiortc import clock
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtp import RTP_HISTORY_SIZE

from kiosk.call.patch import installed_on, replace_method

log = logging.getLogger(__name__)

_HISTORY = "_RTCRtpSender__rtp_history"
_KEEPER = "_kiosk_resend_guard"
_ABS_SEND_TIME_WRAP = 1 << 24  # 64 s in units of 2^-18 s
_UNITS_PER_S = 1 << 18
SHARE_OF_TARGET = 0.5
BURST_S = 0.25  # how much the bucket holds: a few packets at once, not seconds
REPAIR_WINDOW_S = 10.0  # the retransmissions `repair_wait_ms` looks back on
AGAIN_UNTIL_S = 2.5  # a packet answered once is answered again until this old


def too_old(rtt: float | None, answered_before: bool = False) -> float:
    """Past this a receiver has given the packet up (ours does after 2.5 round trips).
    Not one it asked for in time and asks for again: the retransmission (or the request)
    was lost, and the receiver still waits for it (libwebrtc asks every round trip, ten
    times; refused, its picture froze until it asked for a key frame: 2.2 s, P4 at 400
    kbit/s)."""
    return AGAIN_UNTIL_S if answered_before else min(1.5, max(0.5, 3 * (rtt or 0.25)))


def age_s(abs_send_time: int, now_ntp: int) -> float:
    now = (now_ntp >> 14) & 0xFFFFFF
    return ((now - abs_send_time) % _ABS_SEND_TIME_WRAP) / _UNITS_PER_S


class ResendGuard:
    def __init__(self, sender: RTCRtpSender, rtt: Callable[[], float | None],
                 target_bps: Callable[[], int]) -> None:
        self._sender = sender
        self._original = sender._retransmit
        self._rtt = rtt
        self._target_bps = target_bps
        self._tokens = float("inf")  # full: the first refill caps it
        self._filled_at = time.monotonic()
        self.requested = 0  # every NACKed packet, answered or not: the loss the other side saw
        self._asked_after: deque[tuple[float, float]] = deque()  # (when, s since first sent)
        self._answered: dict[int, float] = {}  # sequence number -> when first resent
        self.resent = 0
        self.too_old = 0
        self.over_budget = 0

    def _refill(self) -> float:
        now = time.monotonic()
        rate = SHARE_OF_TARGET * self._target_bps() / 8  # bytes a second
        self._tokens = min(rate * BURST_S + 1500, self._tokens + rate * (now - self._filled_at))
        self._filled_at = now
        return self._tokens

    async def retransmit(self, sequence_number: int) -> None:
        self.requested += 1
        history: dict[int, Any] = getattr(self._sender, _HISTORY)
        packet = history.get(sequence_number % RTP_HISTORY_SIZE)
        if packet is None or packet.sequence_number != sequence_number:
            return
        sent_at = packet.extensions.abs_send_time
        age = None if sent_at is None else age_s(sent_at, clock.current_ntp_time())
        if age is not None and age > too_old(self._rtt(), self._answered_lately(sequence_number)):
            self.too_old += 1
            return
        if age is not None:
            self._asked_after.append((time.monotonic(), age))
        size = len(packet.payload) + 40
        if self._refill() < size:
            self.over_budget += 1
            return
        self._tokens -= size
        self.resent += 1
        self._remember(sequence_number)
        await self._original(sequence_number)

    def _answered_lately(self, sequence_number: int) -> bool:
        at = self._answered.get(sequence_number)
        return at is not None and time.monotonic() - at <= AGAIN_UNTIL_S

    def _remember(self, sequence_number: int) -> None:
        now = time.monotonic()
        self._answered.setdefault(sequence_number, now)
        if len(self._answered) > 256:  # a few seconds of losses at most; oldest first
            for seq, at in list(self._answered.items()):
                if now - at <= AGAIN_UNTIL_S:
                    break
                del self._answered[seq]

    def repair_wait_ms(self, now: float, share: float = 0.9) -> float | None:
        """How late a frame that needed a retransmission reaches the other side (at `share`
        of the last `REPAIR_WINDOW_S`): its packet's age when the NACK came, plus the way
        back (half a round trip). It includes what a round trip alone misses: the time
        the receiver took to notice the hole, the queue on the way. None without any."""
        while self._asked_after and now - self._asked_after[0][0] > REPAIR_WINDOW_S:
            self._asked_after.popleft()
        if not self._asked_after:
            return None
        ages = sorted(age for _, age in self._asked_after)
        age = ages[min(len(ages) - 1, int(share * len(ages)))]
        return (age + (self._rtt() or 0.0) / 2) * 1000

    def summary(self) -> str:
        return (f"{self.resent} packets resent, {self.too_old} too old to resend, "
                f"{self.over_budget} over the budget")


def install(sender: RTCRtpSender, rtt: Callable[[], float | None],
            target_bps: Callable[[], int]) -> ResendGuard | None:
    if not hasattr(sender, _HISTORY) or not callable(getattr(sender, "_retransmit", None)):
        log.warning("aiortc's RTCRtpSender has no %s: every NACK is answered", _HISTORY)
        return None
    existing = installed(sender)
    if existing is not None:
        return existing
    guard = ResendGuard(sender, rtt, target_bps)
    return replace_method(sender, "_retransmit", guard.retransmit, _KEEPER, guard)


def installed(sender: RTCRtpSender) -> ResendGuard | None:
    return installed_on(sender, _KEEPER, ResendGuard)
