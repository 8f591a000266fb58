"""Shared by the record and report tests: a kiosk's events as JSON, the hub's rows beside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.hub.tables import CallbackRequestRow, ConsultationRow, RecordEventRow, SessionRecordRow

SERVICE = "legal_aid"


def _an_hour_ago() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def media(seconds: float) -> dict[str, Any]:
    return {
        "seconds_with_media": seconds,
        "send_kbps_mean": 420.5,
        "recv_kbps_mean": 610.0,
        "freezes": 1,
        "relay_used": False,
        "reconnects": 0,
        "audio_only_seconds": 0,
    }


@dataclass
class KioskRecord:
    """One consultation's events as a kiosk makes them; `at_s` counts from the request."""

    consultation_id: UUID = field(default_factory=uuid4)
    start: datetime = field(default_factory=_an_hour_ago)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/v1/records/{self.consultation_id}"

    def add(self, kind: str, at_s: float, **fields: Any) -> dict[str, Any]:
        event = {
            "id": str(uuid4()),
            "seq": len(self.events) + 1,
            "kind": kind,
            "at": (self.start + timedelta(seconds=at_s)).isoformat(),
            "mono_s": at_s,
            "clock_jump_s": 0.0,
            **fields,
        }
        self.events.append(event)
        return event

    def body(self, events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {"events": self.events if events is None else events}

    def ids(self, events: list[dict[str, Any]] | None = None) -> list[str]:
        return [e["id"] for e in (self.events if events is None else events)]


def answered_call(
    expert_id: int,
    *,
    name: str = "张伟",
    start: datetime | None = None,
    consultation_id: UUID | None = None,
    answer_s: float = 20,
    talk_s: float = 700,
    ended_by: str = "expert",
    media_s: float | None = None,
    score: int | None = 5,
) -> KioskRecord:
    """Requested, rung, answered, media, ended by `ended_by`, rated `score` (None: not yet)."""
    record = KioskRecord(consultation_id=consultation_id or uuid4(), start=start or _an_hour_ago())
    record.add("requested", 0, service=SERVICE)
    record.add("ringing", 1, queue_position=1)
    record.add("answered", answer_s, expert_id=expert_id, expert_group="lawyer", expert_name=name)
    record.add("media_connected", answer_s + 2, relay=False)
    seconds = talk_s - 5 if media_s is None else media_s
    record.add(
        "ended", answer_s + talk_s, ended_by=ended_by, reason="hung_up", media=media(seconds)
    )
    if score is not None:
        record.add("rated", answer_s + talk_s + 15, score=score)
    return record


def fallback_call(
    reason: str,
    *,
    phone: str | None = None,
    start: datetime | None = None,
    consultation_id: UUID | None = None,
) -> KioskRecord:
    """Requested, rung, nobody reached: the fallback screen, and maybe a number left."""
    record = KioskRecord(consultation_id=consultation_id or uuid4(), start=start or _an_hour_ago())
    record.add("requested", 0, service=SERVICE)
    record.add("ringing", 1, queue_position=2)
    record.add("fallback", 120, reason=reason)
    if phone is not None:
        record.add("callback_requested", 150, phone=phone)
    return record


def hub_consultation(
    sessions: sessionmaker[Session],
    consultation_id: UUID,
    *,
    requested_at: datetime,
    terminal_id: int = 1,
    accepted_by: int | None = None,
    accept_after_s: float = 20,
    talk_s: float | None = 700,
    ended_by: str | None = "expert",
    end_reason: str | None = "hung_up",
) -> None:
    """The switchboard's row of a consultation. `talk_s` None: still open (or never accepted
    and not ended when `end_reason` is None too)."""
    accepted_at = requested_at + timedelta(seconds=accept_after_s) if accepted_by else None
    ended_at: datetime | None = None
    if accepted_at is not None and talk_s is not None:
        ended_at = accepted_at + timedelta(seconds=talk_s)
    elif accepted_at is None and end_reason is not None:
        ended_at = requested_at + timedelta(seconds=120)
    with sessions() as db:
        db.add(
            ConsultationRow(
                id=consultation_id,
                terminal_id=terminal_id,
                service=SERVICE,
                requested_at=requested_at,
                accepted_expert_id=accepted_by,
                accepted_at=accepted_at,
                ended_at=ended_at,
                ended_by=ended_by if ended_at is not None else None,
                end_reason=end_reason if ended_at is not None else None,
                attempts=1 if accepted_by else 0,
            )
        )
        db.commit()


@dataclass(frozen=True)
class Counts:
    events: int
    records: int
    callbacks: int


def counts(sessions: sessionmaker[Session]) -> Counts:
    with sessions() as db:
        return Counts(
            events=db.scalar(select(func.count()).select_from(RecordEventRow)) or 0,
            records=db.scalar(select(func.count()).select_from(SessionRecordRow)) or 0,
            callbacks=db.scalar(select(func.count()).select_from(CallbackRequestRow)) or 0,
        )
