"""Assembles the kiosk: bridge, hub link, view-models, QML engine, window.

`build_kiosk` does everything but show the window and run the event loop, so
tests drive the same object the terminal runs. `run` is the `kiosk run` entry.

A terminal cold-starts after every power cut, so the first frame comes first:
it needs only the QML, the view-models and the place names of the cached
profile (read with plain `json`). The asyncio loop, the hub link (httpx,
pydantic), the cached schedule and the outbox of session records (SQLite, the
keyring) follow once that frame is on screen; nothing
imported before it may pull them in, nor PySide6's `Qt` namespace (~15 ms).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeAlias
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Slot
from PySide6.QtGui import QCursor, QFont, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine, QQmlError
from PySide6.QtQuick import QQuickWindow

from kiosk.api.cache import read_cached_profile
from kiosk.config import KioskConfig
from kiosk.ui.bridge import CLOSE_TIMEOUT, AsyncBridge
from kiosk.ui.calls import CallDesk, TerminalClient
from kiosk.ui.feed import HubFeed
from kiosk.ui.i18n import Translations
from kiosk.ui.ports import LinkLike, ProfileLike, SnapshotLike
from kiosk.ui.records import RecordDesk
from kiosk.ui.rendering import apply_renderer, choose_renderer
from kiosk.ui.resources import QML_DIR, QML_MODULE, i18n_dir, icons_dir
from kiosk.ui.vm.idle import IdleWatch
from kiosk.ui.vm.root import KioskViewModel

if TYPE_CHECKING:
    from kiosk.outbox.upload import RecordSink

log = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans CJK SC"
READY_ENV = "KIOSK_REPORT_READY"
READY_LINE = "KIOSK_READY"
# The hub link and the refreshes start with the first frame, or after this long
# if no frame ever comes (a window the compositor never exposes must still sync).
START_FEED_FALLBACK_MS = 5000


class KioskUiError(RuntimeError):
    """The UI cannot start (QML missing or broken): the terminal must not show half a kiosk."""


@dataclass
class KioskApp:
    engine: QQmlApplicationEngine
    window: QQuickWindow
    root: KioskViewModel
    bridge: AsyncBridge
    feed: HubFeed
    desk: CallDesk
    records: RecordDesk
    translations: Translations
    first_frame: FirstFrame
    qml_warnings: list[str] = field(default_factory=list)
    _closed: bool = False

    def close(self) -> None:
        """Stop timers, close the window, drain the loop (closing the hub link), drop QML."""
        if self._closed:
            return
        self._closed = True
        self.feed.stop()
        self.root.shutdown()
        self.window.removeEventFilter(self.root.idle_watch)
        self.window.close()
        # A call still running hangs up before the loop's tasks are cancelled: the
        # lawyer is told, and the camera is released by its own code.
        if self.bridge.running:
            with contextlib.suppress(Exception):
                self.bridge.submit(self.desk.aclose()).result(CLOSE_TIMEOUT)
        # The call desk first: its recorder still writes into the outbox.
        self.bridge.close(self.desk.aclose, self.records.aclose, self.feed.aclose)
        self.translations.close()
        # The engine owns the window and the view-models and deletes QML first.
        self.engine.deleteLater()


# The terminal's bearer token, or a way to get it: asking the keyring can take a
# good part of a second, so `kiosk run` asks on the loop thread, after the first frame.
Token: TypeAlias = str | Callable[[], str | None] | None


def build_kiosk(
    config: KioskConfig,
    token: Token,
    *,
    link: LinkLike | None = None,
    clock: Callable[[], datetime] | None = None,
) -> KioskApp:
    """Everything but `show()`; needs a QGuiApplication. `clock` lets tests fix "now".

    Without `link`, the hub link is made on the loop thread after the first
    frame, which shows the place names of the cached profile; a given `link`
    has its cache at hand, so all of its cached snapshot is shown at once.
    """
    if QGuiApplication.instance() is None:
        raise KioskUiError("create a QGuiApplication before building the kiosk")
    tz = ZoneInfo(config.timezone)
    # Before the first window: Qt Quick picks how it draws once per process.
    apply_renderer(choose_renderer(config.renderer))
    translations = Translations(i18n_dir())
    bridge = AsyncBridge()
    # The engine owns the view-models and the feed: QML must never outlive the objects
    # it binds to, and the engine deletes its QML before its children.
    engine = QQmlApplicationEngine()
    snapshot: SnapshotLike | None = None
    profile: ProfileLike | None = None
    if link is not None:
        feed = HubFeed(bridge, config.refresh_seconds, link=link, parent=engine)
        snapshot = link.cached()
    else:
        feed = HubFeed(
            bridge,
            config.refresh_seconds,
            make_link=lambda: _hub_link(config, token),
            parent=engine,
        )
        profile = read_cached_profile(config.cache_dir)
    try:
        return _assemble(
            config, engine, feed, bridge, translations, tz, clock or _utc_now, snapshot, profile
        )
    except BaseException:
        # Leave nothing behind: no loop thread, no open hub client, no global translator,
        # and no Qt objects for the garbage collector, which may run on any thread (the
        # loop's): timers deleted off their own thread crash Qt later.
        bridge.close(feed.aclose)
        translations.close()
        shiboken6.delete(engine)
        raise


def _assemble(
    config: KioskConfig,
    engine: QQmlApplicationEngine,
    feed: HubFeed,
    bridge: AsyncBridge,
    translations: Translations,
    tz: ZoneInfo,
    clock: Callable[[], datetime],
    snapshot: SnapshotLike | None,
    profile: ProfileLike | None,
) -> KioskApp:
    # Before QML loads, so the very first frame is already in the right language.
    translations.apply(config.language)
    root = KioskViewModel(
        default_language=config.language,
        tz=tz,
        clock=clock,
        idle=IdleWatch(config.idle_seconds, config.idle_warning_seconds),
        icon_base=QUrl.fromLocalFile(str(icons_dir())).toString() + "/",
        switch_language=translations.apply,
        request_refresh=feed.refresh,
        parent=engine,
    )
    # The disk cache first: a terminal whose hub is down still shows where it is at once.
    if snapshot is not None:
        root.apply_snapshot(snapshot)
    else:
        root.apply_profile(profile)
    feed.snapshotReady.connect(root.apply_snapshot)
    records = RecordDesk(
        bridge, config.data_dir, lambda: _record_sink(feed), root.maintenance_vm, parent=engine
    )
    desk = CallDesk(
        bridge, root, config.call, lambda: _terminal_client(feed), parent=engine, records=records
    )
    # With the hub link comes the signaling socket: who can be called arrives over it.
    feed.snapshotReady.connect(lambda _snapshot: desk.open_signal())

    warnings: list[str] = []
    engine.warnings.connect(lambda errors: _log_qml(errors, warnings))
    translations.bind(engine)
    engine.addImportPath(str(QML_DIR))
    # The window is made at its final size: resizing it after loading lays out twice.
    size = {"width": config.window_width, "height": config.window_height}
    engine.setInitialProperties({"vm": root, **size})
    engine.loadFromModule(QML_MODULE, "Main")
    roots = engine.rootObjects()
    if not roots or not isinstance(roots[0], QQuickWindow):
        details = "; ".join(warnings) or "no root object"
        raise KioskUiError(f"the kiosk's QML did not load: {details}")
    window = roots[0]
    window.installEventFilter(root.idle_watch)
    # The loop thread, the hub link (and with it the cached schedule) wait for the
    # first frame: a resident sees the start screen sooner than they could tap it.
    def after_first_frame() -> None:
        feed.start()  # starts the loop thread
        records.start()
        desk.probe_video_codec()

    first_frame = FirstFrame(
        window, after_first_frame, defer=True, fallback_ms=START_FEED_FALLBACK_MS
    )
    return KioskApp(
        engine, window, root, bridge, feed, desk, records, translations, first_frame, warnings
    )


def _hub_link(config: KioskConfig, token: Token) -> LinkLike:
    # Runs on the loop thread: httpx and pydantic load here, not before the first frame.
    from kiosk.api.client import HubClient
    from kiosk.api.link import HubLink

    bearer = token() if callable(token) else token
    return HubLink(HubClient(config.hub_url, bearer), config.cache_dir)


def _terminal_client(feed: HubFeed) -> TerminalClient | None:
    # On the loop thread, for each call: the link is made only after the first frame.
    client = getattr(feed.link, "client", None)
    return client if client is not None and hasattr(client, "ice_servers") else None


def _record_sink(feed: HubFeed) -> RecordSink | None:
    # On the loop thread, before each upload: none until the link is made and enrolled.
    client = getattr(feed.link, "client", None)
    if client is None or not getattr(client, "has_token", False):
        return None
    return client if hasattr(client, "put_record") else None


class FirstFrame(QObject):
    """Calls `then` once, on the Qt thread, when `window` has swapped its first frame.

    frameSwapped comes from the render thread when there is one; this object
    lives on the Qt thread, so the call arrives there either way. `defer` calls
    `then` from the event loop rather than inside the frame's emission, after
    everything else connected to it (such as the ready report); `fallback_ms`
    calls it anyway if no frame has come by then.
    """

    def __init__(
        self,
        window: QQuickWindow,
        then: Callable[[], None],
        *,
        defer: bool = False,
        fallback_ms: int | None = None,
    ) -> None:
        super().__init__(window)  # deleted with the window, and its timer with it
        self._window = window
        self._then = then
        self._defer = defer
        self._done = False
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._fire)
        window.frameSwapped.connect(self._swapped)
        if fallback_ms is not None:
            self._timer.start(fallback_ms)

    @Slot()
    def _swapped(self) -> None:
        if self._defer:
            self._timer.start(0)
        else:
            self._fire()

    @Slot()
    def _fire(self) -> None:
        if self._done:
            return
        self._done = True
        self._timer.stop()
        self._window.frameSwapped.disconnect(self._swapped)
        self._then()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _log_qml(errors: list[QQmlError], sink: list[str]) -> None:
    for error in errors:
        text = error.toString()
        sink.append(text)
        log.warning("QML: %s", text)


def run(config: KioskConfig, token: Token) -> int:
    """The terminal's main loop; returns the process exit code."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    app.setApplicationName("village-kiosk")
    app.setFont(QFont(FONT_FAMILY))
    try:
        kiosk = build_kiosk(config, token)
    except KioskUiError as exc:
        log.critical("%s", exc)
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    if os.environ.get(READY_ENV) == "1":
        _report_ready(kiosk.window)
    _quit_on_signals(app)
    if config.fullscreen:
        # A resident must never reach the desktop, nor see a pointer on a touchscreen.
        app.setOverrideCursor(_blank_cursor())
        kiosk.window.showFullScreen()
    else:
        kiosk.window.show()
    try:
        return app.exec()
    finally:
        kiosk.close()


