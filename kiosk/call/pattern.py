"""The test pattern: moving colour bars, and a stamp another machine can read back.

Drawn straight into yuv420p planes (no RGB, no numpy): about 0.3 ms a
640x480 frame.

The stamp, so a receiver can measure glass-to-glass latency and count lost
frames. With `B = width // 40` (16 px at 640 wide), the top-left
`32*B x 3*B` pixels are 96 blocks of `B x B`, read left to right, top row
first, each white (luma 235) for a 1 bit or black (luma 16) for a 0 bit.
Chroma there is neutral. The 96 bits, most significant first, are 12 bytes:

    byte 0        0xA5 (magic)
    bytes 1-4     frame counter, unsigned big-endian
    bytes 5-10    sender's wall clock when the frame was drawn, ms since the
                  Unix epoch, unsigned big-endian
    byte 11       (sum of bytes 0-10) & 0xFF ^ 0x5A

A reader samples the centre of each block (luma >= 128 is 1) and rejects the
stamp if byte 0 or byte 11 do not match. Blocks are macroblock-aligned and
high-contrast, so they survive VP8 at 100 kbit/s; a receiver that scales the
frame keeps reading it as long as it scales the whole frame. Glass-to-glass
latency = receiver's wall clock at display - stamp (clocks synchronised by
NTP, or the same machine). Under the stamp the counter and the local time are
drawn in large digits for a human looking at the lawyer's screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import av

MAGIC = 0xA5
BLOCKS_PER_ROW = 32
BLOCK_ROWS = 3
STAMP_BYTES = 12

_WHITE = 235
_BLACK = 16
# 75 % colour bars in BT.601 limited range: (Y, U, V)
_BARS = (
    (180, 128, 128),  # white
    (162, 44, 142),  # yellow
    (131, 156, 44),  # cyan
    (112, 72, 58),  # green
    (84, 184, 198),  # magenta
    (65, 100, 212),  # red
    (35, 212, 114),  # blue
    (16, 128, 128),  # black
)

# 3x5 digits and a few signs, one string a row
_FONT = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": ("...", ".#.", "...", ".#.", "..."),
    ".": ("...", "...", "...", "...", ".#."),
    " ": ("...", "...", "...", "...", "..."),
}


@dataclass(frozen=True)
class Stamp:
    counter: int
    wall_ms: int

    def age_ms(self, now_ms: int | None = None) -> int:
        """How old the frame is by the reader's wall clock: glass-to-glass latency."""
        if now_ms is None:
            now_ms = int(time.time() * 1000)
        return now_ms - self.wall_ms


def stamp_bytes(counter: int, wall_ms: int) -> bytes:
    body = bytes([MAGIC]) + (counter & 0xFFFFFFFF).to_bytes(4, "big")
    body += (wall_ms & 0xFFFFFFFFFFFF).to_bytes(6, "big")
    return body + bytes([(sum(body) & 0xFF) ^ 0x5A])


def parse_stamp(data: bytes) -> Stamp | None:
    if len(data) != STAMP_BYTES or data[0] != MAGIC:
        return None
    if (sum(data[:11]) & 0xFF) ^ 0x5A != data[11]:
        return None
    return Stamp(int.from_bytes(data[1:5], "big"), int.from_bytes(data[5:11], "big"))


def _bits(data: bytes) -> list[int]:
    return [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]


def _check_size(width: int, height: int) -> None:
    if width % 16 or height % 16 or width < 320 or height < 240:
        raise ValueError(
            f"test pattern size must be a multiple of 16, at least 320x240: {width}x{height}"
        )


