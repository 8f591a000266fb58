"""kiosk.call imports only kiosk.domain of ours; importing it for names loads no aiortc."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kiosk.call
from kiosk.call.events import EventStream, LinkChanged

ALLOWED_THIRD_PARTY = {"aiortc", "av", "websockets", "pydantic"}
PACKAGE = Path(kiosk.call.__file__).parent


def test_only_domain_among_ours() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "kiosk":
                    assert name.startswith(("kiosk.domain", "kiosk.call")), f"{path.name}: {name}"
                else:
                    assert top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names, (
                        f"{path.name}: {name}")


def test_names_load_lazily() -> None:
    code = (
        "import sys, kiosk.call as c; c.CallState; c.CallSettings; c.FrameSlot; "
        "assert 'aiortc' not in sys.modules, 'aiortc loaded'; c.Consultation; "
        "assert 'aiortc' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert sorted(kiosk.call.__all__) == kiosk.call.__all__


async def test_event_stream_iterates_in_order() -> None:
    stream = EventStream(maxlen=3)
    for up in (True, False, True, False):
        stream(LinkChanged(up))
    seen = []
    async for event in stream:
        seen.append(event)
        if len(seen) == 3:
            break
    assert [e.up for e in seen if isinstance(e, LinkChanged)] == [False, True, False]
