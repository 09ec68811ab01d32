"""Catalog -> SeaTunnel types (reference §3.4) and bulk reads into Arrow, on the real databases."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pyarrow as pa

from app.engine.arrow_types import arrow_schema
from app.engine.plugins.jdbc.connect import Target, connect, parse_url
from app.engine.plugins.jdbc.dialect import Dialect, TableMeta, dialect_for
from app.engine.plugins.jdbc.read import BatchReader
from app.engine.plugins.jdbc.split import SplitOptions, plan_splits, resume_sql
from app.engine.types import Field, Schema
from tests.jdbc.databases import Db


def _meta(db: Db, path: str) -> tuple[Target, Dialect, TableMeta]:
    target = parse_url(db.url, db.driver, db.user, "" if db.dialect == "mysql" else None)
    dialect = dialect_for(target.dialect)
    conn = connect(target)
    try:
        return target, dialect, dialect.table_meta(conn, path)
    finally:
        conn.close()


def _read_all(db: Db, path: str, **split_options: Any) -> tuple[list, pa.Table]:
    target, dialect, meta = _meta(db, path)
    conn = connect(target)
    try:
        splits = plan_splits(
            conn, dialect, meta.path, meta, meta.columns, SplitOptions(**split_options)
        )
    finally:
        conn.close()
    schema = arrow_schema(Schema(tuple(Field(c.name, c.type) for c in meta.columns)))
    reader = BatchReader(target)
    batches = [
        b
        for s in splits
        for b in reader.batches(resume_sql(dialect, s, meta.columns, None), schema)
    ]
    reader.close()
    return splits, pa.Table.from_batches(batches, schema)


def test_postgres_types(pg: Db) -> None:
    pg.execute(
        "CREATE TABLE t (id int PRIMARY KEY, sm int2, bi int8, f4 real, f8 float8, "
        "n numeric(12,2), nu numeric, b bool, s varchar(10), tx text, j jsonb, u uuid, "
        "d date, tm time, tmz timetz, ts timestamp, tsz timestamptz, by bytea, ai int[], at text[])",
        "INSERT INTO t VALUES (1, 2, 3, 1.5, 2.5, 12.34, 1.5, true, 'x', 'long', '{\"a\": 1}', "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-02', '03:04:05', '03:04:05+00', "
        "'2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+00', '\\x0102', '{1,2}', '{a,b}')",
        "INSERT INTO t (id) VALUES (2)",
    )
    _, _, meta = _meta(pg, "public.t")
    assert meta.path == f"{pg.name}.public.t"
    assert meta.primary_key == ["id"]
    assert [f"{c.name}:{c.type.display()}" for c in meta.columns] == [
        "id:INT", "sm:SMALLINT", "bi:BIGINT", "f4:FLOAT", "f8:DOUBLE", "n:DECIMAL(12, 2)",
        "nu:DECIMAL(38, 18)", "b:BOOLEAN", "s:STRING", "tx:STRING", "j:STRING", "u:STRING",
        "d:DATE", "tm:TIME", "tmz:TIME", "ts:TIMESTAMP", "tsz:TIMESTAMP", "by:BYTES",
        "ai:ARRAY<INT>", "at:ARRAY<STRING>",
    ]  # fmt: skip
    _, table = _read_all(pg, "t")
    row = table.sort_by("id").to_pylist()[0]
    assert row == {
        "id": 1, "sm": 2, "bi": 3, "f4": 1.5, "f8": 2.5, "n": decimal.Decimal("12.34"),
        "nu": decimal.Decimal("1.500000000000000000"), "b": True, "s": "x", "tx": "long",
        "j": '{"a": 1}', "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "d": dt.date(2024, 1, 2),
        "tm": dt.time(3, 4, 5), "tmz": dt.time(3, 4, 5),
        "ts": dt.datetime(2024, 1, 2, 3, 4, 5, 123456), "tsz": dt.datetime(2024, 1, 2, 3, 4, 5),
        "by": b"\x01\x02", "ai": [1, 2], "at": ["a", "b"],
    }  # fmt: skip
    assert table.num_rows == 2


def test_mariadb_types(maria: Db) -> None:
    maria.execute(
        "CREATE TABLE t (id int PRIMARY KEY, b1 tinyint(1), ti tinyint, tu tinyint unsigned, "
        "su smallint unsigned, mi mediumint, iu int unsigned, bu bigint unsigned, "
        "n decimal(12,2), w decimal(40,20), f float, d double, s varchar(5), tx text, j json, "
        "e enum('a','b'), dt date, tm time, dtm datetime(6), ts timestamp NULL, bl blob, "
        "vb varbinary(4), yr year)",
        "INSERT INTO t VALUES (1, 1, -3, 200, 60000, 5, 4000000000, 18446744073709551615, 12.34, "
        "1.5, 1.5, 2.5, 'x', 'long', '{\"a\": 1}', 'b', '2024-01-02', '03:04:05', "
        "'2024-01-02 03:04:05.123456', '2024-01-02 03:04:05', x'0102', x'03', 2024)",
    )
    _, _, meta = _meta(maria, "t")
    assert meta.path == f"{maria.name}.t"
    assert [f"{c.name}:{c.type.display()}" for c in meta.columns] == [
        "id:INT", "b1:BOOLEAN", "ti:TINYINT", "tu:SMALLINT", "su:INT", "mi:INT", "iu:BIGINT",
        "bu:DECIMAL(20, 0)", "n:DECIMAL(12, 2)", "w:DECIMAL(38, 18)", "f:FLOAT", "d:DOUBLE",
        "s:STRING", "tx:STRING", "j:STRING", "e:STRING", "dt:DATE", "tm:TIME",
        "dtm:TIMESTAMP", "ts:TIMESTAMP", "bl:BYTES", "vb:BYTES", "yr:INT",
    ]  # fmt: skip
    _, table = _read_all(maria, "t")
    assert table.to_pylist() == [{
        "id": 1, "b1": True, "ti": -3, "tu": 200, "su": 60000, "mi": 5, "iu": 4000000000,
        "bu": decimal.Decimal("18446744073709551615"), "n": decimal.Decimal("12.34"),
        "w": decimal.Decimal("1.500000000000000000"), "f": 1.5, "d": 2.5, "s": "x",
        "tx": "long", "j": '{"a": 1}', "e": "b", "dt": dt.date(2024, 1, 2),
        "tm": dt.time(3, 4, 5), "dtm": dt.datetime(2024, 1, 2, 3, 4, 5, 123456),
        "ts": dt.datetime(2024, 1, 2, 3, 4, 5), "bl": b"\x01\x02", "vb": b"\x03", "yr": 2024,
    }]  # fmt: skip


def test_sqlite_types(lite: Db) -> None:
    lite.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, b BOOLEAN, s SMALLINT, bi BIGINT, d DOUBLE, "
        "f FLOAT, n DECIMAL(10,2), tx VARCHAR(10), dt DATE, ts TIMESTAMP, bl BLOB)",
        "INSERT INTO t VALUES (1, 1, 2, 3, 1.5, 2.5, 3.25, 'x', '2024-01-02', "
        "'2024-01-02 03:04:05', x'0102')",
    )
    _, _, meta = _meta(lite, "t")
    assert [f"{c.name}:{c.type.display()}" for c in meta.columns] == [
        "id:INT", "b:BOOLEAN", "s:SMALLINT", "bi:BIGINT", "d:DOUBLE", "f:FLOAT", "n:DOUBLE",
        "tx:STRING", "dt:STRING", "ts:STRING", "bl:BYTES",
    ]  # fmt: skip
    _, table = _read_all(lite, "t")
    assert table.to_pylist() == [{
        "id": 1, "b": True, "s": 2, "bi": 3, "d": 1.5, "f": 2.5, "n": 3.25, "tx": "x",
        "dt": "2024-01-02", "ts": "2024-01-02 03:04:05", "bl": b"\x01\x02",
    }]  # fmt: skip


def test_query_columns(db: Db) -> None:
    db.execute("CREATE TABLE q (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(10,2))")
    target, dialect, _ = _meta(db, "q")
    conn = connect(target)
    try:
        columns = dialect.query_columns(conn, "SELECT id, name, amount FROM q WHERE id > 0")
    finally:
        conn.close()
    amount = "DOUBLE" if db.dialect == "sqlite" else "DECIMAL(10, 2)"
    assert [f"{c.name}:{c.type.display()}" for c in columns] == [
        "id:INT",
        "name:STRING",
        f"amount:{amount}",
    ]