def make_frame(y: bytes | bytearray, u: bytes | bytearray, v: bytes | bytearray,
               width: int, height: int) -> av.VideoFrame:
    """A yuv420p frame from tightly packed planes (rows padded if the frame wants it)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    widths = (width, width // 2, width // 2)
    for plane, data, w in zip(frame.planes, (y, u, v), widths, strict=True):
        if plane.line_size == w:
            plane.update(bytes(data))
        else:
            rows = len(data) // w
            pad = bytes(plane.line_size - w)
            plane.update(b"".join(bytes(data[r * w:(r + 1) * w]) + pad for r in range(rows)))
    return frame


def _fill(plane: bytearray, stride: int, x: int, y: int, w: int, h: int, value: int) -> None:
    run = bytes([value]) * w
    for row in range(y, y + h):
        start = row * stride + x
        plane[start:start + w] = run


def _text(yp: bytearray, up: bytearray, vp: bytearray, width: int,
          x: int, y: int, text: str, scale: int) -> None:
    """Large white digits on a black box; x, y, scale even (chroma is half size)."""
    cell = 4 * scale
    box_w, box_h = len(text) * cell + scale, 7 * scale
    _fill(yp, width, x, y, box_w, box_h, _BLACK)
    _fill(up, width // 2, x // 2, y // 2, box_w // 2, box_h // 2, 128)
    _fill(vp, width // 2, x // 2, y // 2, box_w // 2, box_h // 2, 128)
    # One run of luma per glyph row for the whole text, written `scale` times: the
    # pattern is drawn for every frame on the call's loop thread.
    glyphs = [_FONT.get(char, _FONT[" "]) for char in text]
    white, black = bytes([_WHITE]) * scale, bytes([_BLACK]) * scale
    for gy in range(len(glyphs[0]) if glyphs else 0):
        run = b"".join(
            b"".join(white if on == "#" else black for on in glyph[gy].ljust(4)[:4])
            for glyph in glyphs
        )
        start_x = x + scale
        for row in range(y + scale + gy * scale, y + scale + (gy + 1) * scale):
            start = row * width + start_x
            yp[start:start + len(run)] = run


def draw_test_pattern(counter: int, wall_ms: int | None = None,
                      width: int = 640, height: int = 480) -> av.VideoFrame:
    """Frame `counter` of the pattern: bars moved 4 px a frame, the stamp, the digits."""
    _check_size(width, height)
    if wall_ms is None:
        wall_ms = int(time.time() * 1000)
    bar_w = width // len(_BARS)
    row_y = bytearray()
    row_u = bytearray()
    row_v = bytearray()
    for by, bu, bv in _BARS:
        row_y += bytes([by]) * bar_w
        row_u += bytes([bu]) * (bar_w // 2)
        row_v += bytes([bv]) * (bar_w // 2)
    row_y += bytes([_BLACK]) * (width - len(row_y))
    row_u += bytes([128]) * (width // 2 - len(row_u))
    row_v += bytes([128]) * (width // 2 - len(row_v))
    shift = (counter * 4) % width
    row_y = row_y[shift:] + row_y[:shift]
    row_u = row_u[shift // 2:] + row_u[:shift // 2]
    row_v = row_v[shift // 2:] + row_v[:shift // 2]
    yp = bytearray(bytes(row_y) * height)
    up = bytearray(bytes(row_u) * (height // 2))
    vp = bytearray(bytes(row_v) * (height // 2))

    block = width // 40
    bits = _bits(stamp_bytes(counter, wall_ms))
    for r in range(BLOCK_ROWS):
        strip = bytearray()
        for c in range(BLOCKS_PER_ROW):
            strip += bytes([_WHITE if bits[r * BLOCKS_PER_ROW + c] else _BLACK]) * block
        strip += bytes([_BLACK]) * (width - len(strip))
        for i in range(block):
            start = (r * block + i) * width
            yp[start:start + width] = strip
    _fill(up, width // 2, 0, 0, width // 2, BLOCK_ROWS * block // 2, 128)
    _fill(vp, width // 2, 0, 0, width // 2, BLOCK_ROWS * block // 2, 128)

    scale = max(2, (width // 106) & ~1)  # 6 at 640 wide
    local = time.localtime(wall_ms / 1000)
    clock = time.strftime("%H:%M:%S", local) + f".{wall_ms % 1000:03d}"
    top = BLOCK_ROWS * block + block // 2
    _text(yp, up, vp, width, block, top, f"{counter % 100_000_000:8d}", scale)
    _text(yp, up, vp, width, block, top + 8 * scale, clock, scale)
    return make_frame(yp, up, vp, width, height)


def read_stamp(frame: av.VideoFrame) -> Stamp | None:
    """The stamp of a frame drawn by `draw_test_pattern`, or None if there is none readable."""
    width = frame.width
    block = width // 40
    if block < 4 or frame.height < BLOCK_ROWS * block or frame.format.name not in (
        "yuv420p", "yuvj420p"
    ):
        return None
    plane = frame.planes[0]
    stride = plane.line_size
    buf = memoryview(plane)
    half = block // 2
    value = 0
    for r in range(BLOCK_ROWS):
        for c in range(BLOCKS_PER_ROW):
            x = c * block + half
            y = r * block + half
            level = (
                buf[y * stride + x - 1] + buf[y * stride + x]
                + buf[(y - 1) * stride + x - 1] + buf[(y - 1) * stride + x]
            )
            value = (value << 1) | (level >= 4 * 128)
    return parse_stamp(value.to_bytes(STAMP_BYTES, "big"))


def draw_unavailable(width: int = 640, height: int = 480) -> av.VideoFrame:
    """The still sent when the camera is missing or broke: a crossed-out camera on grey."""
    _check_size(width, height)
    yp = bytearray(bytes([48]) * (width * height))
    up = bytearray(bytes([128]) * (width * height // 4))
    vp = bytearray(bytes([128]) * (width * height // 4))
    u = width // 32  # 20 px at 640
    cx, cy = width // 2, height // 2
    # body, lens ring, viewfinder bump
    _fill(yp, width, cx - 5 * u, cy - 3 * u, 8 * u, 6 * u, 150)
    _fill(yp, width, cx - 3 * u, cy - 2 * u, 4 * u, 4 * u, 48)
    _fill(yp, width, cx - 2 * u, cy - u, 2 * u, 2 * u, 150)
    _fill(yp, width, cx - 4 * u, cy - 4 * u, 2 * u, u, 150)
    # the lens of a video camera: a trapezoid to the right
    for i in range(3 * u):
        _fill(yp, width, cx + 3 * u + i, cy - u - i // 2, 1, 2 * u + (i // 2) * 2, 150)
    # a red slash from top-left to bottom-right
    thick = max(4, u // 2)
    x0, y0 = cx - 7 * u, cy - 5 * u
    span = 10 * u
    for i in range(span):
        x = x0 + (14 * u * i) // span
        _fill(yp, width, x, y0 + i, thick, 1, 81)
    for i in range(0, span, 2):
        x = (x0 + (14 * u * i) // span) // 2
        _fill(up, width // 2, x, (y0 + i) // 2, thick // 2 + 1, 1, 90)
        _fill(vp, width // 2, x, (y0 + i) // 2, thick // 2 + 1, 1, 240)
    return make_frame(yp, up, vp, width, height)
