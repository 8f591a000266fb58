"""The kiosk app's side of a benchmark call (P1, P2): the whole app, as a terminal runs it.

    xvfb-run -a -s "-screen 0 1280x800x24" \\
        python -m tests.bench.call_kiosk_app HUB_URL TOKEN DATA_DIR      (QT_QPA_PLATFORM=xcb)

The real app (`kiosk.ui.app.build_kiosk`) of an enrolled terminal, its window
shown at 1280x800 on an X display (Qt's offscreen platform draws video black,
so it would not do the drawing work; under Xvfb Mesa's software OpenGL draws
it, in this process), the 640x480 test-pattern camera at 15 fps and the test
tone, received audio dropped. It waits for the hub's schedule and taps its way
to the legal consultation's schedule with mouse events at the items' centres,
as a finger would (`tests/ui/helpers.py`). Commands come one a line on stdin,
answers go as JSON lines to stdout; logs (and Qt multimedia's warnings) go to
stderr:

    (start)  `ready` with this process's pid once the schedule's call button shows
    call     back to the schedule if the app is elsewhere, then tap `callAnyoneButton`:
             `tapped` with the wall and monotonic clocks just before the tap, then
             `consultation` (its id) and, from the call on the loop thread, `state`
             for each state and `peer` for each state of its peer connection, each
             with the wall clock; `first_shown` when the first remote frame was
             handed to the call screen's `VideoOutput` (`VideoFeed.show`), and
             `first_drawn` at the first `frameSwapped` of a frame synchronised
             after that: the first remote frame on the screen
    stats    the last `MediaStats` of the call, and what the app has drawn so far:
             remote and self-view frames shown, frames the window swapped, and the
             send ladder's moves in this call (`steps`)
    geometry the scene rectangles of the lawyer's picture and the self view, and what
             draws the window (`graphics_api`: Software or OpenGL)
    grab PATH  save what the window shows now as an image (to see that it draws the video)
    census   after a full collection, how many objects of a call's types are alive
    lateness S  a 10 ms timer on the Qt thread for S seconds: `lateness` with the p50, p99
             and worst lateness of its ticks in ms, and the window's frames a second
    hangup   tap `hangUpButton`; `answered` (ms from the tap to the call's ending phase and
             to the frame that shows it), `ended` on the rating screen, then back to the
             schedule (reset, then tapping through again) for the next call
    quit     close the app and exit

The call is observed, not changed: `kiosk.call.Consultation` is replaced by a
subclass that only notes the time of the events it passes on to the app.
"""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import traceback
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont, QGuiApplication, QMouseEvent
from PySide6.QtQuick import QQuickItem, QQuickWindow

from kiosk.call.settings import CallSettings
from kiosk.config import KioskConfig
from kiosk.ui.app import FONT_FAMILY, KioskApp, build_kiosk
from kiosk.ui.video import VideoFeed
from tests.ui.helpers import is_shown, walk

SETTINGS = CallSettings(
    camera="test-pattern", microphone="test-tone", speaker="none", width=640, height=480, fps=15
)
SERVICE = "legal_consultation"
SCHEDULE_TIMEOUT_S = 30.0  # the hub's schedule after the first frame; the call button with it
SCREEN_TIMEOUT_S = 10.0

_out = threading.Lock()


def emit(event: str, **fields: Any) -> None:
    """One JSON line; from any thread (the Qt, loop and render threads all report)."""
    line = json.dumps({"event": event, **fields}, default=str) + "\n"
    with _out:
        sys.stdout.write(line)
        sys.stdout.flush()


# --- the call, observed on the loop thread -------------------------------------------------


class CallLog:
    """What the loop thread saw of the current call; filled by `instrument`."""

    def __init__(self) -> None:
        self.stats: Any = None
        self.steps: list[str] = []  # the send ladder's moves in this call, "old -> new (why)"


