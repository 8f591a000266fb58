"""Ask the lawyer's Chromium to show the kiosk's video as soon as it is decoded.

Measured (P3, kiosk→lawyer, Debian's Chromium 156): the kiosk's packets reach
the console about 5 ms after the stamp and its WebRTC jitter buffer passes them
on within about 10 ms, yet a frame reached the screen 20, 30, 45, 55 or 85-100
ms after its stamp: one value per call, kept for most of the call, moving in
steps of 2 or 4 vsyncs. Chromium's traces put the difference after the jitter
buffer: each frame's render time ("Ideal Render Instant" of
`RemoteVideoSourceDelegate::RenderFrame`) stayed about 12 ms after decoding,
while the compositor (`WebMediaPlayerMSCompositor::SetCurrentFrame`) took the
frame 2-7 ms before that render time in good calls and 20-30 ms after it in bad
ones. That is Chromium's smoothness algorithm (media's `VideoRendererAlgorithm`):
for a steady frame rate (ours: 15 fps, 4 vsyncs a frame) it shows frames on a
fixed cadence that keeps whatever phase it fell into, and tolerates up to half
a frame (33 ms) of drift before it corrects. Chromium's own canvas camera
jitters enough to stay out of that cadence, so its page in the kiosk's place
spreads over the phases instead of locking into one. Two settings of the
sender end it:

* The RTP header extension playout-delay with a minimum of 0 and a maximum of
  at most 500 ms is libwebrtc's low-latency path: no render time, Chromium
  shows each frame when it is decoded, without the smoothness algorithm.
  Lost: the console no longer evens out network jitter in our video (a late
  frame shows late instead of the whole stream waiting for the worst one).
  Our audio keeps its own jitter buffer.
* Audio in a media stream of its own (`a=msid`). aiortc puts both tracks in
  the peer connection's one stream, so Chromium synchronises them; video
  shown at once is always ahead of audio, which the console holds 30-60 ms
  (NetEq), so lip-sync raised the video's minimum playout delay above 0, the
  low-latency path ended and the smoothness algorithm was back (measured: the
  video's target delay 2-13 ms over its minimum, 20-32 ms to the screen
  instead of 13-18 ms). Lost: lip-sync. Audio lags the picture by the
  console's audio buffering (30-60 ms measured on loopback, more on a jittery
  link); late audio is noticed from about 125 ms (ITU-R BT.1359), while a
  conversation suffers from every millisecond of delay.

Measured, medians of 10 s of a call, 5-8 calls each: 13-18 ms with both,
20-32 ms with the extension alone, 21-49 ms with separate streams alone,
26-100 ms with neither; the Chromium page in the kiosk's place 30-64 ms.

aiortc has no API for either. Installed like the encoders in `policy.py`, by
`install(pc)` before the offer (or answer) is made: the extension joins the
video list of aiortc's module-level `HEADER_EXTENSIONS` (what `createOffer`
offers and `setRemoteDescription` accepts; every aiortc peer in the kiosk
process is ours), each video sender's private
`_RTCRtpSender__rtp_header_extensions_map` becomes a `PlayoutDelayExtensions`
that writes it into every packet once negotiated, and each audio sender's
`_stream_id` (the msid's stream) one of its own. If a future aiortc renames
them, `install` logs a warning and the call goes on as before;
`tests/call/test_playout.py` fails on it.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from dataclasses import dataclass

from aiortc import RTCPeerConnection
from aiortc.codecs import HEADER_EXTENSIONS
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtp import (
    HeaderExtensions,
    HeaderExtensionsMap,
    pack_header_extensions,
    unpack_header_extensions,
)

log = logging.getLogger(__name__)

PLAYOUT_DELAY_URI = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"
# At most 500 ms keeps libwebrtc on its low-latency path; never 0, which also
# makes it drop every decodable frame but the newest. The maximum also bounds
# what the console may add if something sets a minimum (its page, lip-sync).
MAX_DELAY_MS = 200
# Where a retransmission takes longer than a conversation's budget allows: the lawyer's
# browser adapts its buffer to the link itself, up to this (PlayoutPolicy.extension_range).
ADAPTIVE_MAX_MS = 600
_MAP_ATTR = "_RTCRtpSender__rtp_header_extensions_map"
_STREAM_ATTR = "_stream_id"


def playout_delay(min_ms: int, max_ms: int) -> bytes:
    """The extension's 3 bytes: 12 bits each of minimum and maximum, in 10 ms units."""
    low, high = min_ms // 10, max_ms // 10
    if not 0 <= low <= high < 1 << 12:
        raise ValueError(f"playout delay: expected 0 <= min <= max < 40960 ms, "
                         f"got {min_ms}, {max_ms}")
    return ((low << 12) | high).to_bytes(3, "big")


