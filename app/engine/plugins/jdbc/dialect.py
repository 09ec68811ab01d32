"""Per-database SQL: identifier quoting, table paths, literals and catalog lookups (columns, keys).

One `Dialect` per database family; the source and the sink build every statement through it, so
quoting and catalog differences live in one place.
"""

from __future__ import annotations

import datetime as dt
import decimal as dec
from dataclasses import dataclass, field
from typing import Any

from app.engine.plugins.jdbc import types as T
from app.engine.plugins.jdbc.connect import MYSQL, POSTGRESQL, SQLITE
from app.engine.types import SeaType


class CatalogError(ValueError):
    """A table or query the database does not know, or a column type we cannot read."""


@dataclass(frozen=True)
class Column:
    """One column: name, SeaTunnel type, the database's own type name."""

    name: str
    type: SeaType
    native: str = ""


@dataclass
class TableMeta:
    """A table's normalized path, columns, primary key and unique keys (lists of column names)."""

    path: str
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)
    unique_keys: list[list[str]] = field(default_factory=list)


class Dialect:
    """Base: the SQL-92 bits; subclasses fill in quoting, catalogs and upserts."""

    name = ""
    quote_char = '"'

    def quote(self, ident: str) -> str:
        """A quoted identifier."""
        q = self.quote_char
        return q + ident.replace(q, q + q) + q

    def split_path(self, path: str) -> list[str]:
        """Table path parts; dots inside quotes are kept."""
        parts, current, quoted = [], "", ""
        for ch in path.strip():
            if quoted:
                if ch == quoted:
                    quoted = ""
                else:
                    current += ch
            elif ch in '"`':
                quoted = ch
            elif ch == ".":
                parts.append(current)
                current = ""
            else:
                current += ch
        parts.append(current)
        if any(not p.strip() for p in parts) or not 1 <= len(parts) <= 3:
            raise CatalogError(f"table path {path!r} is not of the form [database.][schema.]table")
        return [p.strip() for p in parts]

    def table_ref(self, path: str) -> str:
        """The quoted, qualified table name of a table path."""
        return ".".join(self.quote(p) for p in self.split_path(path))

    def literal(self, value: Any) -> str:
        """A SQL literal for a split bound (ints, floats, decimals, strings, dates)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, dec.Decimal):
            return format(value, "f")
        if isinstance(value, dt.datetime):
            return "'" + value.isoformat(sep=" ") + "'"
        if isinstance(value, (dt.date, dt.time)):
            return "'" + value.isoformat() + "'"
        return "'" + str(value).replace("'", "''") + "'"

    def hash_mod(self, expr: str, num: int) -> str:
        """An expression in [0, num) that spreads string keys (fixed splitter)."""
        raise NotImplementedError

    def read_expr(self, column: Column) -> str:
        """The SELECT expression that reads `column` in a form the Arrow reader converts well."""
        return self.quote(column.name)

    # -- catalog ------------------------------------------------------------------------
    def table_meta(self, conn: Any, path: str) -> TableMeta:
        """Columns and keys of a table (CatalogError when it does not exist)."""
        raise NotImplementedError

    def query_columns(self, conn: Any, query: str) -> list[Column]:
        """Output columns of a SELECT, from the driver's result metadata."""
        raise NotImplementedError

    def approx_rows(self, conn: Any, path: str | None, base_sql: str) -> int:
        """A cheap row count estimate (exact count where the catalog has none)."""
        return int(_scalar(conn, f"SELECT COUNT(*) FROM ({base_sql}) st_count") or 0)

    def table_exists(self, conn: Any, path: str) -> bool:
        """Whether the table exists."""
        try:
            self.table_meta(conn, path)
        except CatalogError:
            return False
        return True


def _scalar(conn: Any, sql: str, params: Any = None) -> Any:
    cur = conn.cursor()
    try:
        cur.execute(sql, params) if params is not None else cur.execute(sql)
        row = cur.fetchone()
    finally:
        cur.close()
    return row[0] if row else None


def _rows(conn: Any, sql: str, params: Any = None) -> list:
    cur = conn.cursor()
    try:
        cur.execute(sql, params) if params is not None else cur.execute(sql)
        return list(cur.fetchall())
    finally:
        cur.close()