def instrument(log: CallLog) -> None:
    """Make `kiosk.call.Consultation` (which `CallDesk` imports for each call) note the wall
    clock of its events as they happen, on the loop thread, before the app gets them."""
    # The app imports the call package with its first call; here it comes at start-up, which
    # only the first call (a warm-up in P1, before the window in P2) would have paid for.
    import kiosk.call
    from kiosk.call import events as ev
    from kiosk.call.consultation import Consultation

    def note(event: Any) -> None:
        now = time.time()
        if isinstance(event, ev.StateChanged):
            emit("state", new=str(event.new), t=now, detail=event.detail)
        elif isinstance(event, ev.PeerStateChanged):
            emit("peer", new=str(event.new), t=now, detail=event.detail)
        elif isinstance(event, ev.MediaStats):
            log.stats = event
        elif isinstance(event, ev.SendStepChanged):
            log.steps.append(f"{event.old} -> {event.new} ({event.detail})")
        elif isinstance(event, ev.FirstFrame):
            emit("first_frame_event", t=now, after_s=event.after_s, width=event.width,
                 height=event.height)

    class ObservedConsultation(Consultation):
        def __init__(self, *args: Any, on_event: Callable[[Any], None], **kwargs: Any) -> None:
            def observed(event: Any) -> None:
                note(event)
                on_event(event)

            log.stats = None
            log.steps = []
            super().__init__(*args, on_event=observed, **kwargs)
            emit("consultation", consultation_id=str(self.consultation_id), t=time.time())

    kiosk.call.Consultation = ObservedConsultation  # type: ignore[misc,assignment]


# --- the first remote frame on the screen --------------------------------------------------


class Drawing(QObject):
    """Counts the window's frames and finds the first one with the lawyer's picture in it.

    `VideoFeed.show` hands the frame to the picture (a `FramePicture`, or a `VideoOutput`'s
    sink when the GPU draws) and marks the item for
    update before it emits `firstFrameChanged`, all on the Qt thread; the scene graph
    synchronises with the Qt thread blocked (threaded render loop) or on it (basic loop),
    so the first synchronisation after that signal carries the frame, and the
    `frameSwapped` after it puts it on the screen. Both come from the render thread and
    are watched there, with the wall clock taken as they come, but only from the tap to
    that frame: a Python callback on the render thread needs the GIL, so while it is
    connected the Qt thread must never wait for the render thread while holding the GIL
    (QTest's mouse functions do: they process events inside a call that keeps it).
    Frames are counted on the Qt thread (a queued connection).
    """

    _done = Signal()

    def __init__(self, window: QQuickWindow, remote: VideoFeed) -> None:
        super().__init__(window)
        self._done.connect(self._disarm_after_drawn)
        self._window = window
        self._remote = remote
        self.swaps = 0
        self._step = 0  # 0 idle, 1 armed, 2 frame given to the output, 3 synchronised
        self._hooked = False
        remote.firstFrameChanged.connect(self._shown)
        window.frameSwapped.connect(self._count)  # queued: from the render thread

    def arm(self) -> None:
        self.disarm()
        direct = Qt.ConnectionType.DirectConnection
        self._window.afterSynchronizing.connect(self._synchronised, direct)
        self._window.frameSwapped.connect(self._swapped, direct)
        self._hooked = True
        self._step = 1

    def disarm(self) -> None:
        """Off the render thread again (on the Qt thread, after `first_drawn` or a failure)."""
        self._step = 0
        if self._hooked:
            self._hooked = False
            self._window.afterSynchronizing.disconnect(self._synchronised)
            self._window.frameSwapped.disconnect(self._swapped)

    @Slot()
    def _disarm_after_drawn(self) -> None:
        if self._step == 4:
            self.disarm()

    @Slot()
    def _count(self) -> None:
        self.swaps += 1

    @Slot()
    def _shown(self) -> None:
        if self._step == 1 and self._remote.has_frame:
            self._step = 2
            emit("first_shown", t=time.time())

    def _synchronised(self) -> None:
        if self._step == 2:
            self._step = 3

    def _swapped(self) -> None:
        if self._step == 3:
            self._step = 4
            emit("first_drawn", t=time.time(), thread=threading.current_thread().name)
            self._done.emit()  # queued: disarms on the Qt thread


