"""What the UI needs from `kiosk.api`, as protocols.

The view-models depend on these shapes rather than on `HubLink` itself, so unit
tests can hand them a small fake link and a snapshot they built by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kiosk.domain import Schedule, TerminalProfile


class SnapshotLike(Protocol):
    @property
    def profile(self) -> TerminalProfile | None: ...

    @property
    def schedule(self) -> Schedule | None: ...

    @property
    def confirmed_at(self) -> datetime | None: ...

    @property
    def online(self) -> bool: ...


class LinkLike(Protocol):
    def cached(self) -> SnapshotLike: ...

    async def refresh(self, now: datetime | None = None) -> SnapshotLike: ...

    async def aclose(self) -> None: ...
