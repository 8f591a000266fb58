"""Typed async client of the central API, and the kiosk's cached view of it.

Names load on first use (PEP 562), so `kiosk.api.cache` can be read before the
first frame without importing httpx or pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.api.client import HubClient
    from kiosk.api.errors import HubError, HubProblem
    from kiosk.api.link import HubLink, Snapshot

__all__ = ["HubClient", "HubError", "HubLink", "HubProblem", "Snapshot"]

_HOME = {
    "HubClient": "client",
    "HubError": "errors",
    "HubProblem": "errors",
    "HubLink": "link",
    "Snapshot": "link",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