# --- Qt waits that sleep in the event loop -------------------------------------------------


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(what: str, condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout_s} s: {what}")
        pump(20)


class Kiosk:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.window = app.window
        self.root = app.root
        self.drawing = Drawing(app.window, app.root.call_vm.remote)

    def shown(self, name: str) -> list[QQuickItem]:
        return [
            i for i in walk(self.window.contentItem()) if i.objectName() == name and is_shown(i)
        ]

    def find(self, name: str) -> QQuickItem:
        found = self.shown(name)
        if len(found) != 1:
            raise LookupError(f"{len(found)} visible items named {name!r}")
        return found[0]

    def settle(self) -> None:
        """One frame more: rows and grids place their items only when the next is made."""
        loop = QEventLoop()
        self.window.frameSwapped.connect(loop.quit)  # queued from the render thread
        QTimer.singleShot(2000, loop.quit)
        self.window.update()
        loop.exec()
        self.window.frameSwapped.disconnect(loop.quit)

    def tap(self, name: str) -> tuple[float, float]:
        """A press and release in the middle of the item, posted to the window as the window
        system delivers a touch, so the event loop (which lets the GIL go) handles them; the
        wall and monotonic clocks just before."""
        wait_until(f"{name} shown", lambda: len(self.shown(name)) == 1, SCREEN_TIMEOUT_S)
        item = self.find(name)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        screen = QPointF(self.window.mapToGlobal(centre.toPoint()))
        left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
        wall, mono = time.time(), time.monotonic()
        for kind, buttons in ((QEvent.Type.MouseButtonPress, left),
                              (QEvent.Type.MouseButtonRelease, none)):
            event = QMouseEvent(kind, centre, screen, left, buttons,
                                Qt.KeyboardModifier.NoModifier)
            QCoreApplication.postEvent(self.window, event)
        pump(0)
        return wall, mono

    def wait_screen(self, screen: str) -> None:
        wait_until(
            f"the {screen} screen",
            lambda: self.root.property("screen") == screen and bool(self.shown(f"{screen}Screen")),
            SCREEN_TIMEOUT_S,
        )

    def to_schedule(self) -> None:
        """From wherever the app is to the consultation's schedule, its call button shown."""
        if self.root.property("screen") == "schedule" and self.shown("callAnyoneButton"):
            return
        if self.root.property("screen") != "start":
            self.root.reset()
            self.wait_screen("start")
        self.settle()
        self.tap("startButton")
        self.wait_screen("services")
        self.settle()
        self.tap(f"serviceTile_{SERVICE}")
        self.wait_screen("schedule")
        wait_until("the call button", lambda: bool(self.shown("callAnyoneButton")),
                   SCHEDULE_TIMEOUT_S)
        self.settle()

    def call(self) -> None:
        self.to_schedule()
        self.drawing.arm()
        wall, mono = self.tap("callAnyoneButton")
        emit("tapped", t=wall, monotonic=mono)

    def hang_up(self) -> None:
        """Tap hang up; `answered` says how soon the screen took the tap: the call's phase
        turned to ending, and the next frame that shows it (the button's "Hanging up…")."""
        self.drawing.disarm()
        self.wait_screen("call")
        self.settle()
        call = self.root.call_vm
        seen: dict[str, float] = {}

        def phase() -> None:
            if call.property("phase") == "ending" and "phase" not in seen:
                seen["phase"] = time.monotonic()

        def swapped() -> None:
            if "phase" in seen and "drawn" not in seen:
                seen["drawn"] = time.monotonic()

        call.phaseChanged.connect(phase)
        self.window.frameSwapped.connect(swapped)
        try:
            wall, mono = self.tap("hangUpButton")
            wait_until("the hang-up on screen", lambda: "drawn" in seen, SCREEN_TIMEOUT_S)
        finally:
            call.phaseChanged.disconnect(phase)
            self.window.frameSwapped.disconnect(swapped)
        emit("answered", phase_ms=(seen["phase"] - mono) * 1000,
             drawn_ms=(seen["drawn"] - mono) * 1000)
        self.wait_screen("rating")
        emit("ended", t=wall, screen=self.root.property("screen"))
        self.to_schedule()

    def lateness(self, seconds: float) -> dict[str, Any]:
        """A 10 ms precise timer on the Qt thread for `seconds`: how late each tick came
        (its gap to the last one, less 10 ms), and how often the window was drawn meanwhile.
        The event loop runs all the while, as it does for a resident's taps."""
        gaps: list[float] = []
        last = [time.monotonic()]

        def tick() -> None:
            now = time.monotonic()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(10)
        timer.timeout.connect(tick)
        swaps, started = self.drawing.swaps, time.monotonic()
        last[0] = started
        timer.start()
        pump(int(seconds * 1000))
        timer.stop()
        span = time.monotonic() - started
        late = sorted(max(0.0, gap - 0.010) * 1000 for gap in gaps)

        def at(share: float) -> float:
            return late[min(len(late) - 1, int(share * len(late)))] if late else float("nan")

        return {"ticks": len(late), "p50_ms": at(0.50), "p99_ms": at(0.99),
                "max_ms": late[-1] if late else float("nan"),
                "swaps_per_s": (self.drawing.swaps - swaps) / span, "seconds": span}

    def geometry(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "graphics_api": self.app.window.rendererInterface().graphicsApi().name
        }
        for name in ("remoteVideo", "selfView"):
            item = self.find(name)
            rect = item.mapRectToScene(item.boundingRect())
            content = item.property("contentRect")
            shown = item.mapRectToScene(content) if isinstance(content, QRectF) else rect
            out[name] = [rect.x(), rect.y(), rect.width(), rect.height()]
            out[f"{name}.content"] = [shown.x(), shown.y(), shown.width(), shown.height()]
        return out


