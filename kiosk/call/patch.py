"""One of our objects in place of an aiortc method, on one instance, and found again.

`receive.py`, `resend.py` and `tail_probe.py` each replace a method of one aiortc
receiver or sender (aiortc has no hook for what they change) and keep the object
that does the work on the instance, so that the peer can read its counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def replace_method(instance: object, method: str, replacement: Callable[..., Any],
                   keeper: str, ours: T) -> T:
    """`instance.<method>` becomes `replacement`; `ours` is kept in `instance.<keeper>`."""
    setattr(instance, method, replacement)
    setattr(instance, keeper, ours)
    return ours


def installed_on(instance: object, keeper: str, kind: type[T]) -> T | None:
    """What `replace_method` kept in `instance.<keeper>`, if it is a `kind`."""
    found = getattr(instance, keeper, None)
    return found if isinstance(found, kind) else None
