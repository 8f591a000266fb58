"""The subsidy report (补贴报表): what each expert and each village terminal did in a month.

The month is a calendar month of the bureau's time zone. A consultation counts
in the month of the hub's request time when the hub signaled it, else of the
kiosk's. Totals are the sums of the lines in the same answer.

Definitions the bureau pays by:
- consultations answered: accepted by the expert as the hub saw it (the kiosk's
  word only when the hub saw no accept);
- minutes with media: the kiosk records' `seconds_with_media` of those consultations;
- a duty shift counts in the month it starts; it is held when it has ended and
  the expert was marked available for at least `held_share` of it;
- hours available: time marked available within the month's shifts, up to now;
- ratings: the residents' 1–5 faces; a skip (0) is counted apart, not in the mean.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from kiosk.domain.codes import ExpertGroup

# A shift is held when the expert was marked available for at least this share of it:
# a lawyer who stepped away for a coffee still held the shift, one who never came did not.
HELD_SHARE = 0.8


class ExpertFigures(BaseModel):
    consultations_answered: int = 0
    minutes_with_media: float = 0
    shifts_scheduled: int = 0
    hours_scheduled: float = 0
    shifts_held: int = 0
    hours_available: float = 0
    ratings: int = 0  # residents who gave 1 to 5
    rating_mean: float | None = None  # None: nobody rated
    ratings_skipped: int = 0


class ExpertMonth(ExpertFigures):
    expert_id: int
    name: str
    group: ExpertGroup
    organisation: str
    retired: bool = False  # removed from the roster since; their past month still counts


class FallbackCounts(BaseModel):
    """Consultations that ended on the kiosk's fallback screen, by why nobody was reached."""

    no_answer: int = 0
    all_busy: int = 0
    nobody_on_duty: int = 0
    media_lost: int = 0
    unreachable: int = 0
    failed: int = 0


class TerminalFigures(BaseModel):
    calls: int = 0  # consultations asked for at the terminal
    answered: int = 0
    answered_ratio: float | None = None  # None: no calls
    fallbacks: FallbackCounts = Field(default_factory=FallbackCounts)
    callbacks: int = 0  # residents who left a number


class TerminalMonth(TerminalFigures):
    """One terminal at one place: a terminal moved mid-month has a line per village."""

    terminal_id: int
    county: str
    town: str
    village: str
    site_name: str


class SubsidyReport(BaseModel):
    """A lawyer gets the same shape with their own line only, no terminals and no totals of
    terminals or records."""

    month: str  # "2026-11"
    time_zone: str  # "Asia/Shanghai"
    starts_at: AwareDatetime  # the month's first moment, inclusive
    ends_at: AwareDatetime  # the next month's first moment, exclusive
    generated_at: AwareDatetime
    held_share: float = HELD_SHARE
    experts: list[ExpertMonth]
    expert_totals: ExpertFigures
    terminals: list[TerminalMonth]
    terminal_totals: TerminalFigures | None = None
    flagged_records: int | None = None  # session records of the month with a Disagreement
