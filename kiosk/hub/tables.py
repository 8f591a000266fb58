"""The hub's tables (SQLAlchemy 2 ORM). Every change here needs an Alembic revision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Dialect,
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
