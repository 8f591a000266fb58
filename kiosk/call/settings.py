"""What a terminal's configuration decides about calls. No aiortc here: cheap to import.

Proposed `[call]` keys for `kiosk.toml` (the config module owns the parsing):

    camera = "test-pattern"        # or "/dev/video0"
    microphone = "test-tone"       # or "default", "alsa:hw:1,0", "none"
    speaker = "none"               # or "default", "alsa:NAME"
    relay_only = false             # force TURN (iceTransportPolicy "relay")
    turn_transport = "auto"        # or "udp", "tcp", "tls"
    video_encoder = "auto"         # or "vp8", or one FFmpeg H.264 encoder ("h264_vaapi")
    no_answer_timeout_s = 90
    hub_answer_timeout_s = 15
    video_floor_kbps = 96
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TurnSetting = Literal["auto", "udp", "tcp", "tls"]


@dataclass(frozen=True)
class PolicySettings:
    """The bitrate policy (see `policy.py`); bit/s and seconds."""

    floor_bps: int = 96_000  # aiortc's own floor is 250_000
    ceiling_bps: int = 1_000_000  # plenty for 640x480 at 15 fps
    # Before the first estimate: with the audio about 230 kbit/s in all, under what the
    # thinnest village uplinks carry (a start above it filled a 256 kbit/s link's queue
    # for a second, P4); the other side's estimate raises it within seconds where it can.
    start_bps: int = 180_000
    audio_bps: int = 32_000  # Opus for speech (aiortc sends 96_000)
    # What the audio costs on the wire besides its bitrate: 50 packets a second of
    # RTP, SRTP, UDP and IP headers (about 50 bytes each).
    audio_overhead_bps: int = 20_000
    # The probe packet after each video frame (tail_probe.py): ~70 bytes at 15 fps.
    tail_probe_bps: int = 8_000
    # libvpx's real-time speed (-16..16, more is faster and coarser) and its denoiser
    # (0 off, 1 luma only, as WebRTC's; aiortc's 4, adaptive, costs a third of the encode).
    vp8_cpu_used: int = -6
    vp8_noise_sensitivity: int = 1
    # libopus's complexity (0..10): 5 costs half of aiortc's 10 for speech at 32 kbit/s.
    opus_complexity: int = 5
    audio_only_below_bps: int = 72_000
    resume_above_bps: int = 160_000
    degrade_after_s: float = 4.0
    probe_after_s: float = 15.0
    probe_max_s: float = 120.0
    probe_s: float = 20.0
    probe_drop: float = 0.10

    @property
    def reserve_bps(self) -> int:
        """The part of the other side's estimate (it covers everything we send) that the
        audio and the video's tail probes take before the video's frames get the rest."""
        return self.audio_bps + self.audio_overhead_bps + self.tail_probe_bps

    def __post_init__(self) -> None:
        if not 0 < self.floor_bps <= self.start_bps <= self.ceiling_bps:
            raise ValueError("expected 0 < floor_bps <= start_bps <= ceiling_bps")
        if not self.audio_only_below_bps < self.resume_above_bps:
            raise ValueError("expected audio_only_below_bps < resume_above_bps")
        if not -16 <= self.vp8_cpu_used <= 16 or not 0 <= self.vp8_noise_sensitivity <= 6:
            raise ValueError("expected -16 <= vp8_cpu_used <= 16, 0 <= vp8_noise_sensitivity <= 6")
        if not 0 <= self.opus_complexity <= 10:
            raise ValueError("expected 0 <= opus_complexity <= 10")


@dataclass(frozen=True)
class LadderSettings:
    """The send-size ladder (see `ladder.py`); shares of the machine's CPU and seconds."""

    # A 2-core box at 90 % has no headroom left for the Qt thread; under 70 % it has.
    cpu_high: float = 0.90
    cpu_low: float = 0.70
    down_after_s: float = 4.0  # the CPU over cpu_high this long: a step down
    # The target under a step's floor this long: a step down. Longer than for the CPU:
    # the other side's estimate starts low and climbs for the first seconds of a call,
    # and a thin uplink is the bitrate policy's to handle first (audio only).
    starved_after_s: float = 10.0
    up_after_s: float = 10.0
    up_max_s: float = 160.0
    # A climb undone within this long doubles the next wait.
    failed_climb_s: float = 20.0
    # bits per pixel of a frame a step needs at its frame rate (VP8 real time stays
    # watchable from about 0.06); a climb needs this much more, so a target sitting
    # on the boundary does not flip the size back and forth.
    bits_per_pixel: float = 0.06
    climb_margin: float = 1.25

    def __post_init__(self) -> None:
        if not 0 < self.cpu_low < self.cpu_high <= 1:
            raise ValueError("expected 0 < cpu_low < cpu_high <= 1")
        if not 0 < self.up_after_s <= self.up_max_s or min(self.down_after_s,
                                                           self.starved_after_s) <= 0:
            raise ValueError("expected 0 < up_after_s <= up_max_s, and down_after_s and "
                             "starved_after_s > 0")
        if self.bits_per_pixel <= 0 or self.climb_margin < 1:
            raise ValueError("expected bits_per_pixel > 0 and climb_margin >= 1")


