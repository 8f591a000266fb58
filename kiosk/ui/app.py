"""Assembles the kiosk: bridge, hub link, view-models, QML engine, window.

`build_kiosk` does everything but show the window and run the event loop, so
tests drive the same object the terminal runs. `run` is the `kiosk run` entry.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine, QQmlError
from PySide6.QtQuick import QQuickWindow

from kiosk.config import KioskConfig
from kiosk.ui.bridge import AsyncBridge
from kiosk.ui.feed import HubFeed
from kiosk.ui.i18n import Translations
from kiosk.ui.ports import LinkLike
from kiosk.ui.resources import QML_DIR, QML_MODULE, i18n_dir, icons_dir
from kiosk.ui.vm.idle import IdleWatch
from kiosk.ui.vm.root import KioskViewModel

log = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans CJK SC"
READY_ENV = "KIOSK_REPORT_READY"
READY_LINE = "KIOSK_READY"


class KioskUiError(RuntimeError):
    """The UI cannot start (QML missing or broken): the terminal must not show half a kiosk."""


@dataclass
class KioskApp:
    engine: QQmlApplicationEngine
    window: QQuickWindow
    root: KioskViewModel
    bridge: AsyncBridge
    feed: HubFeed
    translations: Translations
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
        self.bridge.close(self.feed.link.aclose)
        self.translations.close()
        # The engine owns the window and the view-models and deletes QML first.
        self.engine.deleteLater()


def build_kiosk(
    config: KioskConfig,
    token: str | None,
    *,
    link: LinkLike | None = None,
    clock: Callable[[], datetime] | None = None,
) -> KioskApp:
    """Everything but `show()`; needs a QGuiApplication. `clock` lets tests fix "now"."""
    if QGuiApplication.instance() is None:
        raise KioskUiError("create a QGuiApplication before building the kiosk")
    tz = ZoneInfo(config.timezone)
    translations = Translations(i18n_dir())
    bridge = AsyncBridge()
    bridge.start()
    try:
        if link is None:
            link = _hub_link(config, token)
        return _assemble(config, link, bridge, translations, tz, clock or _utc_now)
    except BaseException:
        # Leave nothing behind: no loop thread, no open hub client, no global translator.
        bridge.close(*([link.aclose] if link is not None else []))
        translations.close()
        raise


def _assemble(
    config: KioskConfig,
    link: LinkLike,
    bridge: AsyncBridge,
    translations: Translations,
    tz: ZoneInfo,
    clock: Callable[[], datetime],
) -> KioskApp:
    # Before QML loads, so the very first frame is already in the right language.
    translations.apply(config.language)
    feed = HubFeed(link, bridge, config.refresh_seconds)
    root = KioskViewModel(
        default_language=config.language,
        tz=tz,
        clock=clock,
        idle=IdleWatch(config.idle_seconds, config.idle_warning_seconds),
        icon_base=QUrl.fromLocalFile(str(icons_dir())).toString() + "/",
        switch_language=translations.apply,
        request_refresh=feed.refresh,
    )
    # The disk cache first: a terminal whose hub is down still shows a schedule at once.
    root.apply_snapshot(feed.cached())
    feed.snapshotReady.connect(root.apply_snapshot)

    engine = QQmlApplicationEngine()
    # The engine owns the view-models: QML must never outlive the objects it binds to,
    # and the engine deletes its QML before its children.
    root.setParent(engine)
    feed.setParent(engine)
    warnings: list[str] = []
    engine.warnings.connect(lambda errors: _log_qml(errors, warnings))
    translations.bind(engine)
    engine.addImportPath(str(QML_DIR))
    engine.setInitialProperties({"vm": root})
    engine.loadFromModule(QML_MODULE, "Main")
    roots = engine.rootObjects()
    if not roots or not isinstance(roots[0], QQuickWindow):
        details = "; ".join(warnings) or "no root object"
        raise KioskUiError(f"the kiosk's QML did not load: {details}")
    window = roots[0]
    window.resize(config.window_width, config.window_height)
    window.installEventFilter(root.idle_watch)
    feed.start()
    return KioskApp(engine, window, root, bridge, feed, translations, warnings)


def _hub_link(config: KioskConfig, token: str | None) -> LinkLike:
    from kiosk.api import HubClient, HubLink

    return HubLink(HubClient(config.hub_url, token), config.cache_dir)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _log_qml(errors: list[QQmlError], sink: list[str]) -> None:
    for error in errors:
        text = error.toString()
        sink.append(text)
        log.warning("QML: %s", text)


def run(config: KioskConfig, token: str | None) -> int:
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
        _report_ready_once(kiosk.window)
    _quit_on_signals(app)
    if config.fullscreen:
        # A resident must never reach the desktop, nor see a pointer on a touchscreen.
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
        kiosk.window.showFullScreen()
    else:
        kiosk.window.show()
    try:
        return app.exec()
    finally:
        kiosk.close()


def _report_ready_once(window: QQuickWindow) -> None:
    # The cached snapshot is applied before QML loads, so the first swapped frame shows it;
    # frameSwapped may come from the render thread, hence a direct connection and a flag.
    reported = False

    def ready() -> None:
        nonlocal reported
        if not reported:
            reported = True
            print(READY_LINE, flush=True)

    window.frameSwapped.connect(ready, Qt.ConnectionType.DirectConnection)


def _quit_on_signals(app: QCoreApplication) -> None:
    """SIGTERM from systemd and Ctrl+C end the event loop so `close()` runs."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.quit())
    # Python handles signals only when it runs; a no-op timer lets it run while Qt waits.
    keepalive = QTimer(app, interval=250)
    keepalive.timeout.connect(lambda: None)
    keepalive.start()
