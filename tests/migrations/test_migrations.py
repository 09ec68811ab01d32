"""The models and the alembic revisions agree, and the migration runs on an empty database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from app.migrate import alembic_config, upgrade
from app.models import Base


def test_models_match_migrations(database_url: str) -> None:
    command.check(alembic_config(database_url))  # raises if autogenerate would emit anything


def test_upgrade_is_idempotent_and_creates_every_table(database_url: str) -> None:
    upgrade(database_url)
    engine = sa.create_engine(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_fresh_sqlite_file_in_a_new_directory(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'seatunnel.db'}"
    upgrade(url)
    assert (tmp_path / "var" / "nested" / "seatunnel.db").exists()


def test_0004_stores_pending_tag_filters_in_canonical_form(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0003")
    engine = sa.create_engine(url)
    columns = "id, name, status, mode, config, dag, env_options, start_with_savepoint, create_ms"
    try:
        with engine.begin() as conn:
            for job_id, status, tags in (
                (1, "PENDING", '{"zone": "a", "rack": 7}'),
                (2, "FINISHED", '{"zone": "a", "rack": 7}'),
                (3, "PENDING", "[1, 2]"),
            ):
                conn.exec_driver_sql(
                    f"INSERT INTO jobs ({columns}, tag_filter) VALUES "
                    f"({job_id}, 'j', '{status}', 'BATCH', '{{}}', '{{}}', '{{}}', 0, 1, '{tags}')"
                )
        upgrade(url)
        with engine.connect() as conn:
            rows = dict(conn.exec_driver_sql("SELECT id, tag_filter FROM jobs").all())
    finally:
        engine.dispose()
    assert rows == {1: '{"rack":"7","zone":"a"}', 2: '{"zone": "a", "rack": 7}', 3: None}
