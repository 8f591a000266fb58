"""What a terminal's configuration decides about calls. No aiortc here: cheap to import.

Proposed `[call]` keys for `kiosk.toml` (the config module owns the parsing):

    camera = "test-pattern"        # or "/dev/video0"
    microphone = "test-tone"       # or "default", "alsa:hw:1,0", "none"
    speaker = "none"               # or "default", "alsa:NAME"
    relay_only = false             # force TURN (iceTransportPolicy "relay")
    turn_transport = "auto"        # or "udp", "tcp", "tls"
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
    start_bps: int = 300_000  # before the first estimate
    audio_bps: int = 32_000  # Opus for speech (aiortc sends 96_000)
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
    no_answer_timeout_s: float = 90.0  # then call.cancel and the 12348 fallback
    # The hub always answers call.request at once (call.queued); silence this long means
    # it or the network is down, and the resident should not wait 90 s to hear so.
    hub_answer_timeout_s: float = 15.0
    connect_timeout_s: float = 20.0  # offer sent, no media yet: next attempt
    media_lost_after_s: float = 5.0  # connected, no RTP of any kind: next attempt
    max_attempts: int = 3  # peer connections per consultation (docs/signaling.md)
    device_stall_s: float = 3.0  # a camera/microphone silent this long has failed
    stats_interval_s: float = 1.0
    policy: PolicySettings = field(default_factory=PolicySettings)

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 20:
            raise ValueError("max_attempts: expected 1 to 20 (the contract's attempt limit)")
        if self.width % 16 or self.height % 16:
            raise ValueError("width and height: expected multiples of 16")
        if not (self.still_width >= max(1, self.width)
                and self.still_height >= max(1, self.height)):
            raise ValueError("still_width and still_height: expected positive and at least "
                             "the call's width and height")