@dataclass(frozen=True)
class CallSettings:
    camera: str = "test-pattern"
    microphone: str = "test-tone"
    speaker: str = "none"
    width: int = 640
    height: int = 480
    fps: float = 15.0
    # The size asked of the camera for a document still (the live call stays at width x
    # height); a V4L2 camera gives the nearest size it supports, maybe less.
    still_width: int = 1920
    still_height: int = 1080
    relay_only: bool = False
    turn_transport: TurnSetting = "auto"
    # "auto": hardware H.264 if a probe finds a working encoder, else VP8 (hardware.py);
    # "vp8"; or one FFmpeg H.264 encoder a technician pins, such as "h264_v4l2m2m".
    video_encoder: str = "auto"
    no_answer_timeout_s: float = 90.0  # then call.cancel and the 12348 fallback
    # The hub always answers call.request at once (call.queued); silence this long means
    # it or the network is down, and the resident should not wait 90 s to hear so.
    hub_answer_timeout_s: float = 15.0
    connect_timeout_s: float = 20.0  # offer sent, no media yet: next attempt
    media_lost_after_s: float = 5.0  # connected, no RTP of any kind: reconnecting
    # ... and still none this long after the last: a new peer connection (the next attempt)
    media_rebuild_after_s: float = 12.0
    max_attempts: int = 3  # peer connections per consultation (docs/signaling.md)
    device_stall_s: float = 3.0  # a camera/microphone silent this long has failed
    stats_interval_s: float = 1.0
    policy: PolicySettings = field(default_factory=PolicySettings)
    ladder: LadderSettings = field(default_factory=LadderSettings)

    def __post_init__(self) -> None:
        if not 0 < self.media_lost_after_s <= self.media_rebuild_after_s:
            raise ValueError("expected 0 < media_lost_after_s <= media_rebuild_after_s")
        if not 1 <= self.max_attempts <= 20:
            raise ValueError("max_attempts: expected 1 to 20 (the contract's attempt limit)")
        if self.video_encoder not in ("auto", "vp8") and not (
            "264" in self.video_encoder
            and self.video_encoder.replace("_", "").isalnum()
            and self.video_encoder.isascii()
        ):
            raise ValueError('video_encoder: expected "auto", "vp8" or an FFmpeg H.264 '
                             'encoder name such as "h264_vaapi"')
        if self.width % 16 or self.height % 16:
            raise ValueError("width and height: expected multiples of 16")
        if not (self.still_width >= max(1, self.width)
                and self.still_height >= max(1, self.height)):
            raise ValueError("still_width and still_height: expected positive and at least "
                             "the call's width and height")