class Postgres(Dialect):
    """PostgreSQL: `db.schema.table` paths (schema `public` by default), ADBC/COPY for bulk."""

    name = POSTGRESQL

    def normalize(self, path: str, database: str) -> tuple[str, str, str]:
        """(database, schema, table) of a path; `schema.table` and `table` use the URL database."""
        parts = self.split_path(path)
        if len(parts) == 3:
            return parts[0], parts[1], parts[2]
        if len(parts) == 2:
            return database, parts[0], parts[1]
        return database, "public", parts[0]

    def table_ref(self, path: str) -> str:
        """`schema`.`table` (the database is the connection's)."""
        parts = self.split_path(path)
        if len(parts) == 3:
            parts = parts[1:]
        elif len(parts) == 1:
            parts = ["public", parts[0]]
        return ".".join(self.quote(p) for p in parts)

    def hash_mod(self, expr: str, num: int) -> str:
        """PostgreSQL's hashtext."""
        return f"MOD(ABS(HASHTEXT(CAST({expr} AS TEXT))::bigint), {num})"

    def read_expr(self, column: Column) -> str:
        """Casts for types ADBC would hand over as raw binary or with a zone."""
        q = self.quote(column.name)
        native = column.native.lower()
        plain_text = native in ("text", "varchar", "bpchar", "name") or native.startswith(
            ("character", "text")
        )
        if column.type.name == "string" and not plain_text:
            return f"CAST({q} AS TEXT) AS {q}"
        if (
            native in ("timestamptz", "timestamp with time zone")
            or native.startswith("timestamp with")
            or native.startswith("timestamp(")
            and "with time zone" in native
        ):
            return f"({q} AT TIME ZONE 'UTC') AS {q}"
        if "time" in native and "zone" in native or native == "timetz":
            return f"CAST({q} AS TIME) AS {q}"
        if column.type.name == "array" and column.type.element.name == "string":  # type: ignore[union-attr]
            return f"CAST({q} AS TEXT[]) AS {q}"
        return q

    def table_meta(self, conn: Any, path: str) -> TableMeta:
        """pg_attribute and pg_index of the table."""
        database = conn.info.dbname
        db, schema, table = self.normalize(path, database)
        regclass = f"{self.quote(schema)}.{self.quote(table)}"
        oid = _scalar(conn, "SELECT to_regclass(%s)::oid", (regclass,))
        if oid is None:
            raise CatalogError(f"table {db}.{schema}.{table} does not exist")
        rows = _rows(
            conn,
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, "
            "information_schema._pg_numeric_precision(a.atttypid, a.atttypmod), "
            "information_schema._pg_numeric_scale(a.atttypid, a.atttypmod) "
            "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (oid,),
        )
        columns = []
        for name, formatted, typname, _precision, _scale in rows:
            if typname in ("numeric", "_numeric"):
                sea = T.pg_type(formatted)
            else:
                sea = T.pg_type(typname if typname.startswith("_") else formatted)
            columns.append(Column(name, sea, typname if typname.startswith("_") else formatted))
        keys = _rows(
            conn,
            "SELECT i.indisprimary, array_agg(a.attname ORDER BY k.ord) "
            "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE i.indrelid = %s AND (i.indisprimary OR i.indisunique) AND i.indpred IS NULL "
            "GROUP BY i.indexrelid, i.indisprimary ORDER BY i.indisprimary DESC, i.indexrelid",
            (oid,),
        )
        primary = [list(cols) for is_pk, cols in keys if is_pk]
        unique = [list(cols) for is_pk, cols in keys if not is_pk]
        return TableMeta(f"{db}.{schema}.{table}", columns, primary[0] if primary else [], unique)

    def query_columns(self, conn: Any, query: str) -> list[Column]:
        """Result metadata of the query run with LIMIT 0."""
        cur = conn.cursor()
        try:
            cur.execute(f"SELECT * FROM ({query}) st_meta LIMIT 0")
            description = cur.description or []
        finally:
            cur.close()
        oids = sorted({c.type_code for c in description})
        names = dict(_rows(conn, "SELECT oid, typname FROM pg_type WHERE oid = ANY(%s)", (oids,)))
        columns = []
        for c in description:
            typname = names.get(c.type_code, "text")
            sea = T.decimal(c.precision, c.scale) if typname == "numeric" else T.pg_type(typname)
            columns.append(Column(c.name, sea, typname))
        return columns

    def approx_rows(self, conn: Any, path: str | None, base_sql: str) -> int:
        """pg_class.reltuples when analyzed, else an exact count."""
        if path:
            estimate = _scalar(
                conn,
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                (self.table_ref(path),),
            )
            if estimate is not None and estimate > 0:
                return int(estimate)
        return super().approx_rows(conn, path, base_sql)


