"""Database column types -> SeaTunnel types (reference-connectors §3.4), and back for CREATE TABLE.

Pure functions over type names from each database's catalog, so jobDag can show real schemas at
plan time and the reader knows the Arrow type of every column before the first row arrives.
"""

from __future__ import annotations

import re

from app.engine.types import SeaType

BOOLEAN = SeaType("boolean")
TINYINT = SeaType("tinyint")
SMALLINT = SeaType("smallint")
INT = SeaType("int")
BIGINT = SeaType("bigint")
FLOAT = SeaType("float")
DOUBLE = SeaType("double")
STRING = SeaType("string")
BYTES = SeaType("bytes")
DATE = SeaType("date")
TIME = SeaType("time")
TIMESTAMP = SeaType("timestamp")
WIDE_DECIMAL = SeaType("decimal", 38, 18)

_PG_SIMPLE = {
    "bool": BOOLEAN,
    "boolean": BOOLEAN,
    "int2": SMALLINT,
    "smallint": SMALLINT,
    "smallserial": SMALLINT,
    "int4": INT,
    "integer": INT,
    "serial": INT,
    "int8": BIGINT,
    "bigint": BIGINT,
    "bigserial": BIGINT,
    "float4": FLOAT,
    "real": FLOAT,
    "float8": DOUBLE,
    "double precision": DOUBLE,
    "date": DATE,
    "bytea": BYTES,
    "time": TIME,
    "timetz": TIME,
    "time without time zone": TIME,
    "time with time zone": TIME,
    "timestamp": TIMESTAMP,
    "timestamptz": TIMESTAMP,
    "timestamp without time zone": TIMESTAMP,
    "timestamp with time zone": TIMESTAMP,
}
_PARAMS = re.compile(r"\(([^)]*)\)")


def decimal(precision: int | None, scale: int | None) -> SeaType:
    """DECIMAL(p,s), or DECIMAL(38,18) when unconstrained or wider than Arrow's decimal128."""
    if not precision or precision > 38:
        return WIDE_DECIMAL
    scale = max(0, min(scale or 0, precision))
    return SeaType("decimal", precision, scale)


def pg_type(name: str, precision: int | None = None, scale: int | None = None) -> SeaType:
    """A PostgreSQL type (pg_type.typname or format_type text, arrays as `_x` or `x[]`)."""
    text = name.strip().lower()
    if text.startswith("_"):
        return SeaType("array", element=pg_type(text[1:]))
    if text.endswith("[]"):
        return SeaType("array", element=pg_type(text[:-2]))
    base = _PARAMS.sub("", text).strip()
    base = re.sub(r"\s+", " ", base)
    if base in ("numeric", "decimal"):
        found = _PARAMS.search(text)
        if found and precision is None:
            parts = [p.strip() for p in found.group(1).split(",")]
            precision = int(parts[0])
            scale = int(parts[1]) if len(parts) > 1 else 0
        return decimal(precision, scale)
    if base.startswith("time") and "zone" not in base and base not in _PG_SIMPLE:
        base = base.split(" ")[0]
    return _PG_SIMPLE.get(base, STRING)


