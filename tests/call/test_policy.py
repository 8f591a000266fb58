"""The bitrate policy, driven by fake estimates on a fake clock."""

from __future__ import annotations

import pytest
from aiortc.codecs.vpx import MIN_BITRATE
from aiortc.rtcrtpsender import RTCRtpSender

from kiosk.call.events import EventStream, PolicyChanged, PolicyMode
from kiosk.call.policy import (
    AdaptiveOpusEncoder,
    AdaptiveVp8Encoder,
    BitratePolicy,
    install_encoder,
    installed_encoder,
)
from kiosk.call.settings import PolicySettings

S = PolicySettings()

def mode(policy: BitratePolicy) -> PolicyMode:
    """Read through a call: mypy would narrow `policy.mode` after each assert."""
    return policy.mode



def policy() -> tuple[BitratePolicy, EventStream]:
    events = EventStream()
    return BitratePolicy(S, on_event=events, clock=lambda: 0.0), events


def modes(events: EventStream) -> list[tuple[PolicyMode, PolicyMode]]:
    return [(e.old, e.new) for e in events.of(PolicyChanged)]


def test_target_follows_the_estimate_within_floor_and_ceiling() -> None:
    p, events = policy()
    assert p.target_bps == S.start_bps
    p.on_estimate(160_000, 1)
    # the estimate is of everything sent: the audio's and the tail probes' share first,
    # the video the rest, below aiortc's own floor
    assert p.target_bps == 160_000 - S.reserve_bps < MIN_BITRATE
    p.on_estimate(80_000, 2)
    assert p.target_bps == S.floor_bps
    p.on_estimate(5_000_000, 3)
    assert p.target_bps == S.ceiling_bps
    assert events.of(PolicyChanged) == []


def test_a_short_dip_does_not_degrade() -> None:
    p, events = policy()
    p.on_estimate(50_000, 0)
    p.on_estimate(50_000, S.degrade_after_s - 0.5)
    p.on_estimate(200_000, S.degrade_after_s)  # recovered in time
    p.tick(S.degrade_after_s + 10)
    assert mode(p) == PolicyMode.VIDEO and events.of(PolicyChanged) == []


def test_degrade_probe_fail_backoff_then_recover() -> None:
    p, events = policy()
    p.on_estimate(50_000, 0)
    p.tick(S.degrade_after_s - 0.1)
    assert mode(p) == PolicyMode.VIDEO
    p.tick(S.degrade_after_s)
    assert mode(p) == PolicyMode.AUDIO_ONLY and p.video_frozen
    assert p.target_bps == S.floor_bps
    p.tick(S.degrade_after_s + 1)  # emitted once, not on every tick
    assert len(events.of(PolicyChanged)) == 1

    t = S.degrade_after_s + S.probe_after_s
    p.tick(t)
    assert mode(p) == PolicyMode.PROBING and not p.video_frozen
    # the estimator climbs, then overuse: it falls under the threshold -> probe failed
    p.on_estimate(60_000, t + 1)
    p.on_estimate(70_000, t + 2)
    p.on_estimate(60_000, t + 3)
    assert mode(p) == PolicyMode.AUDIO_ONLY
    # the next probe waits twice as long
    p.tick(t + 3 + S.probe_after_s)
    assert mode(p) == PolicyMode.AUDIO_ONLY
    p.tick(t + 3 + 2 * S.probe_after_s)
    assert mode(p) == PolicyMode.PROBING
    # a slow climb without a fall holds: video again after probe_s
    t2 = t + 3 + 2 * S.probe_after_s
    for i in range(1, int(S.probe_s)):
        p.on_estimate(40_000 + i * 3_000, t2 + i)
    assert mode(p) == PolicyMode.PROBING
    p.tick(t2 + S.probe_s)
    assert mode(p) == PolicyMode.VIDEO
    assert modes(events) == [
        (PolicyMode.VIDEO, PolicyMode.AUDIO_ONLY),
        (PolicyMode.AUDIO_ONLY, PolicyMode.PROBING),
        (PolicyMode.PROBING, PolicyMode.AUDIO_ONLY),
        (PolicyMode.AUDIO_ONLY, PolicyMode.PROBING),
        (PolicyMode.PROBING, PolicyMode.VIDEO),
    ]


def test_a_strong_estimate_ends_audio_only_at_once() -> None:
    p, _ = policy()
    p.on_estimate(10_000, 0)
    p.tick(S.degrade_after_s)
    assert mode(p) == PolicyMode.AUDIO_ONLY
    p.on_estimate(S.resume_above_bps, S.degrade_after_s + 1)
    assert mode(p) == PolicyMode.PROBING