class MySql(Dialect):
    """MySQL and MariaDB: `db.table` paths, backtick quoting, connectorx for bulk reads."""

    name = MYSQL
    quote_char = "`"

    def normalize(self, path: str, database: str) -> tuple[str, str]:
        """(database, table)."""
        parts = self.split_path(path)
        if len(parts) == 3:
            raise CatalogError(f"table path {path!r} must be database.table for MySQL")
        if len(parts) == 2:
            return parts[0], parts[1]
        if not database:
            raise CatalogError(f"table path {path!r} names no database and the URL has none")
        return database, parts[0]

    def literal(self, value: Any) -> str:
        """Strings escaped for MySQL (backslashes too)."""
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return super().literal(value)

    def hash_mod(self, expr: str, num: int) -> str:
        """CRC32 of the text."""
        return f"MOD(CRC32({expr}), {num})"

    def read_expr(self, column: Column) -> str:
        """Wide decimals as text (connectorx keeps only 10 decimal digits), bit(1) as a number."""
        q = self.quote(column.name)
        native = column.native.lower()
        if column.type.name == "decimal" and (column.type.scale > 10 or column.type.precision > 28):
            return f"CAST({q} AS CHAR) AS {q}"
        if native.startswith("bit"):
            if column.type.name == "boolean":
                return f"CAST({q} AS UNSIGNED) AS {q}"
            return f"CAST({q} AS BINARY) AS {q}"
        if native.startswith(("enum", "set", "json")) or native.startswith("year"):
            return (
                f"CAST({q} AS CHAR) AS {q}"
                if not native.startswith("year")
                else (f"CAST({q} AS SIGNED) AS {q}")
            )
        return q

    def table_meta(self, conn: Any, path: str) -> TableMeta:
        """information_schema columns and statistics."""
        db, table = self.normalize(path, _scalar(conn, "SELECT DATABASE()") or "")
        rows = _rows(
            conn,
            "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
            (db, table),
        )
        if not rows:
            raise CatalogError(f"table {db}.{table} does not exist")
        columns = [Column(name, T.mysql_type(ctype), ctype) for name, ctype in rows]
        stats = _rows(
            conn,
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND NON_UNIQUE = 0 "
            "ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
            (db, table),
        )
        indexes: dict[str, list[str]] = {}
        for index, column in stats:
            indexes.setdefault(index, []).append(column)
        primary = indexes.pop("PRIMARY", [])
        return TableMeta(f"{db}.{table}", columns, primary, list(indexes.values()))

    def query_columns(self, conn: Any, query: str) -> list[Column]:
        """pymysql field metadata of the query run with LIMIT 0."""
        cur = conn.cursor()
        try:
            cur.execute(f"SELECT * FROM ({query}) st_meta LIMIT 0")
            fields = cur._result.fields if cur._result else []  # pymysql keeps flags here
        finally:
            cur.close()
        return [
            Column(f.name, T.mysql_type(_mysql_field_type(f)), _mysql_field_type(f)) for f in fields
        ]

    def approx_rows(self, conn: Any, path: str | None, base_sql: str) -> int:
        """information_schema TABLE_ROWS (InnoDB's estimate), else an exact count."""
        if path:
            db, table = self.normalize(path, _scalar(conn, "SELECT DATABASE()") or "")
            estimate = _scalar(
                conn,
                "SELECT TABLE_ROWS FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
                (db, table),
            )
            if estimate:
                return int(estimate)
        return super().approx_rows(conn, path, base_sql)