def _report_ready(window: QQuickWindow) -> None:
    # The cached place names are applied before QML loads, so the first frame shows them.
    # The window owns the FirstFrame (Qt parent), which keeps it alive.
    FirstFrame(window, lambda: print(READY_LINE, flush=True))


def _blank_cursor() -> QCursor:
    # A transparent pointer rather than Qt.CursorShape.BlankCursor: the same on screen,
    # without loading PySide6's Qt namespace before the first frame.
    from PySide6.QtGui import QColor, QPixmap

    pixmap = QPixmap(1, 1)
    pixmap.fill(QColor(0, 0, 0, 0))
    return QCursor(pixmap)


def _quit_on_signals(app: QCoreApplication) -> None:
    """SIGTERM from systemd and Ctrl+C end the event loop so `close()` runs."""
    import signal

    def quit_soon(*_: object) -> None:
        # Not app.quit() here and now: Python runs this handler in whatever Python code
        # comes next, maybe a slot called while a frame is delivered, and quitting closes
        # the window at once, under the feet of Qt's code that is delivering it.
        QTimer.singleShot(0, app, app.quit)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, quit_soon)
    # Python handles signals only when it runs; a no-op timer lets it run while Qt waits.
    keepalive = QTimer(app, interval=250)
    keepalive.timeout.connect(lambda: None)
    keepalive.start()
