"""How each H.264 encoder is opened, and one of them tried for real (see `hardware.py`).

`open_h264_encoder` is the one place that knows each FFmpeg encoder's options:
the call's encoder (`hardware.AdaptiveH264Encoder`) and the probe open it the
same way, so a probe that passes has tested what a call will run.

`python -m kiosk.call.hwprobe ENCODER` opens ENCODER at 640x480, encodes a few
generated frames, decodes the packets with the matching decoder and prints one
JSON line `{"ok": ..., "reason": ...}`. It runs in a process of its own because
a video driver can hang in an ioctl or crash the process, and only a process can
be killed (a thread cannot). Only PyAV is imported here, not aiortc: the child is
ready in about a third of a second.
"""

from __future__ import annotations

import fractions
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import av
import av.logging
from av.codec.hwaccel import HWAccel
from av.video.frame import VideoFrame

PROBE_WIDTH, PROBE_HEIGHT = 640, 480
PROBE_FRAMES = 10
# The encoder counts in aiortc's 90 kHz video clock: frames keep their own timestamps
# whatever rate the send-size ladder sends at (1/30 s ticks would round two frames of
# 20 fps onto one pts, which libx264 refuses).
CLOCK = fractions.Fraction(1, 90_000)
# The rate a terminal plans to send (ARCHITECTURE.md: 15 fps). libx264 budgets by the
# timestamps; hardware encoders by this nominal rate.
NOMINAL_FPS = 15


@dataclass(frozen=True)
class EncoderSpec:
    """How to open one FFmpeg H.264 encoder, and which decoder reads it back."""

    name: str
    pix_fmt: str = "yuv420p"
    hardware: bool = True
    device: str | None = None  # FFmpeg hardware device type when frames must be uploaded
    decoder: str = "h264"
    decoder_device: str | None = None
    # FFmpeg's generic profile; None where the encoder takes its own option instead
    profile: str | None = "Constrained Baseline"
    options: dict[str, str] = field(default_factory=dict)


_SPECS: dict[str, EncoderSpec] = {
    # VA-API wants frames on the GPU: PyAV uploads nv12 through a frames context.
    "h264_vaapi": EncoderSpec(
        "h264_vaapi", pix_fmt="nv12", device="vaapi", decoder_device="vaapi",
        options={"rc_mode": "CBR", "async_depth": "1"},
    ),
    # The ARM boxes' stateful codecs; they take system-memory yuv420p.
    "h264_v4l2m2m": EncoderSpec("h264_v4l2m2m", decoder="h264_v4l2m2m"),
    # Quick Sync uploads system-memory nv12 itself; forced I frames must be IDRs so a
    # PLI is answered with a picture the other side can start from.
    "h264_qsv": EncoderSpec(
        "h264_qsv", pix_fmt="nv12", decoder="h264_qsv",
        options={"preset": "veryfast", "async_depth": "1", "look_ahead": "0",
                 "forced_idr": "1"},
    ),
    # libx264 ignores the generic constrained baseline and would make High profile.
    "libx264": EncoderSpec(
        "libx264", hardware=False, profile=None,
        options={"preset": "veryfast", "tune": "zerolatency", "level": "31",
                 "profile": "baseline"},
    ),
}

SOFTWARE_H264 = frozenset({"libx264", "libopenh264"})


def encoder_spec(name: str) -> EncoderSpec:
    """The known recipe, or a plain one for an encoder a technician pinned by name."""
    known = _SPECS.get(name)
    if known is not None:
        return known
    formats = [f.name for f in (av.Codec(name, "w").video_formats or [])]
    pix_fmt = next((f for f in ("yuv420p", "nv12") if f in formats), "yuv420p")
    return EncoderSpec(name, pix_fmt=pix_fmt, hardware=name not in SOFTWARE_H264)


def open_h264_encoder(
    spec: EncoderSpec, width: int, height: int, bitrate: int, fps: int = NOMINAL_FPS
) -> Any:
    """A real-time H.264 encoder: constrained baseline, no B-frames, rate capped at `bitrate`."""
    hwaccel = HWAccel(spec.device) if spec.device else None
    codec: Any = av.CodecContext.create(spec.name, "w", hwaccel=hwaccel)
    codec.width, codec.height = width, height
    codec.pix_fmt = spec.pix_fmt
    codec.bit_rate = bitrate
    codec.framerate = fractions.Fraction(fps, 1)
    codec.time_base = CLOCK
    # A PLI forces a key frame; the periodic one (10 s) is the safety net for an
    # encoder that ignores a forced one.
    codec.gop_size = fps * 10
    codec.max_b_frames = 0  # a B-frame waits for a later frame: latency on a live call
    if spec.profile is not None:
        codec.profile = spec.profile
    codec.options = {
        **spec.options,
        # rc_max_rate and rc_buffer_size: one second of the target, as the VP8 encoder
        "maxrate": str(bitrate),
        "bufsize": str(bitrate),
    }
    if not spec.hardware:
        # One thread up to 640x480, as aiortc's rule for VP8: a second costs more to
        # coordinate than it saves on a 2-core box that also runs the UI.
        codec.thread_count = 1 if width * height <= 640 * 480 else 2
    return codec


