"""Bitrate policy for thin village uplinks, and the one place that bends aiortc's encoders.

aiortc's VP8 encoder clamps its target to 250..1500 kbit/s and follows the
other side's REMB (receiver-estimated maximum bitrate); its Opus encoder sends
96 kbit/s. On an uplink of a few hundred kbit/s that floor alone is more than
the link. Here:

* `BitratePolicy` (pure, clock passed in) turns REMB estimates into a mode
  and a target: VIDEO follows the estimate, less what the audio takes (the
  estimate covers every packet we send), clamped to `[floor, ceiling]` with
  a floor well below 250 kbit/s; below `audio_only_below` for `degrade_after_s`
  it goes AUDIO_ONLY (the video track resends its last frame once a second, so
  the lawyer sees a still face and hears everything); after `probe_after_s`
  (doubling up to `probe_max_s` on each failed probe), or at once if the
  estimate climbs over `resume_above`, it goes PROBING (video again at the
  target) and, after `probe_s` without the estimate falling, back to VIDEO.
  A probe fails when the estimate falls by `probe_drop` from its best during
  the probe while under `audio_only_below`: a real overuse, not the slow climb
  of an estimator that has seen only 1 fps for a while (aiortc's and
  Chromium's estimators cap the estimate at 1.5x what they receive).
  Every change of mode goes through `_set_mode`, which logs `old -> new` and
  emits one `PolicyChanged`.

* `AdaptiveVp8Encoder` / `AdaptiveOpusEncoder` and `install_encoders()`: the
  single documented monkeypatch. `RTCRtpSender` creates its encoder lazily
  (`get_encoder(codec)` on the first frame) and keeps it in the private
  `_RTCRtpSender__encoder`; REMB reaches it through the encoder's
  `target_bitrate` setter. We set that private attribute before the first
  frame, on our own senders only, once the descriptions have settled the codec
  (VP8 here, or H.264 through `hardware.AdaptiveH264Encoder`, which reads the
  same policy). If a future aiortc renames the
  attribute, `install_encoders` logs a warning and aiortc's defaults apply;
  `tests/call/test_policy.py` fails on it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import av
from aiortc.codecs.opus import SAMPLE_RATE, SAMPLES_PER_FRAME, TIME_BASE, OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcrtpsender import RTCRtpSender
from av import AudioResampler
from av.frame import Frame
from av.video.frame import VideoFrame

from kiosk.call.events import EventSink, PolicyChanged, PolicyMode, discard
from kiosk.call.settings import PolicySettings

log = logging.getLogger(__name__)

_ENCODER_ATTR = "_RTCRtpSender__encoder"
_VP8_TARGET_ATTR = "_Vp8Encoder__target_bitrate"


class BitratePolicy:
    """Estimates in, a mode and a target bitrate out. Call `tick(now)` about once a second."""

    def __init__(self, settings: PolicySettings | None = None, *, on_event: EventSink = discard,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or PolicySettings()
        self._on_event = on_event
        self._clock = clock
        self.mode = PolicyMode.VIDEO
        self.estimate_bps: int | None = None
        self._mode_since = clock()
        self._below_since: float | None = None
        self._probe_after = self.settings.probe_after_s
        self._probe_best = 0
        self.listeners: list[Callable[[PolicyMode], None]] = []
        self.changes = 0

    @property
    def target_bps(self) -> int:
        s = self.settings
        if self.mode == PolicyMode.AUDIO_ONLY:
            return s.floor_bps
        if self.estimate_bps is None:
            return s.start_bps
        # The estimate is of all we send; the audio and the tail probes go first.
        video = self.estimate_bps - s.reserve_bps
        return max(s.floor_bps, min(video, s.ceiling_bps))

    @property
    def video_frozen(self) -> bool:
        return self.mode == PolicyMode.AUDIO_ONLY

    def on_estimate(self, bps: int, now: float | None = None) -> None:
        """A REMB from the other side (or a fake one in a test)."""
        now = self._clock() if now is None else now
        self.estimate_bps = bps
        if bps < self.settings.audio_only_below_bps:
            if self._below_since is None:
                self._below_since = now
        else:
            self._below_since = None
        if self.mode == PolicyMode.PROBING:
            self._probe_best = max(self._probe_best, bps)
        self._evaluate(now)

    def tick(self, now: float | None = None) -> None:
        self._evaluate(self._clock() if now is None else now)

    def _evaluate(self, now: float) -> None:
        s = self.settings
        elapsed = now - self._mode_since
        estimate = self.estimate_bps
        if self.mode == PolicyMode.VIDEO:
            if self._below_since is not None and now - self._below_since >= s.degrade_after_s:
                self._set_mode(PolicyMode.AUDIO_ONLY, now,
                               f"estimate under {s.audio_only_below_bps // 1000} kbit/s "
                               f"for {now - self._below_since:.0f} s")
        elif self.mode == PolicyMode.AUDIO_ONLY:
            if estimate is not None and estimate >= s.resume_above_bps:
                self._set_mode(PolicyMode.PROBING, now, "estimate recovered")
            elif elapsed >= self._probe_after:
                self._set_mode(PolicyMode.PROBING, now,
                               f"trying video after {elapsed:.0f} s audio only")
        elif self.mode == PolicyMode.PROBING:
            fell = (
                estimate is not None
                and estimate < s.audio_only_below_bps
                and estimate <= self._probe_best * (1 - s.probe_drop)
            )
            if fell:
                self._probe_after = min(self._probe_after * 2, s.probe_max_s)
                self._set_mode(PolicyMode.AUDIO_ONLY, now,
                               f"probe failed; next in {self._probe_after:.0f} s")
            elif elapsed >= s.probe_s:
                self._probe_after = s.probe_after_s
                self._set_mode(PolicyMode.VIDEO, now, f"video held for {elapsed:.0f} s")

    def _set_mode(self, new: PolicyMode, now: float, detail: str) -> None:
        old = self.mode
        if old == new:
            return
        self.mode = new
        self._mode_since = now
        self._below_since = None
        self._probe_best = 0  # a probe judges only the estimates it sees itself
        self.changes += 1
        est = None if self.estimate_bps is None else self.estimate_bps / 1000
        log.info("bitrate policy: %s -> %s (%s)", old, new, detail)
        self._on_event(PolicyChanged(old, new, est, detail))
        for listener in list(self.listeners):
            listener(new)


class FollowsPolicy:
    """For an aiortc encoder: the REMB aiortc hands to `target_bitrate = bps` goes to
    the policy instead of aiortc's clamp (VP8 250..1500, H.264 500..3000 kbit/s), and
    the encoder reads the policy's target back. Put it before aiortc's class."""

    def follow(self, policy: BitratePolicy) -> None:
        self.policy = policy
        self.remb_count = 0
        # where REMBs go; a test that plays the network replaces it
        self.on_remb: Callable[[int], None] = policy.on_estimate

    @property
    def target_bitrate(self) -> int:
        return self.policy.target_bps

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self.remb_count += 1
        self.on_remb(int(bitrate))


class AdaptiveVp8Encoder(FollowsPolicy, Vp8Encoder):
    """aiortc's VP8 encoder, with the target taken from a `BitratePolicy`.

    `encode` runs on an executor thread; the policy is only read there.
    """

    def __init__(self, policy: BitratePolicy) -> None:
        super().__init__()
        self.follow(policy)

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        # aiortc sizes the rate-control buffer from its private copy of the target
        target = self.policy.target_bps
        setattr(self, _VP8_TARGET_ATTR, target)
        codec = self.codec
        if codec is not None and must_reopen(codec, frame, target):
            self.codec = None  # as aiortc would: a new size, or the target moved over 10 %
        if self.codec is None and isinstance(frame, VideoFrame):
            # Opened here with the terminal's speed settings; aiortc's encode then uses it.
            self.codec = _open_vp8(frame, target, self.policy.settings)
        result: tuple[list[bytes], int] = super().encode(frame, force_keyframe)
        return result


def must_reopen(codec: Any, frame: Frame, target: int) -> bool:
    """As aiortc decides for its encoders: a new frame size, or the target moved over 10 %."""
    if not isinstance(frame, VideoFrame):
        return False
    opened_at = codec.bit_rate or target  # an encoder that keeps no rate: size alone
    return bool(
        frame.width != codec.width
        or frame.height != codec.height
        or abs(target - opened_at) / opened_at > 0.1
    )


def _open_vp8(frame: VideoFrame, target: int, settings: PolicySettings) -> Any:
    """libvpx as aiortc opens it (real time, CBR, one token partition), but with the
    terminal's speed and denoiser: on a 2-core box the encode is a good part of a call."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height = frame.width, frame.height
    codec.bit_rate = target
    codec.pix_fmt = "yuv420p"
    codec.gop_size = 3000
    codec.qmin, codec.qmax = 2, 56
    codec.options = {
        "bufsize": str(target),
        "cpu-used": str(settings.vp8_cpu_used),
        "deadline": "realtime",
        "lag-in-frames": "0",
        # A key frame at most three frames' worth of bits, as WebRTC caps it: a full-size
        # one would hold the thin uplink (and the lawyer's next frames) for its length.
        "max-intra-rate": "300",
        "minrate": str(target),
        "maxrate": str(target),
        "noise-sensitivity": str(settings.vp8_noise_sensitivity),
        "overshoot-pct": "15",
        "partitions": "0",
        "static-thresh": "1",
        "undershoot-pct": "100",
    }
    # One thread up to 640x480: a second costs more to coordinate than it saves (aiortc's rule).
    codec.thread_count = 1 if frame.width * frame.height <= 640 * 480 else 2
    return codec


