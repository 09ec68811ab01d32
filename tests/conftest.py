"""Fixtures: a migrated database (SQLite file, or PostgreSQL via SEATUNNEL_TEST_DATABASE_URL), app, client."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import Settings
from app.migrate import upgrade
from app.models import Base
from tests.helpers import truncate_all

PG_URL = os.environ.get("SEATUNNEL_TEST_DATABASE_URL")


def _reset_postgres(url: str) -> None:
    """Start the run from an empty schema so the migration itself is exercised."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database every test of this run uses, migrated to head once."""
    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'seatunnel.db'}"
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of one test: its own log dir, a clean database, fast polling."""
    truncate_all(database_url)
    return Settings(
        database_url=database_url,
        log_dir=str(tmp_path / "logs"),
        slots=2,
        poll_interval_ms=50,
        port=18080,
    )


@pytest.fixture
def app(settings: Settings):
    """The app under test, with its executor running; stopped at teardown."""
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    state = application.extensions["seatunnel"]
    if state.executor is not None:
        state.executor.stop()
    state.db.dispose()


@pytest.fixture
def client(app):
    """Flask test client."""
    return app.test_client()
