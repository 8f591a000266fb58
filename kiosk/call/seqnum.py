"""RTP's 16-bit sequence numbers, unwrapped."""

from __future__ import annotations


def extend(seq: int, highest: int | None) -> int:
    """`seq` as the extended number nearest the highest seen so far (itself if none yet)."""
    if highest is None:
        return seq
    base = highest & ~0xFFFF
    candidates = (base - 0x10000 + seq, base + seq, base + 0x10000 + seq)
    return min(candidates, key=lambda c: abs(c - highest))