class PlayoutDelayExtensions(HeaderExtensionsMap):
    """aiortc's header extensions of one sender, plus playout-delay once negotiated."""

    def __init__(self, min_ms: int = 0, max_ms: int = MAX_DELAY_MS) -> None:
        super().__init__()
        self.value = playout_delay(min_ms, max_ms)
        self.delay = (min_ms, max_ms)
        self.id: int | None = None  # the other side's, from the answer (or our offer)

    def set_delay(self, min_ms: int, max_ms: int) -> None:
        """What the following packets ask for (read by the sender's thread: one assignment)."""
        self.value = playout_delay(min_ms, max_ms)
        self.delay = (min_ms, max_ms)

    def configure(self, parameters: RTCRtpParameters) -> None:
        super().configure(parameters)
        self.id = next((ext.id for ext in parameters.headerExtensions
                        if ext.uri == PLAYOUT_DELAY_URI), None)

    def set(self, values: HeaderExtensions) -> tuple[int, bytes]:
        profile, data = super().set(values)
        if self.id is None:
            return profile, data
        elements = unpack_header_extensions(profile, data) if data else []
        return pack_header_extensions([*elements, (self.id, self.value)])


def _offer_extension() -> None:
    """Add playout-delay to what aiortc offers for video, once, with an id of its own
    (the ids are shared by audio and video under BUNDLE)."""
    video = HEADER_EXTENSIONS["video"]
    if any(ext.uri == PLAYOUT_DELAY_URI for ext in video):
        return
    used = {ext.id for extensions in HEADER_EXTENSIONS.values() for ext in extensions}
    video.append(RTCRtpHeaderExtensionParameters(id=min(set(range(1, 15)) - used),
                                                 uri=PLAYOUT_DELAY_URI))


def install(pc: RTCPeerConnection) -> bool:
    """Before the offer or answer: video senders ask for playout-delay 0..`MAX_DELAY_MS`,
    audio goes in a stream of its own (see the module docstring). False if aiortc's
    internals were not where they were expected; the call works, as before."""
    ok = True
    for transceiver in pc.getTransceivers():
        sender = transceiver.sender
        if sender.track is None:
            continue
        if transceiver.kind == "video":
            ok = _install_extension(sender) and ok
        elif transceiver.kind == "audio":
            if not isinstance(getattr(sender, _STREAM_ATTR, None), str):
                log.warning("aiortc's RTCRtpSender has no %s: audio stays in the video's "
                            "stream (lip-synced, the lawyer's video delayed)", _STREAM_ATTR)
                ok = False
            elif not installed_stream(pc, sender):
                setattr(sender, _STREAM_ATTR, str(uuid.uuid4()))
    return ok


def _install_extension(sender: RTCRtpSender) -> bool:
    current = getattr(sender, _MAP_ATTR, None)
    if isinstance(current, PlayoutDelayExtensions):
        return True
    if type(current) is not HeaderExtensionsMap:
        log.warning("aiortc's RTCRtpSender has no %s: no playout-delay, the lawyer's "
                    "browser smooths (delays) our video", _MAP_ATTR)
        return False
    _offer_extension()
    setattr(sender, _MAP_ATTR, PlayoutDelayExtensions())
    return True


def installed(sender: RTCRtpSender) -> PlayoutDelayExtensions | None:
    """The sender's playout-delay map, if `install` gave it one."""
    current = getattr(sender, _MAP_ATTR, None)
    return current if isinstance(current, PlayoutDelayExtensions) else None


def installed_stream(pc: RTCPeerConnection, sender: RTCRtpSender) -> bool:
    """Whether a sender's stream is its own (no other sender of `pc` is in it)."""
    stream = getattr(sender, _STREAM_ATTR, None)
    return all(getattr(t.sender, _STREAM_ATTR, None) != stream
               for t in pc.getTransceivers() if t.sender is not sender)


# --- how long frames are held before they are shown, on a lossy link -----------------------


