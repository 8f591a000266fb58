"""The kiosk's view of the hub: the last known profile and schedule, kept on disk.

A terminal may start while the hub is down, or lose it for days; residents must
still see the last schedule and the hotline, so `refresh` never raises for hub
trouble and `cached` works with no network at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from kiosk.api.cache import PROFILE_FILE, SCHEDULE_FILE, read_json, write_json
from kiosk.api.client import HubClient, NotModified
from kiosk.api.errors import HubError, HubProblem
from kiosk.domain.models import Schedule, TerminalProfile

log = logging.getLogger(__name__)

# How far ahead a terminal keeps the schedule: enough to say "next on duty"
# after a long weekend without the hub.
SCHEDULE_DAYS = 15


@dataclass(frozen=True)
class Snapshot:
    profile: TerminalProfile | None
    schedule: Schedule | None
    confirmed_at: datetime | None
    online: bool
    problem: HubProblem | None


def schedule_window(now: datetime) -> tuple[datetime, datetime]:
    """A window fixed for the whole UTC day, so that the ETag can match all day."""
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start - timedelta(days=1), start + timedelta(days=SCHEDULE_DAYS)


class HubLink:
    def __init__(self, client: HubClient, cache_dir: Path) -> None:
        self._client = client
        self._profile_file = cache_dir / PROFILE_FILE
        self._schedule_file = cache_dir / SCHEDULE_FILE
        self._snapshot = self._load()

    @property
    def client(self) -> HubClient:
        """The same client (token, connections) serves the calls' REST requests."""
        return self._client

    def cached(self) -> Snapshot:
        return self._snapshot

    async def refresh(self, now: datetime | None = None) -> Snapshot:
        now = now or datetime.now(UTC)
        if not self._client.has_token:
            self._snapshot = replace(self._snapshot, online=False, problem=HubProblem.NOT_ENROLLED)
            return self._snapshot
        try:
            profile = await self._client.terminal_profile()
            schedule, confirmed_at = await self._fetch_schedule(now)
        except HubError as exc:
            log.warning("hub unreachable, keeping the cached schedule: %s", exc)
            self._snapshot = replace(self._snapshot, online=False, problem=exc.problem)
            return self._snapshot
        self._snapshot = Snapshot(profile, schedule, confirmed_at, online=True, problem=None)
        write_json(self._profile_file, {"profile": profile.model_dump(mode="json")})
        return self._snapshot

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _fetch_schedule(self, now: datetime) -> tuple[Schedule, datetime]:
        start, end = schedule_window(now)
        cached = read_json(self._schedule_file) or {}
        etag = cached.get("etag") if cached.get("range_from") == start.isoformat() else None
        try:
            schedule, new_etag = await self._client.schedule(start, end, etag=etag)
        except NotModified:
            if self._snapshot.schedule is not None:
                schedule, new_etag = self._snapshot.schedule, etag
            else:  # the cache vanished between reads: ask again without the tag
                schedule, new_etag = await self._client.schedule(start, end)
        write_json(
            self._schedule_file,
            {
                "etag": new_etag,
                "range_from": start.isoformat(),
                "confirmed_at": now.isoformat(),
                "schedule": schedule.model_dump(mode="json"),
            },
        )
        return schedule, now

    def _load(self) -> Snapshot:
        profile: TerminalProfile | None = None
        schedule: Schedule | None = None
        confirmed_at: datetime | None = None
        raw_profile = read_json(self._profile_file)
        raw_schedule = read_json(self._schedule_file)
        if raw_profile is not None:
            try:
                profile = TerminalProfile.model_validate(raw_profile.get("profile"))
            except ValidationError as exc:
                log.warning("ignoring a damaged profile cache: %s", exc)
        if raw_schedule is not None:
            try:
                schedule = Schedule.model_validate(raw_schedule.get("schedule"))
                confirmed_at = datetime.fromisoformat(str(raw_schedule.get("confirmed_at")))
            except (ValidationError, ValueError) as exc:
                log.warning("ignoring a damaged schedule cache: %s", exc)
                schedule, confirmed_at = None, None
        problem = None if self._client.has_token else HubProblem.NOT_ENROLLED
        return Snapshot(profile, schedule, confirmed_at, online=False, problem=problem)
