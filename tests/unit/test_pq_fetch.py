"""The hot one-row reads through libpq (PostgreSQL only): the same rows as psycopg's cursor,
types and NULLs included, a fallback for what it does not handle, and a reconnect after the
server dropped the connection."""

from __future__ import annotations

import threading

import psycopg
import pytest

from app.models.db import Database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")


@pytest.fixture
def db():
    handle = Database(PG_URL)
    with handle.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE pq_probe (id BIGINT PRIMARY KEY, small INT, name TEXT, label VARCHAR(20),"
            " flag BOOLEAN, ratio DOUBLE PRECISION)"
        )
        conn.exec_driver_sql(
            "INSERT INTO pq_probe VALUES (9000000000000000001, 7, 'é ✓', 'x', true, 0.5),"
            " (2, NULL, NULL, NULL, false, NULL)"
        )
    yield handle
    with handle.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE pq_probe")
    handle.dispose()


def _cursor_row(db: Database, sql: str, params: tuple):
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(sql.replace("?", "%s"), params).first()


def test_rows_match_the_cursor(db: Database) -> None:
    sql = "SELECT id, small, name, label, flag FROM pq_probe WHERE id = ?"
    for key in (9000000000000000001, 2):
        row = db.fetch_one(sql, (key,))
        assert row == tuple(_cursor_row(db, sql, (key,)))
        assert db.fetch_one(sql, (key,)) == row  # the prepared statement, again
    assert db.fetch_one(sql, (3,)) is None
    assert db.fetch_one("SELECT 1 FROM pq_probe WHERE name = ? LIMIT 1", ("é ✓",)) == (1,)


def test_other_types_go_through_the_cursor(db: Database) -> None:
    assert db.fetch_one("SELECT ratio FROM pq_probe WHERE id = ?", (2,)) == (None,)
    assert db.fetch_one("SELECT ratio FROM pq_probe WHERE id = ?", (9000000000000000001,)) == (0.5,)
    assert db.fetch_one("SELECT id FROM pq_probe WHERE flag = ?", (True,)) == (9000000000000000001,)
    with pytest.raises(psycopg.errors.UndefinedColumn):  # the cursor's own error
        db.fetch_one("SELECT no_such_column FROM pq_probe WHERE id = ?", (2,))
    assert db.fetch_one("SELECT small FROM pq_probe WHERE id = ?", (9000000000000000001,)) == (7,)


def test_a_dropped_connection_is_replaced(db: Database) -> None:
    sql = "SELECT small FROM pq_probe WHERE id = ?"
    assert db.fetch_one(sql, (9000000000000000001,)) == (7,)
    pid = db.fetch_one("SELECT pg_backend_pid() WHERE 1 = ?", (1,))[0]
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    assert db.fetch_one(sql, (9000000000000000001,)) == (7,)


def test_a_nul_in_a_parameter_is_the_cursor_s_error(db: Database) -> None:
    with pytest.raises(psycopg.DataError):
        db.fetch_one("SELECT id FROM pq_probe WHERE name = ?", ("a\x00b",))
    assert db.fetch_one("SELECT id FROM pq_probe WHERE name = ?", ("é ✓",)) == (
        9000000000000000001,
    )


def test_lookups_by_id_from_many_threads_match_single_reads(db: Database) -> None:
    sql = "SELECT id, small, name, flag FROM pq_probe WHERE id = ?"
    keys = [9000000000000000001, 2, 3] * 40
    expected = {key: db.fetch_one(sql, (key,)) for key in set(keys)}
    assert expected[3] is None
    start = threading.Barrier(8)
    wrong: list = []

    def poll(offset: int) -> None:
        start.wait()
        for key in keys[offset:] + keys[:offset]:
            row = db.fetch_by_id(sql, key)
            if row != expected[key]:
                wrong.append((key, row))

    threads = [threading.Thread(target=poll, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    # a column libpq's path leaves to the cursor (double): read by the cursor, batched the same
    assert db.fetch_by_id("SELECT id, ratio FROM pq_probe WHERE id = ?", 9000000000000000001) == (
        9000000000000000001,
        0.5,
    )
    assert db.fetch_by_id("SELECT id, ratio FROM pq_probe WHERE id = ?", 3) is None
