"""Session records: a terminal's upload stored event by event, summed up, and held against
the hub's own signaling view of the same consultation.

Two writers touch a record: the terminal's upload and the switchboard, whose
every change of a consultation reconciles the record in the same transaction.
Both first take `lock_consultation`, so the flags are computed from what both
sides have committed, never from a view one of them is about to change.
Duplicates are kept out by the event id, the primary key: the upload that loses
a race meets an IntegrityError, and the route runs it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.domain import FieldError
from kiosk.domain.records import (
    CallbackRequested,
    Disagreement,
    EventKind,
    MediaSummary,
    RecordAck,
    RecordEvent,
    RecordUpload,
)
from kiosk.hub.errors import ApiError
from kiosk.hub.queries import file_callback, owners_of
from kiosk.hub.tables import ConsultationRow, RecordEventRow, SessionRecordRow, TerminalRow

# Talk time may differ this much between the kiosk and the hub before it is flagged:
# the two ends learn of an answer and of a hang-up a network round trip apart.
DURATION_TOLERANCE = timedelta(seconds=60)
# Fields every event has; the rest of an event is its kind's body.
_COMMON = frozenset({"id", "seq", "at", "mono_s", "clock_jump_s", "kind"})
# A resident's number goes to callback_requests only, never into the event log.
_PRIVATE = frozenset({"phone"})

NOT_YOURS = "The consultation belongs to another terminal."


def lock_consultation(db: Session, consultation_id: UUID) -> None:
    """Serialise the writers of one consultation's record until the transaction ends.

    PostgreSQL: an advisory lock on the id (a row lock cannot cover a record or a
    consultation that does not exist yet). SQLite: a write as the transaction's
    first statement takes the database's write lock, so every read after it is current.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(select(func.pg_advisory_xact_lock(_lock_key(consultation_id))))
        return
    db.execute(
        update(SessionRecordRow)
        .where(SessionRecordRow.consultation_id == consultation_id)
        .values(consultation_id=SessionRecordRow.consultation_id)
        .execution_options(synchronize_session=False)
    )


def _lock_key(consultation_id: UUID) -> int:
    key = consultation_id.int >> 64  # advisory keys are signed 64-bit
    return key - (1 << 64) if key >= 1 << 63 else key


# --- an upload ------------------------------------------------------------------------


def _body(event: RecordEvent) -> str:
    fields = event.model_dump(mode="json", exclude=set(_COMMON | _PRIVATE))
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _same(row: RecordEventRow, event: RecordEvent) -> bool:
    # The number is not stored, so a replayed callback is compared without it.
    return (
        row.kind == event.kind.value
        and row.seq == event.seq
        and row.at == event.at
        and row.mono_s == event.mono_s
        and row.clock_jump_s == event.clock_jump_s
        and row.body == _body(event)
    )


def _check_upload(upload: RecordUpload) -> None:
    """Refuse an upload that names one event twice: a kiosk bug, not a replay."""
    seen: set[UUID] = set()
    errors = []
    for index, event in enumerate(upload.events):
        if event.id in seen:
            errors.append(FieldError(field=f"events.{index}.id", message="appears twice"))
        seen.add(event.id)
    if errors:
        raise ApiError(422, f"{errors[0].field}: {errors[0].message}", errors)