def open_h264_decoder(spec: EncoderSpec) -> Any:
    hwaccel = HWAccel(spec.decoder_device) if spec.decoder_device else None
    return av.CodecContext.create(spec.decoder, "r", hwaccel=hwaccel)


def _frames(width: int, height: int, count: int) -> Iterator[VideoFrame]:
    """Moving diagonal stripes: something for the encoder to predict, cheap to make."""
    for i in range(count):
        frame = VideoFrame(width, height, "yuv420p")
        for index, plane in enumerate(frame.planes):
            rows = plane.buffer_size // plane.line_size
            if index == 0:
                ramp = bytes(x & 0xFF for x in range(plane.line_size + rows + 6 * count))
                data = b"".join(
                    ramp[y + 6 * i:y + 6 * i + plane.line_size] for y in range(rows)
                )
            else:
                data = bytes([128 + 16 * index]) * plane.buffer_size
            plane.update(data)
        frame.pts = i * (CLOCK.denominator // NOMINAL_FPS)
        frame.time_base = CLOCK
        yield frame


def _ffmpeg_errors(logs: list[Any]) -> str:
    lines = [str(entry[2]).strip() for entry in logs if entry[0] <= av.logging.ERROR]
    return "; ".join(dict.fromkeys(line for line in lines if line))


def try_encoder(name: str) -> tuple[bool, str]:
    """Open `name`, encode and decode a few frames. (works, why or why not). In-process."""
    if name not in av.codecs_available:
        return False, "not in this FFmpeg"
    try:
        codec = av.Codec(name, "w")
    except Exception:
        return False, "not an encoder in this FFmpeg"
    if codec.name != name:
        return False, f"not an encoder's name (FFmpeg would open {codec.name})"
    if codec.type != "video" or codec.id != av.Codec("h264", "r").id:
        return False, "not an H.264 video encoder"
    started = time.monotonic()
    # FFmpeg says why a driver refused only in its log; PyAV passes it on at this level.
    level = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)
    try:
        return _encode_decode(name, started)
    finally:
        av.logging.set_level(level)


def _encode_decode(name: str, started: float) -> tuple[bool, str]:
    with av.logging.Capture() as logs:
        try:
            spec = encoder_spec(name)
            encoder = open_h264_encoder(spec, PROBE_WIDTH, PROBE_HEIGHT, 500_000)
            packets: list[Any] = []
            live = 0
            for frame in _frames(PROBE_WIDTH, PROBE_HEIGHT, PROBE_FRAMES):
                packets.extend(encoder.encode(frame))
                live = len(packets)
            packets.extend(encoder.encode(None))
        except Exception as exc:
            detail = _ffmpeg_errors(logs)
            return False, f"encoder failed: {detail or exc}"
        if not live:
            # An encoder that holds back 10 frames (2/3 s at 15 fps) is no use for a call.
            return False, f"encoder gave no packet for {PROBE_FRAMES} frames"
        try:
            decoder = open_h264_decoder(spec)
            if spec.decoder_device and not decoder.is_hwaccel:
                return False, f"no {spec.decoder_device} decoder for H.264"
            decoded = []
            for packet in packets:
                decoded.extend(decoder.decode(packet))
            decoded.extend(decoder.decode(None))
        except Exception as exc:
            detail = _ffmpeg_errors(logs)
            return False, f"decoder {spec.decoder} failed: {detail or exc}"
    sizes = {(f.width, f.height) for f in decoded}
    if not decoded or sizes != {(PROBE_WIDTH, PROBE_HEIGHT)}:
        return False, f"decoder {spec.decoder} gave {len(decoded)} frames of sizes {sizes}"
    return True, (f"{len(packets)} packets, {len(decoded)} frames decoded by {spec.decoder} "
                  f"in {time.monotonic() - started:.2f} s")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m kiosk.call.hwprobe ENCODER", file=sys.stderr)
        return 2
    ok, reason = try_encoder(argv[0])
    print(json.dumps({"ok": ok, "reason": reason}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
