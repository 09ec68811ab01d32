"""Type names -> SeaTunnel types (reference §3.4) and the generated SQL, without a database."""

from __future__ import annotations

import pytest

from app.engine.plugins.jdbc.dialect import dialect_for
from app.engine.plugins.jdbc.types import ddl_type, mysql_type, pg_type, sqlite_type
from app.engine.plugins.jdbc.write import SinkSpec, Statements, positional_sql
from app.engine.types import Field, Schema, SeaType, parse_type


@pytest.mark.parametrize(
    ("native", "sea"),
    [
        ("numeric(40,5)", "DECIMAL(38, 18)"), ("numeric", "DECIMAL(38, 18)"),
        ("numeric(5,0)", "DECIMAL(5, 0)"), ("_int8", "ARRAY<BIGINT>"), ("text[]", "ARRAY<STRING>"),
        ("time(3) without time zone", "TIME"), ("timestamp(6) with time zone", "TIMESTAMP"),
        ("uuid", "STRING"), ("interval", "STRING"), ("smallserial", "SMALLINT"),
    ],
)  # fmt: skip
def test_postgres(native: str, sea: str) -> None:
    assert pg_type(native).display() == sea


@pytest.mark.parametrize(
    ("native", "sea"),
    [
        ("bit(1)", "BOOLEAN"), ("bit(8)", "BYTES"), ("tinyint(1)", "BOOLEAN"),
        ("tinyint(4) unsigned", "SMALLINT"), ("mediumint(8) unsigned", "INT"),
        ("decimal(10,2) unsigned", "DECIMAL(11, 2)"), ("decimal(65,30)", "DECIMAL(38, 18)"),
        ("year(4)", "INT"), ("longtext", "STRING"), ("set('a','b')", "STRING"),
        ("geometry", "BYTES"), ("datetime(3)", "TIMESTAMP"),
    ],
)  # fmt: skip
def test_mysql(native: str, sea: str) -> None:
    assert mysql_type(native).display() == sea


def test_sqlite() -> None:
    assert [sqlite_type(t).display() for t in ("BOOLEAN", "TINYINT", "NUMERIC", "REAL", "DATETIME", "VARCHAR(9)")] == [
        "BOOLEAN", "SMALLINT", "BIGINT", "DOUBLE", "STRING", "STRING",
    ]  # fmt: skip
    assert sqlite_type("") is None  # decided from the values


def test_ddl_types() -> None:
    array = SeaType("array", element=SeaType("int"))
    assert ddl_type("postgresql", array) == "INTEGER[]"
    assert ddl_type("mysql", SeaType("timestamp")) == "DATETIME(6)"
    assert ddl_type("sqlite", parse_type("decimal(10,2)")) == "DECIMAL(10,2)"


def test_positional_placeholders() -> None:
    sql = "INSERT INTO t VALUES (?, '?', \"a?\", ?) -- 100%"
    assert positional_sql(sql, "format") == "INSERT INTO t VALUES (%s, '?', \"a?\", %s) -- 100%%"
    assert positional_sql(sql, "qmark") == sql


def _statements(dialect: str, **spec: object) -> Statements:
    schema = Schema((Field("id", SeaType("int")), Field("v", SeaType("string"))))
    d = dialect_for(dialect)
    options = {"table_ref": d.table_ref("db.t"), "table_name": "t", "columns": ["id", "v"],
               "schema": schema, "keys": ["id"], **spec}  # fmt: skip
    return Statements(d, SinkSpec(**options))  # type: ignore[arg-type]


def test_upsert_statements() -> None:
    assert _statements("postgresql").upsert() == (
        'INSERT INTO "db"."t" ("id", "v") VALUES (%s, %s) '
        'ON CONFLICT ("id") DO UPDATE SET "v"=excluded."v"'
    )
    assert _statements("mysql").upsert() == (
        "INSERT INTO `db`.`t` (`id`, `v`) VALUES (%s, %s) ON DUPLICATE KEY UPDATE `v`=VALUES(`v`)"
    )
    assert _statements("sqlite").upsert() == (
        'INSERT INTO "t" ("id", "v") VALUES (?, ?) ON CONFLICT ("id") DO UPDATE SET "v"=excluded."v"'
    )
    assert (
        _statements("mysql", pk_updated=False).update()
        == "UPDATE `db`.`t` SET `v`=%s WHERE `id`=%s"
    )
    assert _statements("mysql").update() == "UPDATE `db`.`t` SET `id`=%s, `v`=%s WHERE `id`=%s"
    assert _statements("sqlite").delete() == 'DELETE FROM "t" WHERE "id"=?'