def store_upload(
    db: Session,
    terminal: TerminalRow,
    consultation_id: UUID,
    upload: RecordUpload,
    now: datetime,
) -> RecordAck:
    """Store what is new of an upload and bring the record up to date; the caller commits.

    Raises ApiError (and has then changed nothing the caller will commit) for
    another terminal's consultation (403) or an event id another consultation
    holds (422); IntegrityError when a concurrent upload stored an event first.
    """
    _check_upload(upload)
    lock_consultation(db, consultation_id)
    if owners_of(db, consultation_id) - {terminal.id}:
        raise ApiError(403, NOT_YOURS)

    known = {
        row.id: row
        for row in db.scalars(
            select(RecordEventRow).where(RecordEventRow.id.in_([e.id for e in upload.events]))
        )
    }
    errors = [
        FieldError(field=f"events.{index}.id", message="is an event of another consultation")
        for index, event in enumerate(upload.events)
        if event.id in known and known[event.id].consultation_id != consultation_id
    ]
    if errors:
        raise ApiError(422, f"{errors[0].field}: {errors[0].message}", errors)

    record = db.get(SessionRecordRow, consultation_id)
    if record is None:
        record = _new_record(terminal, consultation_id, now)
        db.add(record)
        db.flush()  # the events' foreign key needs it

    stored: list[UUID] = []
    already_had: list[UUID] = []
    for event in sorted(upload.events, key=lambda e: e.seq):
        row = known.get(event.id)
        if row is not None:
            already_had.append(event.id)
            if not _same(row, event):
                record.conflicting_replay = True
            continue
        db.add(
            RecordEventRow(
                id=event.id,
                consultation_id=consultation_id,
                seq=event.seq,
                kind=event.kind.value,
                at=event.at,
                mono_s=event.mono_s,
                clock_jump_s=event.clock_jump_s,
                received_at=now,
                terminal_id=terminal.id,
                body=_body(event),
            )
        )
        stored.append(event.id)
        if isinstance(event, CallbackRequested):
            file_callback(db, consultation_id, terminal.id, event.phone, now)
    db.flush()  # a racing upload's event id surfaces here as an IntegrityError

    events = db.scalars(
        select(RecordEventRow).where(RecordEventRow.consultation_id == consultation_id)
    ).all()
    _apply(record, summarise(events))
    record.last_received_at = now
    hub = db.get(ConsultationRow, consultation_id)
    _reconcile(record, hub)
    return RecordAck(
        consultation_id=consultation_id,
        stored=stored,
        already_had=already_had,
        events_held=record.events,
        flags=flags_of(record),
    )


def _new_record(terminal: TerminalRow, consultation_id: UUID, now: datetime) -> SessionRecordRow:
    return SessionRecordRow(
        consultation_id=consultation_id,
        terminal_id=terminal.id,
        county=terminal.county,
        town=terminal.town,
        village=terminal.village,
        site_name=terminal.site_name,
        callback_requested=False,
        clock_jumped=False,
        sequence_gap=False,
        conflicting_replay=False,
        flags="",
        occurred_at=now,
        events=0,
        first_received_at=now,
        last_received_at=now,
    )


# --- summing the events up ------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What the kiosk's events say, taken together."""

    events: int
    service: str | None = None
    requested_at: datetime | None = None
    first_event_at: datetime | None = None
    expert_id: int | None = None
    expert_group: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None
    fallback: str | None = None
    callback_requested: bool = False
    rating: int | None = None
    media: dict[str, Any] | None = None
    talk_s: float | None = None
    clock_jumped: bool = False
    sequence_gap: bool = False
    duplicate_seq: bool = False


def summarise(events: Sequence[RecordEventRow]) -> Summary:
    """The record's figures from all its events, whatever order they arrived in.

    A kind that occurs more than once counts by its last event (a request by its
    first). Talk time runs on the kiosk's monotonic clock, from the answer to
    the end, or to a fallback after the answer when the line broke.
    """
    if not events:
        return Summary(events=0)
    ordered = sorted(events, key=lambda e: (e.seq, e.received_at, str(e.id)))
    requested = _first(ordered, EventKind.REQUESTED)
    answered = _last(ordered, EventKind.ANSWERED)
    ended = _last(ordered, EventKind.ENDED)
    fallback = _last(ordered, EventKind.FALLBACK)
    rated = _last(ordered, EventKind.RATED)
    body = _parsed
    media = body(ended).get("media") if ended else None
    if media is None and fallback is not None:
        media = body(fallback).get("media")
    talk_end = ended
    if talk_end is None and fallback is not None and answered is not None:
        talk_end = fallback if fallback.seq > answered.seq else None
    talk_s = None
    if answered is not None and talk_end is not None:
        talk_s = max(0.0, talk_end.mono_s - answered.mono_s)
    seqs = [e.seq for e in ordered]
    return Summary(
        events=len(ordered),
        service=body(requested).get("service") if requested else None,
        requested_at=requested.at if requested else None,
        first_event_at=min(e.at for e in ordered),
        expert_id=body(answered).get("expert_id") if answered else None,
        expert_group=body(answered).get("expert_group") if answered else None,
        answered_at=answered.at if answered else None,
        ended_at=ended.at if ended else None,
        ended_by=body(ended).get("ended_by") if ended else None,
        end_reason=body(ended).get("reason") if ended else None,
        fallback=body(fallback).get("reason") if fallback else None,
        callback_requested=any(e.kind == EventKind.CALLBACK_REQUESTED for e in ordered),
        rating=body(rated).get("score") if rated else None,
        media=media,
        talk_s=talk_s,
        clock_jumped=any(e.clock_jump_s != 0 for e in ordered),
        # Events from 1 up to the highest the hub holds, each there: else some are missing.
        sequence_gap=set(seqs) != set(range(1, max(seqs) + 1)),
        duplicate_seq=len(set(seqs)) != len(seqs),
    )


