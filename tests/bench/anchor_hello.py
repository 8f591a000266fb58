"""The anchor of P5: a bare QML hello-world window, reporting its first frame."""

import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

app = QGuiApplication(sys.argv)
engine = QQmlApplicationEngine()
engine.load(QUrl.fromLocalFile(str(Path(__file__).with_name("anchor_hello.qml"))))
window = engine.rootObjects()[0]
assert isinstance(window, QQuickWindow)


def ready() -> None:
    print("KIOSK_READY", flush=True)
    window.frameSwapped.disconnect(ready)


window.frameSwapped.connect(ready)
sys.exit(app.exec())
