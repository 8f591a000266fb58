"""The one crossing between the Qt thread and the asyncio loop.

Qt's event loop and asyncio each want the main thread. Measured on a 2-core
terminal, QtAsyncio lacks what aiortc needs and qasync crashed at shutdown, so
asyncio runs on its own daemon thread (Electrum's pattern). Coroutines go in
with `run_coroutine_threadsafe`; their results come back as a queued Qt signal,
so callbacks always run on the Qt thread and the Qt thread never waits for I/O.

asyncio is imported by `start()`, not with this module: a terminal starts its
loop after the first frame is on screen, and the import is part of that cost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

log = logging.getLogger(__name__)

T = TypeVar("T")

# Shutdown runs on the Qt thread while the window is gone; bound it so a hub
# that never answers cannot hold the process open for systemd to kill.
CLOSE_TIMEOUT = 5.0


class BridgeClosed(RuntimeError):
    """`submit` after `close`, or before `start`."""


class AsyncBridge(QObject):
    # (callback, value): emitted on the loop thread, delivered queued on the Qt thread.
    _delivered = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    @property
    def running(self) -> bool:
        return self._loop is not None and not self._closing

    def start(self) -> None:
        if self._closing:
            raise BridgeClosed("the bridge is closed")
        if self._loop is not None:
            raise RuntimeError("the bridge is already started")
        import asyncio

        from PySide6.QtCore import Qt  # its enums cost ~15 ms to load: not before the frame

        # Queued even when emitted on the Qt thread (a coroutine that finished before
        # add_done_callback): callers get their callback later, never inside submit().
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="kiosk-asyncio", daemon=True)
        self._thread.start()
        ready.wait()
        log.debug("asyncio loop running on %s", self._thread.name)

    def submit(
        self,
        coro: Coroutine[Any, Any, T],
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> concurrent.futures.Future[T]:
        """Run `coro` on the loop; `on_result`/`on_error` are called later on the Qt thread."""
        if self._loop is None or self._closing:
            coro.close()  # never awaited: close it so Python does not warn about it
            raise BridgeClosed("the bridge is not running")
        import asyncio

        future = asyncio.run_coroutine_threadsafe(coro, self._loop)

        def done(fut: concurrent.futures.Future[T]) -> None:
            if fut.cancelled():
                return
            error = fut.exception()
            if error is not None:
                if on_error is None:
                    log.error("background task failed", exc_info=error)
                else:
                    self._delivered.emit(on_error, error)
            elif on_result is not None:
                self._delivered.emit(on_result, fut.result())

        future.add_done_callback(done)
        return future

    def post(self, callback: Callable[[T], None], value: T) -> None:
        """Call `callback(value)` soon on the Qt thread; safe from any thread (events, frames)."""
        if not self._closing:
            self._delivered.emit(callback, value)

    def close(self, *finalizers: Callable[[], Awaitable[None]]) -> None:
        """Cancel every task, await `finalizers` (e.g. `HubLink.aclose`), stop and join.

        A bridge that never started still awaits its finalizers, on a loop of their own.
        """
        import asyncio
        import concurrent.futures

        loop, thread = self._loop, self._thread
        if self._closing:
            return
        self._closing = True
        if loop is None or thread is None:
            if finalizers:
                asyncio.run(_finalize(finalizers))
            return

        async def shutdown() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await _finalize(finalizers)

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(CLOSE_TIMEOUT)
        except (TimeoutError, concurrent.futures.TimeoutError):
            log.warning("background tasks did not stop within %.0f s", CLOSE_TIMEOUT)
        except Exception:
            log.exception("shutting down the asyncio loop failed")
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CLOSE_TIMEOUT)
        if thread.is_alive():
            log.warning("the asyncio thread did not stop; leaving it to die with the process")
        else:
            loop.close()
        log.debug("asyncio loop closed")

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], value: object) -> None:
        # A result that lands after close() would touch view-models being torn down.
        if self._closing:
            return
        try:
            callback(value)
        except Exception:
            log.exception("handling a background result failed")


async def _finalize(finalizers: tuple[Callable[[], Awaitable[None]], ...]) -> None:
    for finalize in finalizers:
        try:
            await finalize()
        except Exception:
            log.exception("closing %r failed", finalize)
