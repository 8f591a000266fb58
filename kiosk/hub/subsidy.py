"""The subsidy report (补贴报表) of a month, and its CSV for the bureau's spreadsheet.

Definitions are in `kiosk.domain.reports`. The consultations of a month are
the union of what the hub signaled (its request time in the month), the
records of calls it never signaled (the kiosk's time in the month), and
callback requests of which the hub has nothing else (their arrival in the month).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from kiosk.domain import EXPERT_GROUPS, Availability, ExpertGroup
from kiosk.domain.records import FallbackReason
from kiosk.domain.reports import (
    HELD_SHARE,
    ExpertFigures,
    ExpertMonth,
    FallbackCounts,
    SubsidyReport,
    TerminalFigures,
    TerminalMonth,
)
from kiosk.domain.signaling import EndReason
from kiosk.hub.ranges import Month
from kiosk.hub.tables import (
    AvailabilityChangeRow,
    CallbackRequestRow,
    ConsultationRow,
    DutyShiftRow,
    ExpertRow,
    SessionRecordRow,
    TerminalRow,
)

Place = tuple[str, str, str, str]  # county, town, village, site_name
# When the kiosk's record has not said how a call ended, the hub's end tells which
# fallback screen the kiosk showed: these are the ends the kiosk meets with one.
_HUB_FALLBACK: Mapping[str, FallbackReason] = {
    EndReason.NO_ANSWER.value: FallbackReason.NO_ANSWER,
    EndReason.ALL_BUSY.value: FallbackReason.ALL_BUSY,
    EndReason.NOBODY_ON_DUTY.value: FallbackReason.NOBODY_ON_DUTY,
    EndReason.MEDIA_LOST.value: FallbackReason.MEDIA_LOST,
}
_GROUP_ORDER = {group: i for i, group in enumerate(ExpertGroup)}


@dataclass(frozen=True)
class Call:
    """One consultation of the month, as the report counts it."""

    terminal_id: int
    place: Place | None  # the record's snapshot; None: the terminal's place now
    expert_id: int | None  # who answered
    answered: bool
    seconds_with_media: float = 0
    rating: int | None = None
    fallback: FallbackReason | None = None
    callback: bool = False


@dataclass(frozen=True)
class Shift:
    expert_id: int
    starts_at: datetime
    ends_at: datetime


# --- reading the month ----------------------------------------------------------------


def _calls(db: Session, month: Month) -> list[Call]:
    record = SessionRecordRow
    hub = ConsultationRow
    callback = CallbackRequestRow
    kiosk_columns = (
        record.consultation_id,
        record.county,
        record.town,
        record.village,
        record.site_name,
        record.expert_id,
        record.seconds_with_media,
        record.rating,
        record.fallback,
        record.ended_at,
        callback.id,
    )
    signaled = db.execute(
        select(
            hub.terminal_id, hub.accepted_at, hub.accepted_expert_id, hub.end_reason, *kiosk_columns
        )
        .select_from(hub)
        .outerjoin(record, record.consultation_id == hub.id)
        .outerjoin(callback, callback.consultation_id == hub.id)
        .where(hub.requested_at >= month.start, hub.requested_at < month.end)
    ).all()
    unsignaled = db.execute(
        select(record.terminal_id, *kiosk_columns)
        .outerjoin(hub, hub.id == record.consultation_id)
        .outerjoin(callback, callback.consultation_id == record.consultation_id)
        .where(
            hub.id.is_(None),
            record.occurred_at >= month.start,
            record.occurred_at < month.end,
        )
    ).all()
    callbacks_only = db.scalars(
        select(callback.terminal_id).where(
            callback.created_at >= month.start,
            callback.created_at < month.end,
            ~exists().where(hub.id == callback.consultation_id),
            ~exists().where(record.consultation_id == callback.consultation_id),
        )
    ).all()

    calls: list[Call] = []
    for terminal_id, accepted_at, accepted_by, end_reason, *kiosk in signaled:
        calls.append(_call(terminal_id, kiosk, accepted_at is not None, accepted_by, end_reason))
    for terminal_id, *kiosk in unsignaled:
        calls.append(_call(terminal_id, kiosk, False, None, None))
    calls += [
        Call(terminal_id=t, place=None, expert_id=None, answered=False, callback=True)
        for t in callbacks_only
    ]
    return calls


def _call(
    terminal_id: int,
    kiosk: Sequence[object],
    hub_accepted: bool,
    hub_expert: int | None,
    hub_end: str | None,
) -> Call:
    record_id, county, town, village, site, expert_id, seconds, rating, fallback, ended_at, cb = (
        kiosk
    )
    has_record = record_id is not None
    kiosk_expert = expert_id if isinstance(expert_id, int) else None
    reason: FallbackReason | None = None
    if isinstance(fallback, str):
        reason = FallbackReason(fallback)
    elif ended_at is None and hub_end is not None:
        reason = _HUB_FALLBACK.get(hub_end)  # the kiosk has not told (yet): the hub's word
    return Call(
        terminal_id=terminal_id,
        place=(str(county), str(town), str(village), str(site)) if has_record else None,
        # The hub saw the expert accept: that is the evidence the bureau pays by.
        expert_id=hub_expert if hub_accepted else kiosk_expert,
        answered=hub_accepted or kiosk_expert is not None,
        seconds_with_media=float(seconds) if isinstance(seconds, int | float) else 0.0,
        rating=rating if isinstance(rating, int) else None,
        fallback=reason,
        callback=cb is not None,
    )


def _shifts(db: Session, month: Month) -> list[Shift]:
    rows = db.execute(
        select(DutyShiftRow.expert_id, DutyShiftRow.starts_at, DutyShiftRow.ends_at).where(
            DutyShiftRow.starts_at >= month.start, DutyShiftRow.starts_at < month.end
        )
    ).all()
    return [Shift(expert_id, start, end) for expert_id, start, end in rows]


def _availability(
    db: Session, expert_ids: Iterable[int], start: datetime, until: datetime
) -> dict[int, list[tuple[datetime, bool]]]:
    """Each expert's changes within [start, until), after the one in force at `start`."""
    ids = sorted(set(expert_ids))
    change = AvailabilityChangeRow
    latest = (
        select(change.expert_id, func.max(change.at).label("at"))
        .where(change.expert_id.in_(ids), change.at < start)
        .group_by(change.expert_id)
        .subquery()
    )
    in_force = select(change).join(
        latest, and_(change.expert_id == latest.c.expert_id, change.at == latest.c.at)
    )
    within = select(change).where(change.expert_id.in_(ids), change.at >= start, change.at < until)
    found: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    rows = [*db.scalars(in_force), *db.scalars(within)]
    for row in sorted(rows, key=lambda r: (r.at, r.id)):
        found[row.expert_id].append((row.at, row.availability == Availability.AVAILABLE.value))
    return found


