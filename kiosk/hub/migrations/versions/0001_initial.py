"""Initial schema: experts, their services and shifts, terminals, accounts, sessions, throttle.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Values are written out rather than imported from the code, so this revision
keeps describing the schema it created when the code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "experts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("expert_group", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=80), nullable=False),
        sa.Column("availability", sa.String(length=16), nullable=False),
        _when("deleted_at", nullable=True),
        sa.CheckConstraint(
            "availability IN ('available', 'away')", name=op.f("ck_experts_availability")
        ),
        sa.CheckConstraint(
            "expert_group IN ('lawyer', 'judicial_appraisal', 'notary', 'arbitration')",
            name=op.f("ck_experts_expert_group"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experts")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("last_failure_at", nullable=False),
        _when("blocked_until", nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(
        op.f("ix_login_throttle_last_failure_at"), "login_throttle", ["last_failure_at"]
    )
    op.create_table(
        "terminals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county", sa.String(length=80), nullable=False),
        sa.Column("town", sa.String(length=80), nullable=False),
        sa.Column("village", sa.String(length=80), nullable=False),
        sa.Column("site_name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        _when("enrolled_at", nullable=True),
        _when("last_seen_at", nullable=True),
        sa.Column("enrol_code_hash", sa.String(length=64), nullable=True),
        _when("enrol_code_expires_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals")),
        sa.UniqueConstraint("enrol_code_hash", name=op.f("uq_terminals_enrol_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_terminals_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role = 'admin' OR expert_id IS NOT NULL", name=op.f("ck_accounts_lawyer_has_expert")
        ),
        sa.CheckConstraint("role IN ('lawyer', 'admin')", name=op.f("ck_accounts_role")),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_accounts_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("expert_id", name=op.f("uq_accounts_expert_id")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "duty_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        _when("starts_at", nullable=False),
        _when("ends_at", nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_duty_shifts_positive_span")),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_duty_shifts_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_shifts")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_duty_shifts_expert_span", "duty_shifts", ["expert_id", "starts_at", "ends_at"]
    )
    op.create_index(op.f("ix_duty_shifts_starts_at"), "duty_shifts", ["starts_at"])
    op.create_table(
        "expert_services",
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "service IN ('legal_consultation', 'legal_aid', 'duty_lawyer', 'village_adviser',"
            " 'mediation', 'legal_education')",
            name=op.f("ck_expert_services_service"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["experts.id"],
            name=op.f("fk_expert_services_expert_id_experts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("expert_id", "service", name=op.f("pk_expert_services")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        _when("expires_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_web_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index(op.f("ix_web_sessions_account_id"), "web_sessions", ["account_id"])
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])


def downgrade() -> None:
    for table in (
        "web_sessions",
        "expert_services",
        "duty_shifts",
        "accounts",
        "terminals",
        "login_throttle",
        "experts",
    ):
        # Dropping a table drops its indexes on both databases.
        op.drop_table(table)
