"""Hot PostgreSQL reads (one row, or the rows of a batch of ids) through libpq's own prepared
statements.

psycopg's cursor costs about 80 us of client CPU for a one-row primary-key lookup (adapting,
its prepare bookkeeping, building the row); libpq's `exec_prepared` with text values costs
about 35. job-info, which clients poll, is such a lookup. Only what these reads need is
handled here (integer, boolean and text columns and parameters); anything else answers
UNSUPPORTED and the caller uses the cursor, which also raises the proper errors. Parameters are
sent as text: the hot reads pass ids and short strings.
"""

from __future__ import annotations

from typing import Any

UNSUPPORTED = object()  # the caller reads through the cursor instead

_INT_TYPES = frozenset({20, 21, 23})  # int8, int2, int4
_BOOL_TYPE = 16
_TEXT_TYPES = frozenset({25, 1043, 19})  # text, varchar, name


class PreparedReads:
    """The statements prepared on one connection (names are per connection in PostgreSQL),
    and the statements this module leaves to the cursor (their result types)."""

    __slots__ = ("names", "count", "cursor_only")

    def __init__(self) -> None:
        self.names: dict[str, bytes] = {}
        self.count = 0  # names are never reused, even after one was dropped
        self.cursor_only: set[str] = set()


def fetch(conn: Any, prepared: PreparedReads, sql: str, params: tuple, *, first_only: bool) -> Any:
    """The rows of `sql` (`?` placeholders) with `params` on psycopg connection `conn`
    (autocommit): a list, or with `first_only` the first row (None without one); or
    UNSUPPORTED."""
    from psycopg import pq

    if sql in prepared.cursor_only:
        return UNSUPPORTED
    encoding = conn.info.encoding
    values = _encode(params, encoding)
    if values is None:
        return UNSUPPORTED
    pgconn = conn.pgconn
    name = prepared.names.get(sql)
    if name is None:
        prepared.count += 1
        name = f"seatunnel_read_{prepared.count}".encode()
        done = pgconn.prepare(name, _numbered(sql).encode(encoding))
        if done.status != pq.ExecStatus.COMMAND_OK:
            return _failed(pgconn)
        prepared.names[sql] = name
    result = pgconn.exec_prepared(name, values)
    if result.status != pq.ExecStatus.TUPLES_OK:
        prepared.names.pop(sql, None)  # prepared again next time (or the cursor's error)
        return _failed(pgconn)
    if first_only and result.ntuples == 0:
        return None
    kinds = [result.ftype(column) for column in range(result.nfields)]
    rows = []
    for index in range(1 if first_only else result.ntuples):
        row = []
        for column, kind in enumerate(kinds):
            raw = result.get_value(index, column)
            if raw is None:
                row.append(None)
            elif kind in _INT_TYPES:
                row.append(int(raw))
            elif kind in _TEXT_TYPES:
                row.append(raw.decode(encoding))
            elif kind == _BOOL_TYPE:
                row.append(raw == b"t")
            else:
                prepared.cursor_only.add(sql)  # the same columns every time: ask the cursor
                return UNSUPPORTED
        rows.append(tuple(row))
    return rows[0] if first_only else rows


def _failed(pgconn: Any) -> Any:
    """After an error: a broken connection is the caller's to replace; any other error is the
    cursor's to raise (it runs the statement again and raises psycopg's exception)."""
    from psycopg import pq

    if pgconn.status != pq.ConnStatus.OK:
        raise ConnectionError("the connection to PostgreSQL is broken")
    return UNSUPPORTED


def _encode(params: tuple, encoding: str) -> list[bytes | None] | None:
    values: list[bytes | None] = []
    for value in params:
        if value is None:
            values.append(None)
        elif isinstance(value, bool):
            return None
        elif isinstance(value, int) or isinstance(value, str) and "\x00" not in value:
            values.append(str(value).encode(encoding))  # a NUL would end libpq's C string early
        else:
            return None
    return values


def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's $1, $2 ... (the hot reads hold no literal `?`)."""
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]