def available_seconds(
    changes: Sequence[tuple[datetime, bool]], start: datetime, end: datetime
) -> float:
    """Seconds of [start, end) marked available; before the first change counts as away."""
    if end <= start:
        return 0.0
    total = 0.0
    available, since = False, start
    for at, now_available in changes:
        if at >= end:
            break
        if at > start and available:
            total += (at - since).total_seconds()
        available, since = now_available, max(at, start)
    if available:
        total += (end - since).total_seconds()
    return total


# --- adding up ------------------------------------------------------------------------


@dataclass
class _Ratings:
    count: int = 0
    total: int = 0
    skipped: int = 0

    def add(self, score: int) -> None:
        if score == 0:
            self.skipped += 1
        else:
            self.count += 1
            self.total += score

    def mean(self) -> float | None:
        return round(self.total / self.count, 2) if self.count else None


@dataclass
class _ExpertTally:
    answered: int = 0
    media_seconds: float = 0
    shifts: int = 0
    scheduled_seconds: float = 0
    held: int = 0
    available_seconds: float = 0
    ratings: _Ratings = field(default_factory=_Ratings)

    def figures(self) -> ExpertFigures:
        return ExpertFigures(
            consultations_answered=self.answered,
            minutes_with_media=round(self.media_seconds / 60, 1),
            shifts_scheduled=self.shifts,
            hours_scheduled=round(self.scheduled_seconds / 3600, 2),
            shifts_held=self.held,
            hours_available=round(self.available_seconds / 3600, 2),
            ratings=self.ratings.count,
            rating_mean=self.ratings.mean(),
            ratings_skipped=self.ratings.skipped,
        )


@dataclass
class _TerminalTally:
    calls: int = 0
    answered: int = 0
    fallbacks: dict[FallbackReason, int] = field(default_factory=lambda: defaultdict(int))
    callbacks: int = 0

    def add(self, call: Call) -> None:
        self.calls += 1
        self.answered += call.answered
        self.callbacks += call.callback
        if call.fallback is not None:
            self.fallbacks[call.fallback] += 1

    def figures(self) -> TerminalFigures:
        return TerminalFigures(
            calls=self.calls,
            answered=self.answered,
            answered_ratio=round(self.answered / self.calls, 3) if self.calls else None,
            fallbacks=FallbackCounts(**{r.value: n for r, n in self.fallbacks.items()}),
            callbacks=self.callbacks,
        )