def test_listeners_hear_each_change_once() -> None:
    p, _ = policy()
    heard: list[PolicyMode] = []
    p.listeners.append(heard.append)
    p.on_estimate(10_000, 0)
    p.tick(100)
    p.tick(101)
    assert heard == [PolicyMode.AUDIO_ONLY]
    p.tick(100 + S.probe_after_s)
    assert heard == [PolicyMode.AUDIO_ONLY, PolicyMode.PROBING]


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        PolicySettings(floor_bps=500_000, start_bps=300_000)
    with pytest.raises(ValueError):
        PolicySettings(audio_only_below_bps=200_000, resume_above_bps=100_000)


def test_the_encoders_take_their_targets_from_the_policy() -> None:
    p, _ = policy()
    encoder = AdaptiveVp8Encoder(p)
    encoder.target_bitrate = 180_000  # what aiortc does with a REMB
    assert p.estimate_bps == 180_000
    assert encoder.target_bitrate == 180_000 - S.reserve_bps
    assert encoder.remb_count == 1
    assert AdaptiveOpusEncoder(24_000).codec.bit_rate == 24_000


def test_the_encoders_run_at_the_terminals_speed_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fractions

    import av

    from kiosk.call import policy as policy_module
    from kiosk.call.pattern import draw_test_pattern

    settings = PolicySettings(vp8_cpu_used=-8, vp8_noise_sensitivity=0, opus_complexity=3)
    opened: list[tuple[dict[str, str], object]] = []
    open_vp8 = policy_module._open_vp8

    def spy(frame: av.VideoFrame, target: int, given: PolicySettings) -> object:
        codec = open_vp8(frame, target, given)
        opened.append((dict(codec.options), codec))  # before libvpx takes them
        return codec

    monkeypatch.setattr(policy_module, "_open_vp8", spy)
    encoder = AdaptiveVp8Encoder(BitratePolicy(settings))
    frame = draw_test_pattern(1, 0)
    frame.pts, frame.time_base = 0, fractions.Fraction(1, 90_000)
    assert encoder.encode(frame, force_keyframe=True)[0]  # a keyframe came out
    assert len(opened) == 1 and encoder.codec is opened[0][1]
    options = opened[0][0]
    assert options["cpu-used"] == "-8" and options["noise-sensitivity"] == "0"
    assert options["deadline"] == "realtime"  # aiortc's, kept
    # The same size again keeps the encoder; a new size opens a new one, same settings.
    frame.pts = 6000
    encoder.encode(frame)
    assert len(opened) == 1
    smaller = draw_test_pattern(2, 0, 320, 240)
    smaller.pts, smaller.time_base = 12_000, fractions.Fraction(1, 90_000)
    assert encoder.encode(smaller, force_keyframe=True)[0]
    assert len(opened) == 2 and opened[1][0]["cpu-used"] == "-8"

    opus = AdaptiveOpusEncoder(24_000, settings.opus_complexity)
    assert opus.codec.options["compression_level"] == "3"
    assert opus.codec.options["application"] == "voip"  # aiortc's, kept
    tone = av.AudioFrame(format="s16", layout="stereo", samples=960)
    tone.planes[0].update(bytes(3840))
    tone.sample_rate, tone.pts, tone.time_base = 48_000, 0, fractions.Fraction(1, 48_000)
    assert opus.encode(tone)[0]


async def test_install_encoder_uses_aiortcs_private_slot() -> None:
    """Fails when a new aiortc renames `RTCRtpSender.__encoder`: then fix `policy.py`."""
    from aiortc import RTCPeerConnection

    pc = RTCPeerConnection()
    try:
        transceiver = pc.addTransceiver("video")
        sender: RTCRtpSender = transceiver.sender
        encoder = AdaptiveVp8Encoder(policy()[0])
        assert install_encoder(sender, encoder)
        assert installed_encoder(sender) is encoder
        assert not install_encoder(sender, encoder)  # never replaces one in use
    finally:
        await pc.close()


def _speech_like(encoder: AdaptiveOpusEncoder, seconds: float = 1.0) -> list[bytes]:
    """A warbling tone through `encoder`, 20 ms at a time: its packets."""
    import fractions
    import math
    from array import array

    import av

    packets: list[bytes] = []
    for start in range(0, int(48_000 * seconds), 960):
        samples = array("h", (
            int(3000 * math.sin(2 * math.pi * 440 * (start + k) / 48_000)
                * (1 + math.sin(2 * math.pi * 3 * (start + k) / 48_000)))
            for k in range(960)))
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate, frame.pts, frame.time_base = 48_000, start, fractions.Fraction(1, 48_000)
        packets += encoder.encode(frame)[0]
    return packets


def test_opus_speaks_mono_with_in_band_fec() -> None:
    with_fec = _speech_like(AdaptiveOpusEncoder(32_000, loss_percent=10))
    without = _speech_like(AdaptiveOpusEncoder(32_000, loss_percent=0))
    assert len(with_fec) == len(without) >= 45
    # FFmpeg drops an option it does not know without a word: the packets must differ
    assert with_fec != without
    # the TOC byte's stereo flag (RFC 6716, 3.1) is clear: one channel
    assert all(packet[0] & 0x04 == 0 for packet in with_fec)
