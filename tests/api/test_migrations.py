"""The Alembic migrations build exactly the schema the ORM describes, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from kiosk.hub.db import downgrade, make_engine, migrate
from kiosk.hub.tables import AvailabilityChangeRow, Base, ExpertRow


def test_migrations_match_the_orm_and_go_both_ways(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        migrate(engine)
        migrate(engine)  # at head already: nothing to do, nothing fails
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        assert set(inspect(engine).get_table_names()) == {
            *Base.metadata.tables,
            "alembic_version",
        }
        if engine.dialect.name == "sqlite":
            _assert_ids_are_never_reused(engine)
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        migrate(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/wal.sqlite3")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def _assert_ids_are_never_reused(engine: Engine) -> None:
    """`sqlite_autoincrement` is invisible to compare_metadata, so check the DDL itself."""
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.dialect_options["sqlite"]["autoincrement"]:
                ddl = connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = ?", (table.name,)
                ).scalar()
                assert "AUTOINCREMENT" in str(ddl), table.name


def test_the_availability_log_starts_from_each_experts_present_state(empty_db_url: str) -> None:
    """Revision 0003 writes one line per live expert, so time available before it is not lost."""
    engine = make_engine(empty_db_url)
    try:
        migrate(engine, "0002")
        with Session(engine) as db:
            db.add_all(
                [
                    ExpertRow(
                        name="张伟",
                        expert_group="lawyer",
                        organisation="",
                        availability="available",
                    ),
                    ExpertRow(
                        name="王丽",
                        expert_group="lawyer",
                        organisation="",
                        availability="away",
                        deleted_at=datetime.now(UTC),
                    ),
                    ExpertRow(
                        name="李明", expert_group="notary", organisation="", availability="away"
                    ),
                ]
            )
            db.commit()
        before = datetime.now(UTC)
        migrate(engine)
        with Session(engine) as db:
            log = db.scalars(select(AvailabilityChangeRow).order_by(AvailabilityChangeRow.id)).all()
            names = {e.id: e.name for e in db.scalars(select(ExpertRow))}
        assert [(names[r.expert_id], r.availability) for r in log] == [
            ("张伟", "available"),
            ("李明", "away"),
        ]
        assert all(before - timedelta(seconds=1) <= r.at <= datetime.now(UTC) for r in log)
    finally:
        engine.dispose()