_MYSQL_CODES = {
    0: "decimal", 1: "tinyint", 2: "smallint", 3: "int", 4: "float", 5: "double", 6: "varchar",
    7: "timestamp", 8: "bigint", 9: "mediumint", 10: "date", 11: "time", 12: "datetime",
    13: "year", 14: "date", 15: "varchar", 16: "bit", 245: "json", 246: "decimal", 247: "enum",
    248: "set", 249: "blob", 250: "blob", 251: "blob", 252: "blob", 253: "varchar", 254: "char",
    255: "geometry",
}  # fmt: skip


def _mysql_field_type(f: Any) -> str:
    base = _MYSQL_CODES.get(f.type_code, "varchar")
    unsigned = " unsigned" if f.flags & 32 else ""
    binary = f.charsetnr == 63
    if base == "decimal":
        scale = f.scale
        digits = f.length - (1 if scale else 0) - (0 if unsigned else 1)
        return f"decimal({max(digits, 1)},{scale}){unsigned}"
    if base == "tinyint" and f.length == 1:
        return "tinyint(1)"
    if base == "bit":
        return f"bit({f.length})"
    if base in ("blob", "varchar", "char"):
        if binary:
            return "blob"
        return "text"
    return base + unsigned


class Sqlite(Dialect):
    """SQLite: one schema, declared types mapped by name."""

    name = SQLITE
    quote_char = '"'

    def table_ref(self, path: str) -> str:
        """`table` (a `db.` or `main.` prefix is dropped: one file is one database)."""
        return self.quote(self.split_path(path)[-1])

    def hash_mod(self, expr: str, num: int) -> str:
        """A registered Python hash (SQLite has none built in)."""
        return f"st_hash_mod(CAST({expr} AS TEXT), {num})"

    def table_meta(self, conn: Any, path: str) -> TableMeta:
        """PRAGMA table_info and index_list."""
        table = self.split_path(path)[-1]
        info = _rows(conn, f"PRAGMA table_info({self.quote(table)})")
        if not info:
            raise CatalogError(f"table {table} does not exist")
        sample = None
        columns = []
        for _cid, name, declared, _notnull, _default, _pk in info:
            sea = T.sqlite_type(declared or "")
            if sea is None:
                if sample is None:
                    sample = _sample(conn, f"SELECT * FROM {self.quote(table)}")
                sea = _value_type(sample.get(name))
            columns.append(Column(name, sea, declared or ""))
        primary = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        unique = []
        for row in _rows(conn, f"PRAGMA index_list({self.quote(table)})"):
            if row[2] and row[3] != "pk":
                cols = [r[2] for r in _rows(conn, f"PRAGMA index_info({self.quote(row[1])})")]
                unique.append(cols)
        return TableMeta(table, columns, primary, unique)

    def query_columns(self, conn: Any, query: str) -> list[Column]:
        """Declared types through a temporary view; undeclared ones from the first row."""
        view = "st_meta_view"
        conn.execute(f"DROP VIEW IF EXISTS temp.{view}")
        conn.execute(f"CREATE TEMP VIEW {view} AS {query}")
        try:
            info = _rows(conn, f"PRAGMA table_info({view})")
            sample = None
            columns = []
            for _cid, name, declared, *_ in info:
                sea = T.sqlite_type(declared or "")
                if sea is None:
                    if sample is None:
                        sample = _sample(conn, f"SELECT * FROM {view}")
                    sea = _value_type(sample.get(name))
                columns.append(Column(name, sea, declared or ""))
            return columns
        finally:
            conn.execute(f"DROP VIEW IF EXISTS temp.{view}")


def _sample(conn: Any, sql: str) -> dict:
    cur = conn.execute(sql + " LIMIT 1")
    row = cur.fetchone()
    names = [d[0] for d in cur.description]
    return dict(zip(names, row, strict=False)) if row else {}


def _value_type(value: Any) -> SeaType:
    if isinstance(value, bool):
        return T.BOOLEAN
    if isinstance(value, int):
        return T.BIGINT
    if isinstance(value, float):
        return T.DOUBLE
    if isinstance(value, bytes):
        return T.BYTES
    return T.STRING


DIALECTS: dict[str, Dialect] = {POSTGRESQL: Postgres(), MYSQL: MySql(), SQLITE: Sqlite()}


def dialect_for(name: str) -> Dialect:
    """The dialect object of a connect.py dialect name."""
    return DIALECTS[name]
