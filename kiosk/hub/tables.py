"""The hub's tables (SQLAlchemy 2 ORM). Every change here needs an Alembic revision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kiosk.domain import AccountRole, Availability, ExpertGroup, ServiceCode
from kiosk.domain.records import EventKind, FallbackReason
from kiosk.domain.signaling import EndReason, Outcome, Party

# Fixed constraint names, so later migrations can name what they alter on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both databases.

    SQLite keeps no offset, so everything is stored as UTC; a naive datetime is
    a bug in the caller and is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _one_of(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


# SQLite would otherwise hand a deleted row's id to the next row; ids in
# clients' caches and in logs must keep meaning one thing.
_NO_ID_REUSE = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class ExpertRow(Base):
    __tablename__ = "experts"
    __table_args__ = (
        CheckConstraint(_one_of("expert_group", ExpertGroup), name="expert_group"),
        CheckConstraint(_one_of("availability", Availability), name="availability"),
        _NO_ID_REUSE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    expert_group: Mapped[str] = mapped_column(String(32))
    organisation: Mapped[str] = mapped_column(String(80))
    availability: Mapped[str] = mapped_column(String(16))
    # Experts are retired, not erased: their past shifts are subsidy evidence.
    deleted_at: Mapped[datetime | None]

    services: Mapped[list[ExpertServiceRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", passive_deletes=True
    )
    account: Mapped[AccountRow | None] = relationship(
        back_populates="expert", lazy="selectin", passive_deletes=True
    )


class ExpertServiceRow(Base):
    __tablename__ = "expert_services"
    __table_args__ = (CheckConstraint(_one_of("service", ServiceCode), name="service"),)

    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(32), primary_key=True)


class DutyShiftRow(Base):
    __tablename__ = "duty_shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="positive_span"),
        Index("ix_duty_shifts_expert_span", "expert_id", "starts_at", "ends_at"),
        _NO_ID_REUSE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]

    expert: Mapped[ExpertRow] = relationship(lazy="joined")


class TerminalRow(Base):
    __tablename__ = "terminals"
    __table_args__ = (_NO_ID_REUSE,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(80))
    town: Mapped[str] = mapped_column(String(80))
    village: Mapped[str] = mapped_column(String(80))
    site_name: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the bearer token: the token has 256 random bits, so a slow hash adds nothing.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    enrol_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrol_code_expires_at: Mapped[datetime | None]


class AccountRow(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(_one_of("role", AccountRole), name="role"),
        # A lawyer's login is always someone on the schedule.
        CheckConstraint("role = 'admin' OR expert_id IS NOT NULL", name="lawyer_has_expert"),
        _NO_ID_REUSE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), unique=True
    )

    expert: Mapped[ExpertRow | None] = relationship(back_populates="account", lazy="joined")


class WebSessionRow(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)

    account: Mapped[AccountRow] = relationship(lazy="joined")


class LoginThrottleRow(Base):
    """Recent failures of one key: `user:<name>`, `addr:<ip>` or `enrol:<ip>`."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None]


class ConsultationRow(Base):
    """One video consultation, from the resident's request to its end (subsidy evidence).

    The id is made on the kiosk; every time is the hub's clock. Open while
    `ended_at` is null; the switchboard writes every change of state.
    """

    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint(_one_of("service", ServiceCode), name="service"),
        CheckConstraint(_one_of("ended_by", Party), name="ended_by"),
        CheckConstraint(_one_of("end_reason", EndReason), name="end_reason"),
        CheckConstraint(_one_of("outcome", Outcome), name="outcome"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_consultations_expert_requested", "accepted_expert_id", "requested_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # No cascade: a consultation is subsidy evidence and outlives nothing it points to by accident.
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    service: Mapped[str] = mapped_column(String(32))
    requested_expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="SET NULL")
    )
    accepted_expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(index=True)
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(16))
    end_reason: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    # SDP offers the terminal made (1 + its media reconnects).
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    terminal: Mapped[TerminalRow] = relationship(lazy="joined")
    accepted_expert: Mapped[ExpertRow | None] = relationship(
        foreign_keys=[accepted_expert_id], lazy="joined"
    )


