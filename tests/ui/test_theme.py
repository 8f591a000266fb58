"""The Theme singleton: AAA contrast for every text colour pair, sizes that scale with floors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QColor
from PySide6.QtQml import QQmlEngine

from kiosk.ui.resources import QML_DIR, QML_MODULE


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def theme(qapp: QObject) -> Iterator[QObject]:
    engine = QQmlEngine()
    engine.addImportPath(str(QML_DIR))
    instance = engine.singletonInstance(QML_MODULE, "Theme")
    assert isinstance(instance, QObject), "Theme singleton did not load"
    yield instance
    engine.deleteLater()


def test_contrast_calculation() -> None:
    assert contrast(QColor("#000000"), QColor("#FFFFFF")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("#FFFFFF")) == pytest.approx(4.54, abs=0.01)


def test_every_text_pair_meets_aaa(theme: QObject) -> None:
    pairs = theme.property("textPairs")
    pairs = pairs.toVariant() if hasattr(pairs, "toVariant") else pairs
    assert len(pairs) >= 15
    failing = []
    for fg, bg in pairs:
        ratio = contrast(QColor(theme.property(fg)), QColor(theme.property(bg)))
        if ratio < 7.0:
            failing.append(f"{fg} on {bg}: {ratio:.2f}")
    assert failing == []


@pytest.mark.parametrize(
    ("size", "min_touch", "min_body"),
    [((1920, 1080), 72, 24), ((1080, 1920), 72, 24), ((1024, 600), 48, 18), ((600, 1024), 48, 18)],
)
def test_sizes_scale_with_floors(
    theme: QObject, size: tuple[int, int], min_touch: int, min_body: int
) -> None:
    theme.setProperty("width", size[0])
    theme.setProperty("height", size[1])
    assert theme.property("portrait") == (size[1] > size[0])
    assert theme.property("touchMin") >= min_touch
    assert theme.property("buttonHeight") >= theme.property("touchMin")
    assert theme.property("fontSmall") >= min_body
    assert theme.property("fontBody") >= min_body
    assert theme.property("fontTitle") > theme.property("fontLarge") > theme.property("fontBody")


def test_full_hd_is_the_design_size(theme: QObject) -> None:
    theme.setProperty("width", 1920)
    theme.setProperty("height", 1080)
    assert theme.property("k") == pytest.approx(1.0)
    assert theme.property("fontBody") == 34
