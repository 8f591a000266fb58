"""The audio level sent with each audio packet (RFC 6465), from a sample of the frame.

aiortc computes it in a Python loop over every sample of every 20 ms frame
(1,920 of them in stereo at 48 kHz), about 0.2 ms a frame on the terminal's
loop thread: 0.7 CPU-seconds a minute of a call, for a number nobody on the
lawyer's side needs to the last decibel. Every eighth sample gives the same
level to within a decibel or two, about eight times sooner.

Installed once, module-wide: `aiortc.rtcrtpsender` reads
`aiortc.rtp.compute_audio_level_dbov` at each frame. If a future aiortc
moves it, `install` logs a warning and aiortc's own works as before;
`tests/call/test_level.py` fails on it.
"""

from __future__ import annotations

import logging
import math
from array import array
from operator import mul
from typing import Any

import aiortc.rtp

log = logging.getLogger(__name__)

STEP = 8  # every STEP-th sample of the first plane
MIN_LEVEL_DBOV = -127  # silence, as RFC 6465 puts it
_FULL_SCALE = 32767
_ATTR = "compute_audio_level_dbov"
AIORTC_LEVEL = getattr(aiortc.rtp, _ATTR, None)  # what it replaces, for the tests


def audio_level_dbov(frame: Any) -> int:
    """-dBov of an s16 frame's first plane, 0 loudest, -127 silent (RFC 6465, Appendix A)."""
    samples = array("h", bytes(frame.planes[0]))[::STEP]
    if not samples:
        return MIN_LEVEL_DBOV
    rms = math.sqrt(sum(map(mul, samples, samples)) / len(samples)) / _FULL_SCALE
    if rms <= 0:
        return MIN_LEVEL_DBOV
    return max(MIN_LEVEL_DBOV, min(0, round(20 * math.log10(rms))))


def install() -> bool:
    if getattr(aiortc.rtp, _ATTR, None) is audio_level_dbov:
        return True
    if not hasattr(aiortc.rtp, _ATTR):
        log.warning("aiortc.rtp has no %s: the audio level is computed as aiortc does", _ATTR)
        return False
    setattr(aiortc.rtp, _ATTR, audio_level_dbov)
    return True
