"""QML registration helpers shared by the view-models."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from PySide6.QtCore import SignalInstance
from PySide6.QtQml import QmlUncreatable

_T = TypeVar("_T", bound=type)

UNCREATABLE_REASON = "made by the kiosk in Python"


def uncreatable(reason: str = UNCREATABLE_REASON) -> Callable[[_T], _T]:
    """`QmlUncreatable`, typed: its stub lacks `__call__`, so mypy rejects it as a decorator."""
    return cast("Callable[[_T], _T]", QmlUncreatable(reason))


def put(owner: object, attr: str, value: object, changed: SignalInstance) -> None:
    """Set `owner.attr` and emit `changed`, only on a real change (QML redraws on each)."""
    if getattr(owner, attr) != value:
        setattr(owner, attr, value)
        changed.emit()
