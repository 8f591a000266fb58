"""After a call: what it left in cycles is freed at once, not at some later full collection."""

from __future__ import annotations

import gc
import weakref

from kiosk.memory import reclaim


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None
        self.payload = bytearray(1_000_000)  # as a codec's buffers would be


def test_a_cycle_left_by_a_call_is_freed_by_reclaim() -> None:
    gc.disable()  # as if the collector's own turn were far off
    try:
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        watch = weakref.ref(a)
        del a, b
        assert watch() is not None  # only a collection frees a cycle
        assert reclaim() >= 0
        assert watch() is None
    finally:
        gc.enable()
