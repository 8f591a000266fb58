"""Latest frame only: how decoded video crosses from the asyncio thread to the UI.

The receiving loop `put`s every decoded frame; the UI `take`s the newest one
when it is ready to draw. A frame the UI did not take in time is replaced and
counted as dropped, never queued, so a slow screen shows a lower frame rate
and never a growing delay. `notify` runs on the producer's thread only when
the slot goes from empty to full: the UI bridge emits one queued Qt signal
per drawable frame, never a backlog of them.

Frames are `av.VideoFrame` in yuv420p, as the decoder made them: copy the
three planes (`frame.planes[i]`, `line_size` bytes a row) into a QVideoFrame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class FrameSlot(Generic[T]):
    """A one-frame mailbox, safe between one producer thread and one consumer thread."""

    def __init__(self, notify: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._frame: T | None = None
        self._notify = notify
        self.put_count = 0
        self.taken = 0
        self.dropped = 0

    def put(self, frame: T) -> None:
        with self._lock:
            was_empty = self._frame is None
            if not was_empty:
                self.dropped += 1
            self._frame = frame
            self.put_count += 1
        if was_empty and self._notify is not None:
            self._notify()

    def take(self) -> T | None:
        """The newest frame, or None when there is nothing new since the last take."""
        with self._lock:
            frame, self._frame = self._frame, None
            if frame is not None:
                self.taken += 1
            return frame

    def peek(self) -> T | None:
        with self._lock:
            return self._frame

    def clear(self) -> None:
        """Forget the frame (privacy: between residents nothing of a face stays in memory)."""
        with self._lock:
            self._frame = None
