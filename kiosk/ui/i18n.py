"""Live language switching: one installed QTranslator at a time, then retranslate QML.

Source strings are English; `kiosk_en.qm` still exists for plural forms
("1 minute" / "2 minutes"), so both languages load a file the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtQml import QQmlEngine

log = logging.getLogger(__name__)


class Translations:
    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._translator: QTranslator | None = None
        self._engine: QQmlEngine | None = None
        self.language = ""

    def bind(self, engine: QQmlEngine) -> None:
        self._engine = engine

    def apply(self, language: str) -> None:
        if language == self.language:
            return
        translator = QTranslator()
        path = self._directory / f"kiosk_{language}.qm"
        loaded = translator.load(str(path))
        if not loaded:
            # Untranslated English is better than a kiosk that will not switch at all.
            log.error("translation %s could not be loaded; showing source texts", path)
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
        self._translator = translator if loaded else None
        if self._translator is not None:
            QCoreApplication.installTranslator(self._translator)
        self.language = language
        if self._engine is not None:
            self._engine.retranslate()
        log.info("language is now %s", language)

    def close(self) -> None:
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        self.language = ""
