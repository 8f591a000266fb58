"""Video consultations and residents' callback requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Values are written out rather than imported from the code, so this revision
keeps describing the schema it created when the code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERVICES = (
    "'legal_consultation', 'legal_aid', 'duty_lawyer', 'village_adviser', 'mediation',"
    " 'legal_education'"
)
PARTIES = "'terminal', 'expert', 'hub'"
END_REASONS = (
    "'hung_up', 'cancelled', 'no_answer', 'all_busy', 'nobody_on_duty', 'media_lost',"
    " 'hub_restarted'"
)
OUTCOMES = "'answered', 'referred', 'legal_aid_started', 'mediation_arranged', 'call_failed'"


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("requested_expert_id", sa.Integer(), nullable=True),
        sa.Column("accepted_expert_id", sa.Integer(), nullable=True),
        _when("requested_at", nullable=False),
        _when("accepted_at", nullable=True),
        _when("ended_at", nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_consultations_attempts")),
        sa.CheckConstraint(f"service IN ({SERVICES})", name=op.f("ck_consultations_service")),
        sa.CheckConstraint(f"ended_by IN ({PARTIES})", name=op.f("ck_consultations_ended_by")),
        sa.CheckConstraint(
            f"end_reason IN ({END_REASONS})", name=op.f("ck_consultations_end_reason")
        ),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_consultations_outcome")),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals.id"],
            name=op.f("fk_consultations_terminal_id_terminals"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_expert_id"],
            ["experts.id"],
            name=op.f("fk_consultations_requested_expert_id_experts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_expert_id"],
            ["experts.id"],
            name=op.f("fk_consultations_accepted_expert_id_experts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    op.create_index(op.f("ix_consultations_requested_at"), "consultations", ["requested_at"])
    op.create_index(
        "ix_consultations_expert_requested",
        "consultations",
        ["accepted_expert_id", "requested_at"],
    )
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=24), nullable=True),
        _when("created_at", nullable=False),
        _when("done_at", nullable=True),
        sa.Column("done_by", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals.id"],
            name=op.f("fk_callback_requests_terminal_id_terminals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_callback_requests_consultation_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_callback_requests_created_at"), "callback_requests", ["created_at"])


def downgrade() -> None:
    # Dropping a table drops its indexes on both databases.
    op.drop_table("callback_requests")
    op.drop_table("consultations")
