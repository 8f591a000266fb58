"""The translation files are complete and say what the bureau's catalogue says."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from kiosk.domain import EXPERT_GROUPS, SERVICES
from kiosk.ui.resources import i18n_dir

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_translations", REPO / "scripts" / "update_translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _chinese(context: str) -> dict[str, str]:
    root = ET.parse(i18n_dir() / "kiosk_zh_CN.ts").getroot()
    for ctx in root.iter("context"):
        if ctx.findtext("name") == context:
            return {
                m.findtext("source", ""): m.findtext("translation", "") for m in ctx.iter("message")
            }
    raise AssertionError(f"no context {context} in kiosk_zh_CN.ts")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_nothing_is_left_untranslated(language: str) -> None:
    ts_file = i18n_dir() / f"kiosk_{language}.ts"
    assert _script().unfinished(ts_file) == []
    compiled = ts_file.with_suffix(".qm")
    assert compiled.exists(), f"run scripts/update_translations.py to build {compiled.name}"


def test_service_names_and_sentences_match_the_catalogue() -> None:
    texts = _chinese("Texts")
    for service in SERVICES:
        assert texts.get(service.name_en) == service.name_zh
        assert texts.get(service.summary_en) == service.summary_zh


def test_group_names_match_the_catalogue() -> None:
    texts = _chinese("Texts")
    assert [texts.get(n) for n in ("Lawyer", "Judicial appraisal", "Notary", "Arbitration")] == [
        g.name_zh for g in EXPERT_GROUPS
    ]
