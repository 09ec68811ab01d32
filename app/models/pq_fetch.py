"""One row of a hot PostgreSQL read through libpq's own prepared statements.

psycopg's cursor costs about 80 us of client CPU for a one-row primary-key lookup (adapting,
its prepare bookkeeping, building the row); libpq's `exec_prepared` with text values costs
about 35. job-info, which clients poll, is such a lookup. Only what these reads need is
handled here (integer, boolean and text columns and parameters); anything else answers
UNSUPPORTED and the caller uses the cursor, which also raises the proper errors.
"""

from __future__ import annotations

from typing import Any

UNSUPPORTED = object()  # the caller reads through the cursor instead

_INT_TYPES = frozenset({20, 21, 23})  # int8, int2, int4
_BOOL_TYPE = 16
_TEXT_TYPES = frozenset({25, 1043, 19})  # text, varchar, name


class PreparedReads:
    """The statements prepared on one connection (names are per connection in PostgreSQL)."""

    __slots__ = ("names",)

    def __init__(self) -> None:
        self.names: dict[str, bytes] = {}


def fetch_one(conn: Any, prepared: PreparedReads, sql: str, params: tuple) -> Any:
    """The first row of `sql` (`?` placeholders) with `params` on psycopg connection `conn`
    (autocommit), None without one, or UNSUPPORTED."""
    from psycopg import pq

    values = _encode(params)
    if values is None:
        return UNSUPPORTED
    pgconn = conn.pgconn
    name = prepared.names.get(sql)
    if name is None:
        name = f"seatunnel_read_{len(prepared.names)}".encode()
        done = pgconn.prepare(name, _numbered(sql).encode())
        if done.status != pq.ExecStatus.COMMAND_OK:
            return UNSUPPORTED
        prepared.names[sql] = name
    result = pgconn.exec_prepared(name, values)
    if result.status != pq.ExecStatus.TUPLES_OK:
        if pgconn.status != pq.ConnStatus.OK:
            raise ConnectionError("the connection to PostgreSQL is broken")
        return UNSUPPORTED
    if result.ntuples == 0:
        return None
    row = []
    for column in range(result.nfields):
        raw = result.get_value(0, column)
        kind = result.ftype(column)
        if raw is None:
            row.append(None)
        elif kind in _INT_TYPES:
            row.append(int(raw))
        elif kind in _TEXT_TYPES:
            row.append(raw.decode())
        elif kind == _BOOL_TYPE:
            row.append(raw == b"t")
        else:
            return UNSUPPORTED
    return tuple(row)


def _encode(params: tuple) -> list[bytes | None] | None:
    values: list[bytes | None] = []
    for value in params:
        if value is None:
            values.append(None)
        elif isinstance(value, bool):
            return None
        elif isinstance(value, (int, str)):
            values.append(str(value).encode())
        else:
            return None
    return values


def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's $1, $2 ... (the hot reads hold no literal `?`)."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]