def _parsed(event: RecordEventRow) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(event.body)
    return body


def _first(events: Iterable[RecordEventRow], kind: EventKind) -> RecordEventRow | None:
    return next((e for e in events if e.kind == kind.value), None)


def _last(events: Sequence[RecordEventRow], kind: EventKind) -> RecordEventRow | None:
    return _first(reversed(events), kind)


def _apply(record: SessionRecordRow, summary: Summary) -> None:
    record.events = summary.events
    record.service = summary.service
    record.requested_at = summary.requested_at
    record.expert_id = summary.expert_id
    record.expert_group = summary.expert_group
    record.answered_at = summary.answered_at
    record.ended_at = summary.ended_at
    record.ended_by = summary.ended_by
    record.end_reason = summary.end_reason
    record.fallback = summary.fallback
    record.callback_requested = summary.callback_requested
    record.rating = summary.rating
    media = summary.media
    record.media = None if media is None else json.dumps(media, sort_keys=True)
    record.seconds_with_media = None if media is None else float(media["seconds_with_media"])
    record.talk_s = summary.talk_s
    record.clock_jumped = summary.clock_jumped
    record.sequence_gap = summary.sequence_gap
    # Two events at one place: the same conflict as one id with two contents.
    record.conflicting_replay = record.conflicting_replay or summary.duplicate_seq
    # Where the month report counts it until the hub's own time is known.
    record.occurred_at = summary.requested_at or summary.first_event_at or record.occurred_at


def media_of(record: SessionRecordRow) -> MediaSummary | None:
    return None if record.media is None else MediaSummary.model_validate_json(record.media)


# --- the kiosk against the hub --------------------------------------------------------


def disagreements(record: SessionRecordRow, hub: ConsultationRow | None) -> list[Disagreement]:
    """Where the record and the hub's signaling view differ, in `Disagreement` order.

    Each comparison is made only once both sides have the fact, so a record
    still on its way (an answer not uploaded yet) is not flagged for it, except
    `answer_unreported`, judged once the kiosk has reported the end.
    """
    found: set[Disagreement] = set()
    if hub is None:
        found.add(Disagreement.NOT_SIGNALED)
    else:
        kiosk_answered = record.expert_id is not None
        hub_accepted = hub.accepted_at is not None
        kiosk_done = record.ended_at is not None or record.fallback is not None
        if kiosk_answered and not hub_accepted:
            found.add(Disagreement.ANSWER_UNSEEN)
        if hub_accepted and not kiosk_answered and kiosk_done:
            found.add(Disagreement.ANSWER_UNREPORTED)
        if (
            kiosk_answered
            and hub.accepted_expert_id is not None
            and record.expert_id != hub.accepted_expert_id
        ):
            found.add(Disagreement.EXPERT_DIFFERS)
        if record.ended_by and hub.ended_by and record.ended_by != hub.ended_by:
            found.add(Disagreement.ENDED_BY_DIFFERS)
        if record.talk_s is not None and hub.accepted_at and hub.ended_at:
            hub_talk = hub.ended_at - hub.accepted_at
            if abs(hub_talk - timedelta(seconds=record.talk_s)) > DURATION_TOLERANCE:
                found.add(Disagreement.DURATION_DIFFERS)
    if record.clock_jumped:
        found.add(Disagreement.CLOCK_JUMPED)
    if record.sequence_gap:
        found.add(Disagreement.SEQUENCE_GAP)
    if record.conflicting_replay:
        found.add(Disagreement.CONFLICTING_REPLAY)
    return [d for d in Disagreement if d in found]


def flags_of(record: SessionRecordRow) -> list[Disagreement]:
    return [Disagreement(f) for f in record.flags.split(",") if f]


def _reconcile(record: SessionRecordRow, hub: ConsultationRow | None) -> None:
    record.flags = ",".join(d.value for d in disagreements(record, hub))
    if hub is not None:
        # The hub's clock, not the kiosk's, decides the month of a consultation it signaled.
        record.occurred_at = hub.requested_at


def reconcile(db: Session, consultation_id: UUID) -> None:
    """After the switchboard changed a consultation: its record's flags, if it has a record.

    The caller holds `lock_consultation` and has written the consultation in this transaction.
    """
    record = db.get(SessionRecordRow, consultation_id)
    if record is None:
        return
    hub = db.get(ConsultationRow, consultation_id, populate_existing=True)
    _reconcile(record, hub)
