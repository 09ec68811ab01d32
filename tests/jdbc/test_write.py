"""The Jdbc sink's writer on the real databases: inserts, upserts, deletes, save modes, 2PC."""

from __future__ import annotations

import decimal
from typing import Any

import pyarrow as pa
import pytest

from app.engine.plugins.jdbc.connect import parse_url
from app.engine.plugins.jdbc.dialect import dialect_for
from app.engine.plugins.jdbc.write import (
    DELETE,
    INSERT,
    UPDATE_AFTER,
    UPDATE_BEFORE,
    JdbcWriter,
    SinkSpec,
    WriteError,
    apply_save_modes,
)
from app.engine.types import Field, Schema, SeaType
from tests.jdbc.databases import Db

SCHEMA = Schema(
    (
        Field("id", SeaType("int")),
        Field("name", SeaType("string")),
        Field("amount", SeaType("decimal", 10, 2)),
    )
)


def _data(*rows: tuple) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(
        [
            {
                "id": r[0],
                "name": r[1],
                "amount": decimal.Decimal(r[2]) if r[2] is not None else None,
            }
            for r in rows
        ],
        schema=pa.schema(
            [("id", pa.int32()), ("name", pa.string()), ("amount", pa.decimal128(10, 2))]
        ),
    )


def _writer(
    db: Db, keys: list[str] | None = None, exactly_once: bool = False, **spec: Any
) -> JdbcWriter:
    target = parse_url(db.url, db.driver, db.user, "" if db.dialect == "mysql" else None)
    dialect = dialect_for(target.dialect)
    apply_save_modes(
        target,
        dialect,
        "dest",
        SCHEMA,
        keys or [],
        "CREATE_SCHEMA_WHEN_NOT_EXIST",
        "APPEND_DATA",
        None,
    )
    options = {
        "table_ref": dialect.table_ref("dest"), "table_name": "dest", "columns": SCHEMA.names,
        "schema": SCHEMA, "keys": keys or [], "exactly_once": exactly_once, "table_path": "dest", **spec,
    }  # fmt: skip
    return JdbcWriter(target, dialect, SinkSpec(**options), xid_prefix="st_42")


def _table(db: Db) -> list[tuple]:
    rows = db.rows("SELECT id, name, amount FROM dest ORDER BY id")
    return [
        (
            r[0],
            r[1],
            None if r[2] is None else decimal.Decimal(str(r[2])).quantize(decimal.Decimal("0.01")),
        )
        for r in rows
    ]


def test_plain_insert_with_nulls_and_empty_strings(db: Db) -> None:
    writer = _writer(db)
    writer.write(_data((1, "a", "1.50"), (2, "", None), (3, None, "-2.25")))
    writer.prepare_commit()
    writer.close()
    D = decimal.Decimal
    assert _table(db) == [(1, "a", D("1.50")), (2, "", None), (3, None, D("-2.25"))]


def test_batch_size_flushes(db: Db) -> None:
    writer = _writer(db, batch_size=2)
    writer.write(_data((1, "a", "1"), (2, "b", "2")))
    assert len(_table(db)) == 2  # flushed and committed without a checkpoint
    writer.write(_data((3, "c", "3")))
    assert len(_table(db)) == 2
    writer.prepare_commit()
    writer.close()
    assert len(_table(db)) == 3


def test_upsert_and_delete_by_key(db: Db) -> None:
    writer = _writer(db, keys=["id"])
    writer.write(_data((1, "a", "1"), (2, "b", "2"), (3, "c", "3")))
    writer.prepare_commit()
    kinds = pa.array([UPDATE_BEFORE, UPDATE_AFTER, DELETE, INSERT, UPDATE_AFTER], pa.int8())
    writer.write(
        _data((1, "a", "1"), (1, "a2", "10"), (2, "b", "2"), (4, "d", "4"), (4, "d2", "5")), kinds
    )
    writer.prepare_commit()
    writer.close()
    D = decimal.Decimal
    assert _table(db) == [(1, "a2", D("10.00")), (3, "c", D("3.00")), (4, "d2", D("5.00"))]


def test_pk_not_updated(db: Db) -> None:
    writer = _writer(db, keys=["id"], pk_updated=False)
    writer.write(_data((1, "a", "1")))
    writer.write(_data((1, "b", "2")), pa.array([UPDATE_AFTER], pa.int8()))
    writer.prepare_commit()
    writer.close()
    assert _table(db) == [(1, "b", decimal.Decimal("2.00"))]


def test_enable_upsert_false_updates_update_after_rows(db: Db) -> None:
    writer = _writer(db, keys=["id"], enable_upsert=False)
    writer.write(_data((1, "a", "1"), (2, "b", "2")))
    writer.prepare_commit()
    writer.write(_data((1, "z", "9")), pa.array([UPDATE_AFTER], pa.int8()))
    writer.prepare_commit()
    writer.close()
    assert [r[1] for r in _table(db)] == ["z", "b"]


def test_insert_only_with_keys_fails_on_duplicates(db: Db) -> None:
    writer = _writer(db, keys=["id"], insert_only=True)
    writer.write(_data((1, "a", "1")))
    writer.prepare_commit()
    writer.write(_data((1, "b", "1")))
    with pytest.raises(WriteError) as info:
        writer.prepare_commit()
    assert str(info.value).startswith("writing to dest failed: ")
    writer.close()


