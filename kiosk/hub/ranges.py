"""Query windows: `from`/`to` of the schedule and the shift lists, `month` of the records
and the subsidy report."""

# No `from __future__ import annotations`: FastAPI must see the closure's `days` at
# definition time, while the string annotations would be resolved in module globals.

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated, Any

from fastapi import Query
from pydantic import AwareDatetime

from kiosk.hub.errors import field_error
from kiosk.hub.state import StateDep

DEFAULT_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime


def time_range(max_span: timedelta, *, looking_back: bool = False) -> Callable[..., TimeRange]:
    """A dependency reading `from` and `to`: the half-open window [from, to).

    Without them the window starts at the current hour and looks ahead (schedules);
    `looking_back` makes it the 7 days up to the end of the current hour (records).
    """
    days = max_span.days
    default_from = (
        "default: 7 days before `to`."
        if looking_back
        else "default: the start of the current hour."
    )
    default_to = (
        "default: the end of the current hour" if looking_back else "default: 7 days after `from`"
    )

    def dependency(
        state: StateDep,
        start: Annotated[
            AwareDatetime | None,
            Query(
                alias="from",
                description=f"Start of the window (ISO 8601 with offset); {default_from}",
            ),
        ] = None,
        end: Annotated[
            AwareDatetime | None,
            Query(
                alias="to",
                description=f"End of the window, exclusive; {default_to}; "
                f"at most {days} days after it.",
            ),
        ] = None,
    ) -> TimeRange:
        span = min(DEFAULT_SPAN, max_span)
        if looking_back and start is None:
            if end is None:
                end = state.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            start = end - span
        if start is None:
            # A whole hour, so repeated polls within it ask the same question (and hit the ETag).
            start = state.now().replace(minute=0, second=0, microsecond=0)
        if end is None:
            end = start + span
        if end <= start:
            raise field_error(422, "to", "must be after from")
        if end - start > max_span:
            raise field_error(422, "to", f"must be at most {days} days after from")
        return TimeRange(start, end)

    return dependency


MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class Month:
    """A calendar month of the bureau's time zone, as the UTC window [start, end)."""

    label: str  # "2026-11"
    start: datetime
    end: datetime


def month_of(label: str, zone: tzinfo) -> Month:
    year, month = (int(part) for part in label.split("-"))
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(*following, 1, tzinfo=zone)
    return Month(label, start.astimezone(UTC), end.astimezone(UTC))


def this_month(now: datetime, zone: tzinfo) -> str:
    return f"{now.astimezone(zone):%Y-%m}"


def month_query(description: str) -> Any:
    return Query(pattern=MONTH_PATTERN, description=description)


def month_or_current(
    state: StateDep,
    month: Annotated[
        str | None,
        month_query("YYYY-MM in the bureau's time zone; default: the current month."),
    ] = None,
) -> Month:
    zone = state.settings.zone
    return month_of(month or this_month(state.now(), zone), zone)


def month_if_given(
    state: StateDep,
    month: Annotated[
        str | None, month_query("YYYY-MM in the bureau's time zone; default: every month.")
    ] = None,
) -> Month | None:
    return None if month is None else month_of(month, state.settings.zone)
