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


def test_fresh_sqlite_file_in_a_new_directory(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'seatunnel.db'}"
    upgrade(url)
    assert (tmp_path / "var" / "nested" / "seatunnel.db").exists()
