"""docs/openapi.json is generated from the hub; this fails when the committed copy drifts."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
REGENERATE = ".venv/bin/python scripts/gen_openapi.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_openapi", REPO / "scripts" / "gen_openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_openapi_document_is_current() -> None:
    generated: str = _generator().render()
    committed = (REPO / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == generated, f"docs/openapi.json is stale: regenerate with `{REGENERATE}`"


def test_errors_are_documented_as_error_body() -> None:
    document = json.loads(_generator().render())
    shift_post = document["paths"]["/v1/shifts"]["post"]["responses"]
    for status in ("401", "403", "404", "409", "422"):
        schema = shift_post[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, status
    assert "HTTPValidationError" not in document["components"]["schemas"]
