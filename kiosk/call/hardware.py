"""Hardware H.264 where the terminal has it, VP8 in software otherwise.

At start-up (`kiosk run` after its first frame, `kiosk doctor`, or the first
call) `probe_video_codec` tries the hardware H.264 encoders FFmpeg may have:
VA-API (Intel/AMD), V4L2 M2M (ARM boards), Quick Sync. Each is opened for
real at 640x480, fed a few frames, and what it makes must decode with the
matching hardware decoder; the first that passes is sent, and if none does the
kiosk sends VP8 from libvpx as it always has. A technician may pin one encoder
by name (`[call] video_encoder`), or "vp8".

The kiosk offers H.264 first and VP8 second (`prefer_codec`), and the answer
decides: aiortc's sender encodes with `transceiver._codecs[0]` as negotiated
(`RTCRtpSender.send(parameters)` starts `_run_rtp(parameters.codecs[0])`, whose
first frame calls `get_encoder(codec)` unless an encoder is already set). So
the encoder is chosen only once the descriptions are applied (`negotiated_mime`,
`make_video_encoder`), before the DTLS handshake lets the first frame out.
H.264 from the other side is decoded on the decoder the probe read back with
(`decode_with`, `HardwareH264Decoder`), FFmpeg's software one if that fails.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiortc.rtcrtpreceiver
import av
from aiortc import RTCRtpSender
from aiortc.codecs.base import Decoder
from aiortc.codecs.h264 import H264Decoder, H264Encoder
from aiortc.jitterbuffer import JitterFrame
from av.video.frame import PictureType, VideoFrame

from kiosk.call.hwprobe import EncoderSpec, encoder_spec, open_h264_decoder, open_h264_encoder
from kiosk.call.policy import AdaptiveVp8Encoder, BitratePolicy, FollowsPolicy, must_reopen

log = logging.getLogger(__name__)

H264 = "video/H264"
VP8 = "video/VP8"
# In the order tried; names the installed FFmpeg lacks are passed over.
HARDWARE_CANDIDATES = ("h264_vaapi", "h264_v4l2m2m", "h264_qsv")
# A child opens one encoder in about 0.2 s here; a driver that takes this long has hung.
PROBE_TIMEOUT_S = 10.0
# aiortc's capabilities list H.264 twice, both packetization-mode 1: constrained
# baseline first (what every browser offers), then baseline, which some answerers
# list alone; a constrained baseline stream is a valid baseline stream.
H264_PROFILES = ("42e01f", "42001f")


@dataclass(frozen=True)
class VideoCodecChoice:
    """The video a terminal sends, and how that was decided."""

    mime: str  # "video/H264" or "video/VP8"
    encoder: str  # FFmpeg's encoder: "h264_v4l2m2m", "libx264", "libvpx"
    hardware: bool
    # (what was tried, why it failed or was not used), in the order tried
    tried: tuple[tuple[str, str], ...] = ()

    @property
    def is_h264(self) -> bool:
        return self.mime == H264

    def describe(self) -> str:
        codec = "H.264" if self.is_h264 else "VP8"
        kind = "hardware" if self.hardware else "software"
        return f"{codec}, {kind} ({self.encoder})"


VP8_SOFTWARE = VideoCodecChoice(VP8, "libvpx", False)


def probe_video_codec(
    setting: str = "auto",
    *,
    candidates: Sequence[str] = HARDWARE_CANDIDATES,
    timeout_s: float = PROBE_TIMEOUT_S,
) -> VideoCodecChoice:
    """What this terminal should send: blocks for up to a few seconds (child processes).

    "auto" tries `candidates` in order, "vp8" tries nothing, any other value is one
    FFmpeg H.264 encoder to try alone. Logs the result once.
    """
    if setting == "vp8":
        choice = VideoCodecChoice(VP8, "libvpx", False, (("vp8", "set in the configuration"),))
    else:
        choice = _first_working(list(candidates) if setting == "auto" else [setting], timeout_s)
    why = "; ".join(f"{name}: {reason}" for name, reason in choice.tried)
    log.info("video codec: %s%s", choice.describe(), f" (tried {why})" if why else "")
    return choice


def _first_working(names: Sequence[str], timeout_s: float) -> VideoCodecChoice:
    tried: list[tuple[str, str]] = []
    for name in names:
        if name not in av.codecs_available:
            tried.append((name, "not in this FFmpeg"))
            continue
        ok, reason = _probe_in_child(name, timeout_s)
        tried.append((name, reason))
        if ok:
            return VideoCodecChoice(H264, name, encoder_spec(name).hardware, tuple(tried))
    return VideoCodecChoice(VP8, "libvpx", False, tuple(tried))


def _probe_in_child(name: str, timeout_s: float) -> tuple[bool, str]:
    """`kiosk.call.hwprobe` in a child process: a driver that hangs is killed with it,
    one that crashes takes only the child down (a thread could do neither)."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding `kiosk`
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.call.hwprobe", name],
            capture_output=True, text=True, timeout=timeout_s, env=env, check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"no answer within {timeout_s:g} s (the driver hung)"
    except OSError as exc:
        return False, f"the probe could not start ({exc})"
    if done.returncode < 0:
        return False, f"the probe crashed ({signal.Signals(-done.returncode).name})"
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
        return bool(result["ok"]), str(result["reason"])
    except (IndexError, ValueError, KeyError, TypeError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return False, f"the probe failed (exit {done.returncode}: {tail})"


_cache: dict[str, VideoCodecChoice] = {}
_locks: dict[str, threading.Lock] = {}
_cache_lock = threading.Lock()


def video_codec_choice(setting: str = "auto") -> VideoCodecChoice:
    """`probe_video_codec(setting)` once per process; a second caller waits for the first.

    Blocks: from the asyncio loop use `video_codec_choice_async`.
    """
    with _cache_lock:
        lock = _locks.setdefault(setting, threading.Lock())
    with lock:
        choice = _cache.get(setting)
        if choice is None:
            choice = _cache[setting] = probe_video_codec(setting)
        return choice


async def video_codec_choice_async(setting: str = "auto") -> VideoCodecChoice:
    """The cached choice without blocking the loop (the probe runs on a worker thread)."""
    choice = _cache.get(setting)
    if choice is not None:
        return choice
    return await asyncio.to_thread(video_codec_choice, setting)


def cached_video_codec(setting: str = "auto") -> VideoCodecChoice | None:
    """The choice if it has been probed in this process, without waiting."""
    return _cache.get(setting)


# --- the encoder ----------------------------------------------------------------------------


class AdaptiveH264Encoder(FollowsPolicy, H264Encoder):
    """aiortc's H.264 encoder (its RTP packetizer), opening the chosen FFmpeg encoder
    with the target taken from a `BitratePolicy`, as `AdaptiveVp8Encoder` does.

    The REMB aiortc hands to `target_bitrate = bps` goes to the policy instead of
    being clamped to aiortc's 500..3000 kbit/s; the encoder reopens when the frame
    size changes (the send-size ladder) or the target moves by more than 10 %.
    `encode` runs on an executor thread; the policy is only read there.
    """

    def __init__(self, policy: BitratePolicy, encoder: str = "libx264") -> None:
        super().__init__()
        self.follow(policy)
        self.encoder = encoder
        self.spec = encoder_spec(encoder)
        self.opened = 0  # how many times an encoder was opened (sizes, targets)

    def _encode_frame(self, frame: VideoFrame, force_keyframe: bool) -> Iterator[bytes]:
        target = self.policy.target_bps
        codec = self.codec
        if codec is not None and must_reopen(codec, frame, target):
            self.buffer_data = b""
            self.buffer_pts = None
            self.codec = None
        # NONE lets the encoder decide; I asks for a key frame (a PLI from the other side).
        frame.pict_type = PictureType.I if force_keyframe else PictureType.NONE
        if self.codec is None:
            self.codec = open_h264_encoder(self.spec, frame.width, frame.height, target)
            self.opened += 1
            log.debug("H.264 encoder %s opened at %dx%d, %d kbit/s", self.encoder,
                      frame.width, frame.height, target // 1000)
        data = b"".join(bytes(packet) for packet in self.codec.encode(frame))
        if data:
            yield from self._split_bitstream(data)


VideoEncoder = AdaptiveVp8Encoder | AdaptiveH264Encoder


def make_video_encoder(choice: VideoCodecChoice | None, policy: BitratePolicy) -> VideoEncoder:
    """The encoder to install on a sender whose negotiated codec is `choice.mime`."""
    if choice is not None and choice.is_h264:
        return AdaptiveH264Encoder(policy, choice.encoder)
    return AdaptiveVp8Encoder(policy)


# --- the decoder -----------------------------------------------------------------------------


class HardwareH264Decoder(H264Decoder):
    """aiortc's H.264 decoder on the decoder the probe read its encoder's output with.

    The probe decoded a few frames; a call decodes for an hour, from another
    encoder. If the hardware decoder cannot open, or fails `FALLBACK_AFTER`
    frames in a row, FFmpeg's software decoder takes over for the rest of the
    call: a decode error makes aiortc ask for a key frame (PLI), which the
    software decoder starts from.
    """

    FALLBACK_AFTER = 3

    def __init__(self, spec: EncoderSpec) -> None:
        super().__init__()  # FFmpeg's software decoder, kept for the fallback
        self.spec = spec
        self._software = self.codec
        self._failures = 0
        self.hardware = False
        try:
            codec = open_h264_decoder(spec)
            codec.open()  # now, not at the first frame: a device that is not there says so
            self.codec = codec
        except Exception as exc:
            log.warning("H.264 decoder %s did not open (%r): decoding in software",
                        spec.decoder, exc)
            return
        self.hardware = True
        log.info("decoding H.264 on %s", spec.decoder)

    def decode(self, encoded_frame: JitterFrame) -> list[Any]:
        if not self.hardware:
            return super().decode(encoded_frame)
        try:
            frames = super().decode(encoded_frame)
        except av.FFmpegError:
            self._failures += 1
            if self._failures >= self.FALLBACK_AFTER:
                log.warning("H.264 decoder %s failed %d frames in a row: decoding in "
                            "software from the next key frame", self.spec.decoder,
                            self._failures)
                self.codec, self.hardware = self._software, False
            raise  # aiortc logs it and asks for a key frame
        self._failures = 0
        return frames


_aiortc_get_decoder = aiortc.rtcrtpreceiver.get_decoder  # type: ignore[attr-defined]
_decoding: EncoderSpec | None = None


def _get_decoder(codec: Any) -> Decoder:
    spec = _decoding
    if spec is not None and str(codec.mimeType).lower() == H264.lower():
        return HardwareH264Decoder(spec)
    return _aiortc_get_decoder(codec)


def decode_with(choice: VideoCodecChoice | None) -> None:
    """Decode incoming H.264 on the hardware `choice` probed (None or software: FFmpeg's).

    aiortc's receivers make their decoder in a worker thread through the module's
    `get_decoder` when the first frame of a codec arrives; the one documented patch
    here replaces that name, once, and reads which decoder to use at that moment.
    A terminal has one call at a time, so this is the process's setting.
    """
    global _decoding
    if getattr(aiortc.rtcrtpreceiver, "get_decoder", None) is not _get_decoder:
        aiortc.rtcrtpreceiver.get_decoder = _get_decoder  # type: ignore[attr-defined]
    _decoding = (encoder_spec(choice.encoder)
                 if choice is not None and choice.is_h264 and choice.hardware else None)


# --- the peer's side ------------------------------------------------------------------------


def prefer_codec(transceiver: Any, choice: VideoCodecChoice | None) -> None:
    """The codecs a video transceiver offers, best first: H.264 (if chosen), VP8, RTX."""
    codecs = RTCRtpSender.getCapabilities("video").codecs
    preferred = []
    if choice is not None and choice.is_h264:
        for profile in H264_PROFILES:
            preferred += [
                c for c in codecs
                if c.mimeType.lower() == H264.lower()
                and str(c.parameters.get("packetization-mode")) == "1"
                and str(c.parameters.get("profile-level-id", "")).lower() == profile
            ]
    preferred += [c for c in codecs if c.mimeType.lower() in (VP8.lower(), "video/rtx")]
    transceiver.setCodecPreferences(preferred)


def negotiated_mime(transceiver: Any) -> str | None:
    """The codec this transceiver's sender will encode, once both descriptions are applied.

    aiortc keeps the negotiated list in the private `_codecs` (remote order, filtered
    by our preferences) and sends with its first entry. None if a future aiortc moves it.
    """
    codecs = getattr(transceiver, "_codecs", None)
    if not codecs:
        log.warning("aiortc's transceiver has no negotiated codecs: video encoder left as is")
        return None
    return str(codecs[0].mimeType)


def sending_choice(mime: str, choice: VideoCodecChoice | None) -> VideoCodecChoice:
    """What is really sent when the negotiation gave `mime` and the terminal chose `choice`."""
    wanted = choice or VP8_SOFTWARE
    if mime.lower() == H264.lower():
        if wanted.is_h264:
            return wanted
        # The other side offered H.264 first (we only answer): libx264, as aiortc would.
        return VideoCodecChoice(H264, "libx264", False,
                                (*wanted.tried, ("H.264", "the offer put it first")))
    if wanted.is_h264:
        return VideoCodecChoice(VP8, "libvpx", False,
                                (*wanted.tried, (wanted.encoder, "the answer accepted only VP8")))
    return wanted