def mysql_type(column_type: str) -> SeaType:
    """A MySQL/MariaDB COLUMN_TYPE such as `int(10) unsigned`, `tinyint(1)`, `decimal(12,2)`."""
    text = column_type.strip().lower()
    unsigned = "unsigned" in text
    base = text.split("(")[0].split(" ")[0]
    found = _PARAMS.search(text)
    args = [a.strip() for a in found.group(1).split(",")] if found else []
    if base == "bit":
        return BOOLEAN if args in ([], ["1"]) else BYTES
    if base == "tinyint":
        if args == ["1"]:
            return BOOLEAN
        return SMALLINT if unsigned else TINYINT
    if base in ("bool", "boolean"):
        return BOOLEAN
    if base == "smallint":
        return INT if unsigned else SMALLINT
    if base in ("mediumint", "year"):
        return INT
    if base in ("int", "integer"):
        return BIGINT if unsigned else INT
    if base == "bigint":
        return SeaType("decimal", 20, 0) if unsigned else BIGINT
    if base in ("decimal", "numeric", "dec", "fixed"):
        precision = int(args[0]) if args and args[0].isdigit() else 10
        scale = int(args[1]) if len(args) > 1 and args[1].isdigit() else 0
        if unsigned and precision < 38:
            precision += 1
        return decimal(precision, scale)
    if base == "float":
        return FLOAT
    if base in ("double", "real"):
        return DOUBLE
    if base == "date":
        return DATE
    if base == "time":
        return TIME
    if base in ("datetime", "timestamp"):
        return TIMESTAMP
    if base in (
        "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary", "geometry",
        "point", "linestring", "polygon",
    ):  # fmt: skip
        return BYTES
    return STRING  # char, varchar, *text, json, enum, set


_SQLITE = (
    (("bit", "boolean"), BOOLEAN),
    (("tinyint", "smallint"), SMALLINT),
    (("mediumint", "int", "integer"), INT),
    (("bigint", "int unsigned", "numeric"), BIGINT),
    (("decimal", "double", "real"), DOUBLE),
    (("float",), FLOAT),
    (("blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary"), BYTES),
)


def sqlite_type(declared: str) -> SeaType | None:
    """A SQLite declared type by name (None for an empty declaration: decide from the values)."""
    text = re.sub(r"\s+", " ", _PARAMS.sub("", declared.strip().lower())).strip()
    if not text:
        return None
    for names, sea in _SQLITE:
        if text in names:
            return sea
    return STRING  # text types, DATE, TIME, DATETIME, TIMESTAMP, anything else


# -- sink side: CREATE TABLE column types ----------------------------------------------------


def ddl_type(dialect: str, sea: SeaType) -> str:
    """The column type a sink creates for a SeaTunnel type in `dialect`."""
    name = sea.name
    if name == "decimal":
        return f"DECIMAL({sea.precision},{sea.scale})"
    if dialect == "postgresql":
        if name == "array":
            return ddl_type(dialect, sea.element) + "[]"  # type: ignore[arg-type]
        return {
            "boolean": "BOOLEAN",
            "tinyint": "SMALLINT",
            "smallint": "SMALLINT",
            "int": "INTEGER",
            "bigint": "BIGINT",
            "float": "REAL",
            "double": "DOUBLE PRECISION",
            "bytes": "BYTEA",
            "date": "DATE",
            "time": "TIME",
            "timestamp": "TIMESTAMP",
        }.get(name, "TEXT")
    if dialect == "mysql":
        return {
            "boolean": "TINYINT(1)",
            "tinyint": "TINYINT",
            "smallint": "SMALLINT",
            "int": "INT",
            "bigint": "BIGINT",
            "float": "FLOAT",
            "double": "DOUBLE",
            "bytes": "LONGBLOB",
            "date": "DATE",
            "time": "TIME(6)",
            "timestamp": "DATETIME(6)",
        }.get(name, "LONGTEXT")
    return {
        "boolean": "BOOLEAN",
        "tinyint": "TINYINT",
        "smallint": "SMALLINT",
        "int": "INTEGER",
        "bigint": "BIGINT",
        "float": "FLOAT",
        "double": "DOUBLE",
        "bytes": "BLOB",
        "date": "DATE",
        "time": "TIME",
        "timestamp": "TIMESTAMP",
    }.get(name, "TEXT")


def mysql_key_type(sea: SeaType) -> str:
    """MySQL cannot index LONGTEXT without a length: key columns get a VARCHAR instead."""
    if sea.name == "string":
        return "VARCHAR(255)"
    if sea.name == "bytes":
        return "VARBINARY(255)"
    return ddl_type("mysql", sea)