@dataclass(frozen=True)
class PlayoutSettings:
    # No loss seen for this long: frames are shown as soon as they are decoded again.
    quiet_after_s: float = 20.0
    # A frame that needed one retransmission arrives a round trip (and the margin) late;
    # a gap in the picture of up to `slack_ms` more than a frame's is not a freeze (P4
    # counts gaps over 200 ms), so only the rest is held.
    margin_ms: int = 60
    slack_ms: int = 100
    # Frames arriving this much later than the earliest (a queue that comes and goes, TCP
    # through a TURN relay) are held for too; less is not worth a delay.
    jitter_floor_ms: int = 80
    # Of how late they came (the most of the p95s of `quiet_after_s`), our screen holds
    # for. P4, 443-only (TCP through a relay): all of it, the lawyer's picture 50 ms older
    # than Chromium's (median 177 vs 127 ms) for no freeze less; half, 83-98 vs 110-129 ms
    # and no freeze more. The lawyer's browser is asked for all of it.
    jitter_share: float = 0.5
    least_ms: int = 40  # less than this is not worth leaving the low-latency path for
    most_ms: int = 600
    # A conversation's one-way budget (ITU-T G.114: up to 400 ms is acceptable), less what
    # the camera, the codecs and the screen take: what holding frames (for retransmissions
    # or for jitter) may spend of it after the link's own half round trip. On a slow link a
    # late frame's freeze costs less than making every frame late (P4 at 256 kbit/s:
    # holding 500 ms saved little frozen time and doubled the picture's age).
    talk_budget_ms: int = 400
    ends_ms: int = 100


