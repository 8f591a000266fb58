"""Two `ConsultationPeer`s on either side of the emulated village link, in one process.

Each side has a thread of its own, inside its network namespace (the village or the
centre, `tests/support/village_link.py`), running its own asyncio loop: every
socket aiortc and aioice open there belongs to that side's namespace, so all the
media crosses the shaped link. The offer and answer are handed across in memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

from kiosk.call.peer import ConsultationPeer
from tests.support.village_link import VillageLink, in_namespace

T = TypeVar("T")


class Side:
    """A thread in a namespace with a loop; `run(coro)` runs a coroutine there."""

    def __init__(self, namespace: str, name: str) -> None:
        self.name = name
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(namespace,), name=name,
                                        daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _main(self, namespace: str) -> None:
        with in_namespace(namespace):
            asyncio.set_event_loop(self.loop)
            self.loop.call_soon(self._ready.set)
            self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@contextmanager
def sides(link: VillageLink) -> Iterator[tuple[Side, Side]]:
    """(kiosk's side in the village, lawyer's side in the centre)."""
    kiosk, lawyer = Side(link.village, "kiosk-side"), Side(link.centre, "lawyer-side")
    try:
        yield kiosk, lawyer
    finally:
        kiosk.close()
        lawyer.close()


def connect(kiosk: Side, kiosk_peer: Callable[[], Awaitable[ConsultationPeer]],
            lawyer: Side, lawyer_peer: Callable[[], Awaitable[ConsultationPeer]],
            ) -> tuple[ConsultationPeer, ConsultationPeer]:
    """Make each side's peer on its own loop; the kiosk offers, the lawyer answers."""
    ours = kiosk.run(kiosk_peer())  # type: ignore[arg-type]
    theirs = lawyer.run(lawyer_peer())  # type: ignore[arg-type]
    offer = kiosk.run(ours.create_offer())
    answer = lawyer.run(theirs.answer(offer))
    kiosk.run(ours.accept_answer(answer))
    return ours, theirs
