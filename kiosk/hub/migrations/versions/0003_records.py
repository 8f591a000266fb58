"""Session records from the terminals, their events, and the log of experts' availability.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Values are written out rather than imported from the code, so this revision
keeps describing the schema it created when the code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AVAILABILITY = "'available', 'away'"
SERVICES = (
    "'legal_consultation', 'legal_aid', 'duty_lawyer', 'village_adviser', 'mediation',"
    " 'legal_education'"
)
GROUPS = "'lawyer', 'judicial_appraisal', 'notary', 'arbitration'"
PARTIES = "'terminal', 'expert', 'hub'"
END_REASONS = (
    "'hung_up', 'cancelled', 'no_answer', 'all_busy', 'nobody_on_duty', 'media_lost',"
    " 'hub_restarted'"
)
FALLBACKS = "'no_answer', 'all_busy', 'nobody_on_duty', 'media_lost', 'unreachable', 'failed'"
KINDS = (
    "'requested', 'ringing', 'answered', 'media_connected', 'reconnected', 'ended', 'fallback',"
    " 'callback_requested', 'rated'"
)


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    op.create_table(
        "availability_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("availability", sa.String(length=16), nullable=False),
        _when("at", nullable=False),
        _check("availability_changes", "availability", f"availability IN ({AVAILABILITY})"),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_availability_changes_expert_id_experts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_availability_changes_expert_at", "availability_changes", ["expert_id", "at"]
    )
    op.create_table(
        "session_records",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(length=80), nullable=False),
        sa.Column("town", sa.String(length=80), nullable=False),
        sa.Column("village", sa.String(length=80), nullable=False),
        sa.Column("site_name", sa.String(length=80), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("expert_group", sa.String(length=32), nullable=True),
        _when("requested_at", nullable=True),
        _when("answered_at", nullable=True),
        _when("ended_at", nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("fallback", sa.String(length=32), nullable=True),
        sa.Column("callback_requested", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("media", sa.Text(), nullable=True),
        sa.Column("seconds_with_media", sa.Double(), nullable=True),
        sa.Column("talk_s", sa.Double(), nullable=True),
        sa.Column("clock_jumped", sa.Boolean(), nullable=False),
        sa.Column("sequence_gap", sa.Boolean(), nullable=False),
        sa.Column("conflicting_replay", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.String(length=200), nullable=False),
        _when("occurred_at", nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        _when("first_received_at", nullable=False),
        _when("last_received_at", nullable=False),
        _check("session_records", "service", f"service IN ({SERVICES})"),
        _check("session_records", "expert_group", f"expert_group IN ({GROUPS})"),
        _check("session_records", "ended_by", f"ended_by IN ({PARTIES})"),
        _check("session_records", "end_reason", f"end_reason IN ({END_REASONS})"),
        _check("session_records", "fallback", f"fallback IN ({FALLBACKS})"),
        _check("session_records", "rating", "rating BETWEEN 0 AND 5"),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals.id"],
            name=op.f("fk_session_records_terminal_id_terminals"),
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_session_records")),
    )
    op.create_index(op.f("ix_session_records_expert_id"), "session_records", ["expert_id"])
    op.create_index(op.f("ix_session_records_occurred_at"), "session_records", ["occurred_at"])
    op.create_index(
        "ix_session_records_terminal_occurred", "session_records", ["terminal_id", "occurred_at"]
    )
    op.create_table(
        "record_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        _when("at", nullable=False),
        sa.Column("mono_s", sa.Double(), nullable=False),
        sa.Column("clock_jump_s", sa.Double(), nullable=False),
        _when("received_at", nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _check("record_events", "kind", f"kind IN ({KINDS})"),
        _check("record_events", "seq", "seq >= 1"),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["session_records.consultation_id"],
            name=op.f("fk_record_events_consultation_id_session_records"),
        ),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals.id"],
            name=op.f("fk_record_events_terminal_id_terminals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
    )
    op.create_index(
        "ix_record_events_consultation_seq", "record_events", ["consultation_id", "seq"]
    )
    _log_present_availability()


def _log_present_availability() -> None:
    """Start the log with every expert's availability as it stands.

    Without a first entry an expert who set themselves available before this
    revision would count as away until they next touched the switch.
    """
    bind = op.get_bind()
    now = datetime.now(UTC)
    # SQLite keeps no offset: the hub stores UTC there as naive datetimes.
    at = now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now
    bind.execute(
        sa.text(
            "INSERT INTO availability_changes (expert_id, availability, at) "
            "SELECT id, availability, :at FROM experts WHERE deleted_at IS NULL ORDER BY id"
        ).bindparams(sa.bindparam("at", at, type_=sa.DateTime(timezone=True)))
    )


def downgrade() -> None:
    # Dropping a table drops its indexes on both databases.
    op.drop_table("record_events")
    op.drop_table("session_records")
    op.drop_table("availability_changes")