class Commands(QObject):
    """Lines from stdin, read on a thread of their own, waking the Qt thread."""

    arrived = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.lines: queue.Queue[str] = queue.Queue()
        self._waiting: QEventLoop | None = None
        self.arrived.connect(self._wake)  # queued: emitted on the reader thread
        threading.Thread(target=self._read, name="commands", daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            if line.strip():
                self.lines.put(line.strip())
                self.arrived.emit()
        self.lines.put("quit")
        self.arrived.emit()

    @Slot()
    def _wake(self) -> None:
        if self._waiting is not None:
            self._waiting.quit()

    def next(self) -> str:
        """The next command; Qt's event loop runs (asleep when idle) until it comes."""
        while True:
            self._waiting = QEventLoop()
            try:
                return self.lines.get_nowait()
            except queue.Empty:
                self._waiting.exec()
            finally:
                self._waiting = None


def serve(kiosk: Kiosk, call_log: CallLog) -> None:
    commands = Commands()
    emit("ready", pid=os.getpid(), platform=QGuiApplication.platformName())
    while (line := commands.next()) != "quit":
        try:
            if line == "call":
                kiosk.call()
            elif line == "hangup":
                kiosk.hang_up()
            elif line == "stats":
                stats = call_log.stats
                emit("stats", stats=None if stats is None else dataclasses.asdict(stats),
                     remote_shown=kiosk.root.call_vm.remote.shown,
                     local_shown=kiosk.root.call_vm.local.shown,
                     swaps=kiosk.drawing.swaps, monotonic=time.monotonic(),
                     steps=list(call_log.steps))
            elif line == "geometry":
                emit("geometry", **kiosk.geometry())
            elif line == "census":
                emit("census", **census())
            elif line.startswith("lateness "):
                emit("lateness", **kiosk.lateness(float(line.removeprefix("lateness "))))
            elif line.startswith("grab "):
                saved = kiosk.window.grabWindow().save(line.removeprefix("grab "))
                emit("grabbed", saved=saved)
            else:
                emit("error", detail=f"unknown command {line!r}")
        except Exception as exc:  # the parent's expect() shows it; keep serving
            traceback.print_exc()
            emit("error", detail=f"{line}: {exc!r}")


CENSUS_TYPES = ("RTCPeerConnection", "Consultation", "VideoFrame", "AudioFrame", "FramePicture",
                "RTCRtpReceiver", "RTCRtpSender", "Thread", "QImage", "Future", "Task")


def census() -> dict[str, Any]:
    """After a full collection: how many objects of the types a call makes are alive, the
    Python threads, and what the collector could not free."""
    import gc

    unreachable = gc.collect()
    grown: list[str] = []
    if tracemalloc.is_tracing():  # KIOSK_TRACEMALLOC=1: what Python allocated since last time
        snapshot = tracemalloc.take_snapshot()
        if _last_snapshot:
            stats = snapshot.compare_to(_last_snapshot[-1], "lineno")
            grown = [str(stat) for stat in stats[:12]]
        _last_snapshot[:] = [snapshot]
    counts = dict.fromkeys(CENSUS_TYPES, 0)
    by_type: dict[str, int] = {}
    for obj in gc.get_objects():
        name = type(obj).__name__
        by_type[name] = by_type.get(name, 0) + 1
        if name in counts:
            counts[name] += 1
    # The types that grew most since the last census: where a leak of Python objects shows.
    grown_types = sorted(
        ((name, n - _last_types.get(name, 0)) for name, n in by_type.items()),
        key=lambda item: -item[1],
    )[:10] if _last_types else []
    _last_types.clear()
    _last_types.update(by_type)
    return {"counts": counts, "threads": sorted(t.name for t in threading.enumerate()),
            "malloc": _mallinfo(),
            "collected": unreachable, "garbage": len(gc.garbage), "grown": grown,
            "grown_types": grown_types}


def _mallinfo() -> dict[str, int]:
    """glibc's heap (KiB): in use, free inside its arenas, and mapped on its own."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return {"in_use": info.uordblks // 1024, "free": info.fordblks // 1024,
            "mapped": info.hblkhd // 1024}


_last_snapshot: list[Any] = []
_last_types: dict[str, int] = {}


def name_os_threads() -> None:
    """Give every Python thread started from now on its name in the kernel too (`comm`, 15
    bytes), so the CPU time by thread (`/proc/PID/task`) tells the loop, the encoder's
    executor and the decoders apart; Python 3.11 leaves them all `python`."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_name = 15
    run = threading.Thread.run

    def named_run(self: threading.Thread) -> None:
        libc.prctl(pr_set_name, self.name.encode()[:15], 0, 0, 0)
        run(self)

    threading.Thread.run = named_run  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description="the kiosk app's side of a benchmark call")
    parser.add_argument("hub_url")
    parser.add_argument("token")
    parser.add_argument("data_dir", type=Path)
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID`: every thread's stack to stderr
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s")
    app = QGuiApplication(sys.argv[:1])
    app.setFont(QFont(FONT_FAMILY))
    call_log = CallLog()
    instrument(call_log)
    name_os_threads()
    if os.environ.get("KIOSK_TRACEMALLOC") == "1":
        tracemalloc.start(5)
    # What a terminal does: the GPU if the kernel offers one, else Qt Quick's software renderer.
    config = KioskConfig.for_tests(
        args.data_dir, hub_url=args.hub_url, window_width=1280, window_height=800,
        call=SETTINGS, renderer="auto",
    )
    built = build_kiosk(config, args.token)
    kiosk = Kiosk(built)
    try:
        built.window.show()
        wait_until("the first frame", lambda: kiosk.drawing.swaps > 0, 20)
        # The hub link starts after the first frame; the start screen needs its profile.
        wait_until("the hub's profile",
                   lambda: built.root.start_vm.property("bureauName") != "", SCHEDULE_TIMEOUT_S)
        kiosk.to_schedule()
        serve(kiosk, call_log)
    finally:
        kiosk.drawing.disarm()
        built.close()
        pump(100)
    emit("bye", qml_warnings=built.qml_warnings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
