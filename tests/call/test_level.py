"""The audio level sent with each packet: sampled, but the level aiortc would send."""

from __future__ import annotations

import math
import struct

import aiortc.rtcrtpsender
import aiortc.rtp
import av
import pytest

from kiosk.call import level

RATE, SAMPLES = 48_000, 960


def _tone(amplitude: float, layout: str = "stereo") -> av.AudioFrame:
    channels = 2 if layout == "stereo" else 1
    frame = av.AudioFrame(format="s16", layout=layout, samples=SAMPLES)
    values = []
    for n in range(SAMPLES):
        sample = round(amplitude * 32767 * math.sin(2 * math.pi * 440 * n / RATE))
        values.extend([sample] * channels)
    frame.planes[0].update(struct.pack(f"<{len(values)}h", *values))
    frame.sample_rate = RATE
    return frame


@pytest.mark.parametrize("amplitude", [1.0, 0.5, 0.1, 0.01, 0.001])
def test_the_sampled_level_is_aiortcs_to_within_a_decibel(amplitude: float) -> None:
    # Mono: aiortc divides the energy of all interleaved samples by the samples of one
    # channel, so it says a stereo frame is 3 dB louder than each of its channels is.
    frame = _tone(amplitude, "mono")
    assert level.AIORTC_LEVEL is not None
    assert level.AIORTC_LEVEL is not level.audio_level_dbov
    assert abs(level.audio_level_dbov(frame) - level.AIORTC_LEVEL(frame)) <= 1


def test_silence_is_the_quietest_level_and_stereo_as_loud_as_its_channels() -> None:
    assert level.audio_level_dbov(_tone(0.0)) == level.MIN_LEVEL_DBOV
    assert level.audio_level_dbov(_tone(0.5)) == level.audio_level_dbov(_tone(0.5, "mono"))


def test_installing_replaces_what_the_sender_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiortc.rtp, "compute_audio_level_dbov", aiortc.rtp.compute_audio_level_dbov)
    assert level.install()
    # aiortc's sender looks the function up through the module at each frame.
    assert aiortc.rtcrtpsender.rtp.compute_audio_level_dbov is level.audio_level_dbov
    assert level.install()  # twice is once