class CallbackRequestRow(Base):
    """A resident who reached nobody left a phone number to be called back."""

    __tablename__ = "callback_requests"
    __table_args__ = (_NO_ID_REUSE,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not a foreign key: a kiosk that was offline uploads the callback of a call the hub never saw.
    consultation_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id", ondelete="CASCADE"))
    # Cleared once the call back is done: the hub keeps a resident's number no longer than needed.
    phone: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(40))

    terminal: Mapped[TerminalRow] = relationship(lazy="joined")


class AvailabilityChangeRow(Base):
    """Each time an expert became available or away: the evidence of time marked available."""

    __tablename__ = "availability_changes"
    __table_args__ = (
        CheckConstraint(_one_of("availability", Availability), name="availability"),
        Index("ix_availability_changes_expert_at", "expert_id", "at"),
        _NO_ID_REUSE,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No cascade: subsidy evidence, like the expert it belongs to, is retired rather than erased.
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    availability: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]


class SessionRecordRow(Base):
    """What one terminal reported of one consultation, summed up from its events.

    The place is the terminal's at the first upload: a terminal moved to another
    village later must not move its past consultations with it. Times are the
    kiosk's clock except `occurred_at` (the moment the month report counts the
    consultation at: the hub's request time when the hub signaled it) and the
    `*_received_at` (the hub's).
    """

    __tablename__ = "session_records"
    __table_args__ = (
        CheckConstraint(_one_of("service", ServiceCode), name="service"),
        CheckConstraint(_one_of("expert_group", ExpertGroup), name="expert_group"),
        CheckConstraint(_one_of("ended_by", Party), name="ended_by"),
        CheckConstraint(_one_of("end_reason", EndReason), name="end_reason"),
        CheckConstraint(_one_of("fallback", FallbackReason), name="fallback"),
        CheckConstraint("rating BETWEEN 0 AND 5", name="rating"),
        Index("ix_session_records_terminal_occurred", "terminal_id", "occurred_at"),
    )

    # Not a foreign key to consultations: a kiosk that was offline reports calls the hub never saw.
    consultation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    county: Mapped[str] = mapped_column(String(80))
    town: Mapped[str] = mapped_column(String(80))
    village: Mapped[str] = mapped_column(String(80))
    site_name: Mapped[str] = mapped_column(String(80))
    service: Mapped[str | None] = mapped_column(String(32))
    # Whom the kiosk says answered; not a foreign key, the kiosk may name someone the hub lacks.
    expert_id: Mapped[int | None] = mapped_column(Integer, index=True)
    expert_group: Mapped[str | None] = mapped_column(String(32))
    requested_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(16))
    end_reason: Mapped[str | None] = mapped_column(String(32))
    fallback: Mapped[str | None] = mapped_column(String(32))
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)
    media: Mapped[str | None] = mapped_column(Text)  # MediaSummary as JSON
    seconds_with_media: Mapped[float | None] = mapped_column(Double)
    # Answer to end on the kiosk's monotonic clock: true even when its wall clock jumped.
    talk_s: Mapped[float | None] = mapped_column(Double)
    clock_jumped: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence_gap: Mapped[bool] = mapped_column(Boolean, default=False)
    # An event id came again with other content. Kept, since the other content is not stored
    # and the flag could not be derived again from the events.
    conflicting_replay: Mapped[bool] = mapped_column(Boolean, default=False)
    # Disagreement values, comma-separated in their declared order; empty when none.
    flags: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    events: Mapped[int] = mapped_column(Integer, default=0)
    first_received_at: Mapped[datetime]
    last_received_at: Mapped[datetime]


class RecordEventRow(Base):
    """One event of a session record as the kiosk sent it, minus any phone number."""

    __tablename__ = "record_events"
    __table_args__ = (
        CheckConstraint(_one_of("kind", EventKind), name="kind"),
        CheckConstraint("seq >= 1", name="seq"),
        # Not unique: a second event at a taken place is kept (nothing is lost) and flagged.
        Index("ix_record_events_consultation_seq", "consultation_id", "seq"),
    )

    # The kiosk's id: a replay hits this key, so an event is never stored twice.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    consultation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("session_records.consultation_id")
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]  # the kiosk's wall clock
    mono_s: Mapped[float] = mapped_column(Double)
    clock_jump_s: Mapped[float] = mapped_column(Double)
    received_at: Mapped[datetime]  # the hub's clock
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    # The kind's own fields as JSON (sorted keys); a callback number goes to callback_requests.
    body: Mapped[str] = mapped_column(Text)
