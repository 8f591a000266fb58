"""What the UI needs from `kiosk.api`, as protocols.

The view-models depend on these shapes rather than on `HubLink` itself, so unit
tests can hand them a small fake link and a snapshot they built by hand, and the
start screen can show a profile read from the cache without pydantic
(`kiosk.api.cache.CachedProfile`) as well as the hub's `TerminalProfile`.
The contract's models are imported for typing only: the first frame comes
before pydantic is loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kiosk.domain.models import Schedule


class TerminalLike(Protocol):
    @property
    def county(self) -> str: ...

    @property
    def town(self) -> str: ...

    @property
    def village(self) -> str: ...

    @property
    def site_name(self) -> str: ...


class ProfileLike(Protocol):
    @property
    def terminal(self) -> TerminalLike: ...

    @property
    def bureau_name(self) -> str: ...

    @property
    def hotline(self) -> str: ...


class SnapshotLike(Protocol):
    @property
    def profile(self) -> ProfileLike | None: ...

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