class PlayoutPolicy:
    """How long each side holds a frame before showing it, from the loss, the round trip
    and the jitter of the link (pure; the clock is passed in).

    On a clean link, no time at all (`kiosk/call/playout.py`'s low-latency path for the
    lawyer's browser, frames drawn when decoded on the kiosk). Once a packet is lost, a
    frame that waits for its retransmission arrives about a round trip late and, shown at
    once, freezes the picture for that long (P4 counted hundreds of ms a few times a
    second at 3 % loss). So from a loss until `quiet_after_s` without one, every frame is
    held long enough that such a frame is still on time but for `slack_ms`; and frames
    that come late by more than `jitter_floor_ms` (p95) are waited for too. That is less
    than the lawyer's browser's own adaptive buffer adds (its jitter estimate takes a
    round trip and more once it retransmits), as long as it fits a conversation's
    budget; where it does not (`adaptive`), our screen holds what the budget leaves and
    the lawyer's browser is left to its own buffer. `delay_ms` and `adaptive` change
    only through `_set`, which logs `old -> new`.
    """

    def __init__(self, name: str, settings: PlayoutSettings | None = None, *,
                 browser: bool = False) -> None:
        self.name = name
        self.settings = settings or PlayoutSettings()
        self.browser = browser  # the lawyer's browser, which has an adaptive buffer of its own
        self.delay_ms = 0
        # the other side's own buffer decides (extension_range); our screen holds delay_ms
        self.adaptive = False
        self._lost: int | None = None
        self._last_loss: float | None = None
        self._late: deque[tuple[float, float]] = deque()  # (when, jitter over the floor)

    def observe(self, now: float, rtt_s: float | None, lost_total: int,
                jitter_ms: float = 0.0, repair_ms: float | None = None) -> bool:
        """One reading: the round trip, how many packets were lost so far, how much later
        than most the late frames come (`jitter_ms`), and, where known, how long the
        picture waited for retransmissions lately (`repair_ms`: then the round trip is
        not needed to guess it). True when `delay_ms` changed."""
        if self._lost is not None and lost_total > self._lost:
            self._last_loss = now
        self._lost = lost_total if self._lost is None else max(self._lost, lost_total)
        s = self.settings
        lossy = self._last_loss is not None and now - self._last_loss < s.quiet_after_s
        for_loss = 0
        wait_ms = repair_ms if repair_ms else (None if rtt_s is None else rtt_s * 1000)
        if lossy and wait_ms is not None:
            for_loss = int(wait_ms) + s.margin_ms - s.slack_ms
        # Late frames, like losses, are remembered for `quiet_after_s`: a TCP relay's stalls
        # come every few seconds, and a hold that lapsed between them (P4, 443-only: on for
        # 2 s, off again) showed each of them as a freeze.
        if jitter_ms >= s.jitter_floor_ms:
            self._late.append((now, jitter_ms))
        while self._late and now - self._late[0][0] >= s.quiet_after_s:
            self._late.popleft()
        late_ms = max((j for _, j in self._late), default=0.0)
        share = 1.0 if self.browser else s.jitter_share
        for_jitter = int(late_ms * share) + 10 if late_ms else 0
        wanted = min(s.most_ms, max(for_loss, for_jitter))
        # Before the first receiver report the round trip is not known; a retransmission's
        # wait is at least one.
        round_trip_ms = rtt_s * 1000 if rtt_s is not None else wait_ms
        over_budget = False
        if round_trip_ms is not None:
            budget = max(0, s.talk_budget_ms - s.ends_ms - int(round_trip_ms / 2))
            over_budget = self.browser and for_loss > budget
            wanted = min(wanted, budget)
        if wanted < s.least_ms and not over_budget:
            return self._set(0, False, "a clean link")
        wanted = -(-wanted // 10) * 10 if wanted >= s.least_ms else 0  # the extension's unit
        # a round trip that wobbles by a few ms need not move the other side's buffer
        if self.delay_ms and abs(wanted - self.delay_ms) < 30 and over_budget == self.adaptive:
            return False
        why = (f"loss, retransmissions wait {wait_ms:.0f} ms" if wait_ms is not None
               and for_loss >= for_jitter else f"frames up to {late_ms:.0f} ms late")
        if over_budget:
            why += ", more than the budget: the browser's own buffer decides"
        return self._set(wanted, over_budget, why)

    def _set(self, delay_ms: int, adaptive: bool, why: str) -> bool:
        old = (self.delay_ms, self.adaptive)
        if old == (delay_ms, adaptive):
            return False
        self.delay_ms, self.adaptive = delay_ms, adaptive
        log.info("playout %s: %s -> %s (%s)", self.name, _hold(*old), _hold(delay_ms, adaptive),
                 why)
        return True

    def extension_range(self) -> tuple[int, int]:
        """(min, max) for the lawyer's browser: the low-latency path; the delay pinned; or,
        where a retransmission takes longer than the budget allows, the browser's adaptive
        buffer, as between two browsers (a maximum over 500 ms leaves the low-latency
        path). Measured at 256 kbit/s, 5 % loss (P4): pinned, every late frame froze the
        picture and the browser dropped the frames behind it (lawyer's video frozen 8.3 s
        vs 4.7 s for the anchor); left to the browser, 5.3 s vs 5.3 s."""
        if self.adaptive:
            return (0, ADAPTIVE_MAX_MS)
        return (0, MAX_DELAY_MS) if self.delay_ms == 0 else (self.delay_ms, self.delay_ms)


def _hold(delay_ms: int, adaptive: bool) -> str:
    return f"{delay_ms} ms or more" if adaptive else f"{delay_ms} ms"


class PlayoutClock:
    """When our own screen shows a received frame: `delay_s` after the earliest its RTP
    timestamp could have arrived (the smallest arrival-minus-timestamp of the last
    `window_s`), so that frames that waited for a retransmission keep their places. It
    also tells how late the late frames came (`lateness_ms`)."""

    def __init__(self, clock_rate: int = 90_000, window_s: float = 10.0) -> None:
        self.clock_rate = clock_rate
        self.window_s = window_s
        self._offsets: deque[tuple[float, float]] = deque()  # (arrival, arrival - media)
        self._late: deque[tuple[float, float]] = deque()  # (arrival, lateness)
        self._last_ts: int | None = None
        self._unwrapped = 0

    def due(self, arrival: float, rtp_ts: int, delay_s: float) -> float:
        """The monotonic time to show the frame that arrived at `arrival`."""
        if self._last_ts is not None:
            step = (rtp_ts - self._last_ts) % (1 << 32)
            if step >= 1 << 31:
                step -= 1 << 32  # an older frame
            self._unwrapped += step
        self._last_ts = rtp_ts
        media = self._unwrapped / self.clock_rate
        offset = arrival - media
        for kept in (self._offsets, self._late):
            while kept and arrival - kept[0][0] >= self.window_s:
                kept.popleft()
        self._offsets.append((arrival, offset))
        earliest = min(o for _, o in self._offsets)
        self._late.append((arrival, offset - earliest))
        return max(arrival, earliest + media + delay_s) if delay_s > 0 else arrival

    def lateness_ms(self, now: float, span_s: float = 5.0, share: float = 0.95) -> float:
        """How much later than most (the median) the late frames (at `share`) of the last
        `span_s` came: a jitter. Not how late against the earliest: a queue that stands
        delays every frame alike and holding frames back would not help against it."""
        recent = sorted(late for at, late in self._late if now - at < span_s)
        if len(recent) < 10:
            return 0.0
        late = recent[min(len(recent) - 1, int(share * len(recent)))]
        return (late - recent[len(recent) // 2]) * 1000