def _expert_lines(
    db: Session, calls: Sequence[Call], shifts: Sequence[Shift], now: datetime, month: Month
) -> tuple[list[ExpertMonth], ExpertFigures]:
    tallies: dict[int, _ExpertTally] = defaultdict(_ExpertTally)
    for call in calls:
        if call.expert_id is None:
            continue
        tally = tallies[call.expert_id]
        tally.answered += 1
        tally.media_seconds += call.seconds_with_media
        if call.rating is not None:
            tally.ratings.add(call.rating)
    if shifts:
        until = max(s.ends_at for s in shifts)
        log = _availability(db, (s.expert_id for s in shifts), month.start, until)
        for shift in shifts:
            tally = tallies[shift.expert_id]
            length = (shift.ends_at - shift.starts_at).total_seconds()
            marked = available_seconds(
                log.get(shift.expert_id, []), shift.starts_at, min(shift.ends_at, now)
            )
            tally.shifts += 1
            tally.scheduled_seconds += length
            tally.available_seconds += marked
            # A shift still under way (or to come) is not judged yet.
            if shift.ends_at <= now and marked >= HELD_SHARE * length - 1e-6:
                tally.held += 1

    experts = db.scalars(select(ExpertRow)).all()
    lines = []
    for expert in experts:
        if expert.deleted_at is not None and expert.id not in tallies:
            continue  # retired before the month, nothing of theirs in it
        lines.append(
            ExpertMonth(
                expert_id=expert.id,
                name=expert.name,
                group=ExpertGroup(expert.expert_group),
                organisation=expert.organisation,
                retired=expert.deleted_at is not None,
                **tallies[expert.id].figures().model_dump(),
            )
        )
    lines.sort(key=lambda line: (_GROUP_ORDER[line.group], line.expert_id))
    ratings = _Ratings()
    for line in lines:
        tally = tallies[line.expert_id]
        ratings.count += tally.ratings.count
        ratings.total += tally.ratings.total
        ratings.skipped += tally.ratings.skipped
    return lines, _expert_totals(lines, ratings)


def _expert_totals(lines: Sequence[ExpertMonth], ratings: _Ratings) -> ExpertFigures:
    # Sums of the rounded lines, so the columns of the spreadsheet add up to the total row.
    return ExpertFigures(
        consultations_answered=sum(line.consultations_answered for line in lines),
        minutes_with_media=round(sum(line.minutes_with_media for line in lines), 1),
        shifts_scheduled=sum(line.shifts_scheduled for line in lines),
        hours_scheduled=round(sum(line.hours_scheduled for line in lines), 2),
        shifts_held=sum(line.shifts_held for line in lines),
        hours_available=round(sum(line.hours_available for line in lines), 2),
        ratings=ratings.count,
        rating_mean=ratings.mean(),
        ratings_skipped=ratings.skipped,
    )


def _terminal_lines(
    db: Session, calls: Sequence[Call]
) -> tuple[list[TerminalMonth], TerminalFigures]:
    terminals = {row.id: row for row in db.scalars(select(TerminalRow))}
    tallies: dict[tuple[int, Place], _TerminalTally] = defaultdict(_TerminalTally)
    whole = _TerminalTally()
    for call in calls:
        place = call.place or _place(terminals[call.terminal_id])
        tallies[(call.terminal_id, place)].add(call)
        whole.add(call)
    for terminal_id, terminal in terminals.items():
        if not any(key[0] == terminal_id for key in tallies):
            tallies[(terminal_id, _place(terminal))] = _TerminalTally()  # a quiet month
    lines = [
        TerminalMonth(
            terminal_id=terminal_id,
            county=place[0],
            town=place[1],
            village=place[2],
            site_name=place[3],
            **tally.figures().model_dump(),
        )
        for (terminal_id, place), tally in sorted(tallies.items())
    ]
    return lines, whole.figures()


def _place(terminal: TerminalRow) -> Place:
    return (terminal.county, terminal.town, terminal.village, terminal.site_name)


def flagged_records(db: Session, month: Month) -> int:
    """The same count as `GET /v1/records?month=...&flagged=true` answers in X-Total-Count."""
    return (
        db.scalar(
            select(func.count())
            .select_from(SessionRecordRow)
            .where(
                SessionRecordRow.occurred_at >= month.start,
                SessionRecordRow.occurred_at < month.end,
                SessionRecordRow.flags != "",
            )
        )
        or 0
    )