def test_user_query_positional(db: Db) -> None:
    writer = _writer(db)
    writer.spec.query = "INSERT INTO dest (id, name, amount) VALUES (?, ?, ?)"
    writer.write(_data((7, "it's 100%", "1")))
    writer.prepare_commit()
    writer.close()
    assert _table(db)[0][:2] == (7, "it's 100%")


def test_save_modes(db: Db) -> None:
    target = parse_url(db.url, db.driver, db.user, "" if db.dialect == "mysql" else None)
    dialect = dialect_for(target.dialect)
    with pytest.raises(WriteError) as info:
        apply_save_modes(
            target, dialect, "dest", SCHEMA, [], "ERROR_WHEN_SCHEMA_NOT_EXIST", "APPEND_DATA", None
        )
    assert (
        str(info.value) == "schema_save_mode ERROR_WHEN_SCHEMA_NOT_EXIST: table dest does not exist"
    )
    apply_save_modes(
        target, dialect, "dest", SCHEMA, ["id"], "CREATE_SCHEMA_WHEN_NOT_EXIST", "APPEND_DATA", None
    )
    db.execute("INSERT INTO dest VALUES (1, 'a', 1)")
    with pytest.raises(WriteError) as info:
        apply_save_modes(
            target, dialect, "dest", SCHEMA, [], "IGNORE", "ERROR_WHEN_DATA_EXISTS", None
        )
    assert str(info.value) == "data_save_mode ERROR_WHEN_DATA_EXISTS: table dest has data"
    apply_save_modes(target, dialect, "dest", SCHEMA, [], "IGNORE", "CUSTOM_PROCESSING",
                     "INSERT INTO dest VALUES (2, 'b', 2)")  # fmt: skip
    assert len(_table(db)) == 2
    apply_save_modes(target, dialect, "dest", SCHEMA, [], "IGNORE", "DROP_DATA", None)
    assert _table(db) == []
    db.execute("INSERT INTO dest VALUES (1, 'a', 1)")
    apply_save_modes(target, dialect, "dest", SCHEMA, [], "RECREATE_SCHEMA", "APPEND_DATA", None)
    assert _table(db) == []


# -- two-phase commit ----------------------------------------------------------------------


@pytest.fixture(params=["pg2pc", "maria"])
def xadb(request: pytest.FixtureRequest) -> Db:
    """The databases with prepared transactions (the private PostgreSQL, MariaDB)."""
    return request.getfixturevalue(request.param)


def test_prepared_rows_invisible_until_commit(xadb: Db) -> None:
    writer = _writer(xadb, exactly_once=True)
    writer.write(_data((1, "a", "1")))
    prepared = writer.prepare_commit()
    assert prepared["xid"].startswith("st_42_")
    assert _table(xadb) == []
    writer.write(_data((2, "b", "2")))  # the next transaction
    writer.commit(prepared)
    writer.commit(prepared)  # idempotent
    assert [r[0] for r in _table(xadb)] == [1]
    second = writer.prepare_commit()
    writer.commit(second)
    writer.close()
    assert [r[0] for r in _table(xadb)] == [1, 2]


def test_restore_commits_stored_and_rolls_back_later_ones(xadb: Db) -> None:
    crashed = _writer(xadb, exactly_once=True)
    crashed.write(_data((1, "a", "1")))
    stored = crashed.prepare_commit()  # in the stored checkpoint, never committed
    crashed.write(_data((2, "b", "2")))
    later = crashed.prepare_commit()  # prepared after the stored checkpoint: must vanish
    crashed.close()  # the process died: prepared transactions outlive its connection
    assert stored and later
    other_job = _writer(xadb, exactly_once=True)
    other_job.xid_prefix = "st_43"
    other_job.write(_data((9, "z", "9")))
    foreign = other_job.prepare_commit()
    restored = _writer(xadb, exactly_once=True)
    restored.restore([stored])
    assert [r[0] for r in _table(xadb)] == [1]
    other_job.commit(foreign)
    assert [r[0] for r in _table(xadb)] == [1, 9]
    restored.close()
    other_job.close()


def test_abort_rolls_back(xadb: Db) -> None:
    writer = _writer(xadb, exactly_once=True, batch_size=1)
    writer.write(_data((1, "a", "1")))
    writer.abort()
    writer.close()
    assert _table(xadb) == []


def test_postgres_bulk_paths_fit_the_target_types(pg: Db) -> None:
    """Binary COPY (ADBC) when the target's types match Arrow's, CSV COPY when they do not
    (a jsonb column, an int going into bigint is cast, a target column with a default)."""
    target = parse_url(pg.url, pg.driver, pg.user)
    dialect = dialect_for(target.dialect)
    pg.execute(
        "CREATE TABLE binary_ok (id bigint, name varchar(10), amount numeric(10,2), extra int DEFAULT 7)",
        "CREATE TABLE needs_text (id int, name jsonb, amount numeric(10,2))",
    )
    for table, ingest in (("binary_ok", True), ("needs_text", False)):
        spec = SinkSpec(dialect.table_ref(table), table, SCHEMA.names, SCHEMA, table_path=table)
        writer = JdbcWriter(target, dialect, spec)
        writer.write(_data((1, '"a"', "1.5"), (2, None, None)))
        writer.prepare_commit()
        assert bool(writer._ingest) is ingest
        writer.close()
    assert pg.rows("SELECT id, name, amount, extra FROM binary_ok ORDER BY id") == [
        (1, '"a"', decimal.Decimal("1.50"), 7),
        (2, None, None, 7),
    ]
    assert pg.rows("SELECT id, name::text FROM needs_text ORDER BY id") == [(1, '"a"'), (2, None)]
