"""Fixtures of the Jdbc connector tests (see tests/jdbc/databases.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jdbc.databases import (
    Db,
    PrivatePostgres,
    mariadb_db,
    postgres_db,
    sqlite_db,
    start_private_postgres,
)


@pytest.fixture
def pg() -> Iterator[Db]:
    """A fresh PostgreSQL database."""
    yield from postgres_db()


@pytest.fixture
def maria() -> Iterator[Db]:
    """A fresh MariaDB database."""
    yield from mariadb_db()


@pytest.fixture
def lite(tmp_path: Path) -> Db:
    """A SQLite database file."""
    return sqlite_db(str(tmp_path))


@pytest.fixture(params=["pg", "maria", "lite"])
def db(request: pytest.FixtureRequest) -> Db:
    """Each of the three databases in turn."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def private_pg() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL server with max_prepared_transactions=10 (for 2PC)."""
    yield from start_private_postgres()


@pytest.fixture
def pg2pc(private_pg: PrivatePostgres) -> Iterator[Db]:
    """A fresh database on the private server."""
    yield from postgres_db(private_pg.port)
