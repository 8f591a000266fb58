"""Chinese by default, English on a tap, re-translated live; every Chinese text is translated."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from tests.ui.conftest import MakeKiosk
from tests.ui.helpers import tap, text_of, visible_texts, wait_screen

# Latin words allowed on a Chinese screen: the button that switches to English.
_ALLOWED_LATIN = {"English"}


def _untranslated(texts: list[str]) -> list[str]:
    return [t for t in texts if re.search(r"[A-Za-z]{3,}", t) and t not in _ALLOWED_LATIN]


def test_language_button_retranslates_live(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    assert text_of(window, "languageButton") == "English"
    start_zh = text_of(window, "startTitle")
    assert "律师" in start_zh

    tap(qtbot, kiosk, "languageButton")
    qtbot.waitUntil(lambda: text_of(window, "languageButton") == "中文", timeout=2000)
    assert kiosk.root.property("language") == "en"
    assert text_of(window, "startTitle") == (
        "Talk to a lawyer from the city, face to face on this screen."
    )
    assert "Tuesday" in text_of(window, "dateText")

    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    assert "What do you need help with? Tap one." in visible_texts(window)
    assert "Legal consultation" in visible_texts(window)

    tap(qtbot, kiosk, "languageButton")
    qtbot.waitUntil(lambda: "法律咨询" in visible_texts(window), timeout=2000)
    assert kiosk.root.property("screen") == "services"  # switching keeps the resident's place


def test_every_chinese_screen_is_translated(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    assert _untranslated(visible_texts(window)) == []
    tap(qtbot, kiosk, "startButton")
    wait_screen(qtbot, kiosk, "services")
    assert _untranslated(visible_texts(window)) == []
    for code in ("legal_consultation", "legal_education"):
        tap(qtbot, kiosk, f"serviceTile_{code}")
        wait_screen(qtbot, kiosk, "schedule")
        assert _untranslated(visible_texts(window)) == []
        tap(qtbot, kiosk, "backButton")
        wait_screen(qtbot, kiosk, "services")


def test_english_default_from_config(qtbot: QtBot, make_kiosk: MakeKiosk) -> None:
    kiosk = make_kiosk(language="en")
    assert "Tap here to start" in visible_texts(kiosk.window)
    assert text_of(kiosk.window, "languageButton") == "中文"