def subsidy_report(
    db: Session, month: Month, time_zone: str, now: datetime, expert_id: int | None = None
) -> SubsidyReport:
    """The month's report; with `expert_id`, that expert's own line and nothing else."""
    calls = _calls(db, month)
    experts, expert_totals = _expert_lines(db, calls, _shifts(db, month), now, month)
    common = {
        "month": month.label,
        "time_zone": time_zone,
        "starts_at": month.start,
        "ends_at": month.end,
        "generated_at": now,
    }
    if expert_id is not None:
        own = [line for line in experts if line.expert_id == expert_id]
        figures = set(ExpertFigures.model_fields)
        totals = ExpertFigures(**own[0].model_dump(include=figures)) if own else ExpertFigures()
        return SubsidyReport(**common, experts=own, expert_totals=totals, terminals=[])
    terminals, terminal_totals = _terminal_lines(db, calls)
    return SubsidyReport(
        **common,
        experts=experts,
        expert_totals=expert_totals,
        terminals=terminals,
        terminal_totals=terminal_totals,
        flagged_records=flagged_records(db, month),
    )


# --- CSV --------------------------------------------------------------------------------

_GROUP_NAMES = {info.code: info.name_zh for info in EXPERT_GROUPS}
_FALLBACK_NAMES: Mapping[FallbackReason, str] = {
    FallbackReason.NO_ANSWER: "无人接听",
    FallbackReason.ALL_BUSY: "专家都在忙",
    FallbackReason.NOBODY_ON_DUTY: "无人值班",
    FallbackReason.MEDIA_LOST: "通话中断",
    FallbackReason.UNREACHABLE: "连不上服务器",
    FallbackReason.FAILED: "终端故障",
}
EXPERT_HEADER = (
    "专家编号",
    "姓名",
    "类别",
    "单位",
    "接听咨询（次）",
    "有画面时长（分钟）",
    "排班（次）",
    "排班时长（小时）",
    "履职（次）",
    "值班内在线时长（小时）",
    "评价（次）",
    "平均评分",
    "跳过评价（次）",
)
TERMINAL_HEADER = (
    "终端编号",
    "县（市、区）",
    "乡镇",
    "村",
    "安放地点",
    "呼叫（次）",
    "接通（次）",
    "接通率",
    *(f"未接通：{name}（次）" for name in _FALLBACK_NAMES.values()),
    "回电请求（次）",
)


def _text(value: str) -> str:
    # Excel runs a cell that starts like a formula; names typed by people must stay names.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _expert_row(label: Sequence[str], figures: ExpertFigures) -> list[str]:
    return [
        *label,
        str(figures.consultations_answered),
        _number(figures.minutes_with_media),
        str(figures.shifts_scheduled),
        _number(figures.hours_scheduled),
        str(figures.shifts_held),
        _number(figures.hours_available),
        str(figures.ratings),
        _number(figures.rating_mean),
        str(figures.ratings_skipped),
    ]


def _terminal_row(label: Sequence[str], figures: TerminalFigures) -> list[str]:
    fallbacks = figures.fallbacks.model_dump()
    return [
        *label,
        str(figures.calls),
        str(figures.answered),
        _ratio(figures.answered_ratio),
        *(str(fallbacks[reason.value]) for reason in _FALLBACK_NAMES),
        str(figures.callbacks),
    ]


def report_csv(report: SubsidyReport) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel on Chinese Windows reads GBK and garbles."""
    out = io.StringIO()
    write = csv.writer(out).writerow
    year, month = report.month.split("-")
    write([f"补贴报表 {year}年{int(month)}月", f"时区：{report.time_zone}"])
    write([])
    write(["专家服务统计"])
    write(EXPERT_HEADER)
    for line in report.experts:
        name = line.name + ("（已删除）" if line.retired else "")
        label = [str(line.expert_id), _text(name), _GROUP_NAMES[line.group]]
        write(_expert_row([*label, _text(line.organisation)], line))
    if len(report.experts) > 1:
        write(_expert_row(["合计", "", "", ""], report.expert_totals))
    if report.terminal_totals is not None:
        write([])
        write(["终端服务统计"])
        write(TERMINAL_HEADER)
        for t in report.terminals:
            label = [str(t.terminal_id), *map(_text, (t.county, t.town, t.village, t.site_name))]
            write(_terminal_row(label, t))
        write(_terminal_row(["合计", "", "", "", ""], report.terminal_totals))
    write([])
    write(
        [
            f"说明：履职指值班已结束，且在值班时间内标为“在线可接听”的时间不少于值班时长的 "
            f"{report.held_share:.0%}。接听咨询以服务器记录的专家接听为准。"
        ]
    )
    if report.flagged_records is not None:
        write([f"与服务器记录不一致、待核对的记录：{report.flagged_records} 条"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