class AdaptiveOpusEncoder(OpusEncoder):
    """aiortc's Opus encoder made for a resident's voice on a lossy uplink:

    * a speech bitrate instead of 96 kbit/s, at libopus's complexity 5 instead of 10
      (half the encode for speech at this bitrate);
    * mono: one voice from one microphone; stereo would halve the bits per channel;
    * in-band FEC with an expected loss of `loss_percent`: each packet also carries a
      coarse copy of the one before, which the lawyer's browser (NetEq) decodes when that
      one was lost instead of concealing it. FFmpeg ignores a misspelt option without a
      word; `tests/call/test_policy.py` checks that the packets change with FEC on.

    DTX (nothing sent in silence) is not offered by FFmpeg's libopus wrapper (8.1)."""

    def __init__(self, bitrate: int, complexity: int = 5, loss_percent: int = 10) -> None:
        super().__init__()
        self.codec = av.CodecContext.create("libopus", "w")
        self.codec.bit_rate = bitrate
        self.codec.format = "s16"
        self.codec.layout = "mono"
        self.codec.sample_rate = SAMPLE_RATE
        self.codec.time_base = TIME_BASE
        self.codec.options = {
            "application": "voip",
            "compression_level": str(complexity),
            "fec": "1" if loss_percent > 0 else "0",
            "packet_loss": str(loss_percent),
        }
        self.resampler = AudioResampler(
            format="s16", layout="mono", rate=SAMPLE_RATE, frame_size=SAMPLES_PER_FRAME
        )


def install_encoder(sender: RTCRtpSender, encoder: object) -> bool:
    """Give `sender` our encoder before its first frame (see the module docstring)."""
    if not hasattr(sender, _ENCODER_ATTR):
        log.warning("aiortc's RTCRtpSender has no %s: bitrate policy not installed", _ENCODER_ATTR)
        return False
    if getattr(sender, _ENCODER_ATTR) is not None:
        log.warning("the sender already has an encoder: bitrate policy not installed")
        return False
    setattr(sender, _ENCODER_ATTR, encoder)
    return True


def installed_encoder(sender: RTCRtpSender) -> object | None:
    return getattr(sender, _ENCODER_ATTR, None)
