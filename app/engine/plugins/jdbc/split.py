"""Split planning for the Jdbc source (reference-connectors §3.2): split key choice, the fixed
splitter (`query` + `partition_column`) and the dynamic splitter (evenly sized chunks, sampled
quantiles, or successive boundary queries), chunks half-open `[start, end)`.

A split is a JSON-able dict: id `<tablePath>-<i>`, the table path, the SQL that reads it, the split
key and whether rows can be read in key order (a unique key): then a reader's position inside the
split is the last key it emitted, and a restore reads on from there.
"""

from __future__ import annotations

import datetime as dt
import decimal as dec
import math
from dataclasses import dataclass
from typing import Any

from app.engine.plugins.jdbc.dialect import Column, Dialect, TableMeta, _rows, _scalar

SPLIT_KEY_TYPES = (
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "decimal",
    "string",
    "date",
)
MAX_SPLITS = 100_000


class SplitError(ValueError):
    """The split options do not fit the table (an unknown or unsupported partition column)."""


@dataclass
class SplitOptions:
    """The source options that shape splits."""

    query: str | None = None
    where_condition: str | None = None
    partition_column: str | None = None
    partition_num: int | None = None
    lower_bound: Any = None
    upper_bound: Any = None
    split_size: int = 8096
    factor_upper: float = 100.0
    factor_lower: float = 0.05
    sample_threshold: int = 1000
    sample_rate: int = 1000


def choose_key(
    meta: TableMeta | None, columns: list[Column], options: SplitOptions
) -> tuple[Column | None, bool]:
    """The split key (§3.2) and whether it is unique (single-column primary or unique key)."""
    by_name = {c.name: c for c in columns}
    by_lower = {c.name.lower(): c for c in columns}
    unique_sets = []
    if meta is not None:
        unique_sets = [k for k in [meta.primary_key, *meta.unique_keys] if len(k) == 1]
    unique_names = {k[0].lower() for k in unique_sets}
    if options.partition_column:
        column = by_name.get(options.partition_column) or by_lower.get(
            options.partition_column.lower()
        )
        if column is None:
            raise SplitError(
                f"names unknown column {options.partition_column!r}; columns: "
                + ", ".join(c.name for c in columns)
            )
        if column.type.name not in SPLIT_KEY_TYPES:
            raise SplitError(
                f"column {column.name!r} has type {column.type.display()}, which cannot split; "
                "use a numeric, string or date column"
            )
        return column, column.name.lower() in unique_names
    if meta is None:
        return None, False
    for key in [meta.primary_key, *meta.unique_keys]:
        for name in key[:1]:
            column = by_name.get(name)
            if column is not None and column.type.name in SPLIT_KEY_TYPES:
                return column, len(key) == 1
    return None, False


def plan_splits(
    conn: Any,
    dialect: Dialect,
    path: str,
    meta: TableMeta | None,
    columns: list[Column],
    options: SplitOptions,
) -> list[dict]:
    """All splits of one table (or query)."""
    key, unique = choose_key(meta, columns, options)
    base = options.query if options.query else f"SELECT * FROM {dialect.table_ref(path)}"
    if key is None:
        return [_split(path, 0, base, None, False, options)]
    if options.query and options.partition_column:
        bounds = _fixed(conn, dialect, base, key, options)
    else:
        bounds = _dynamic(conn, dialect, path if not options.query else None, base, key, options)
    q = dialect.quote(key.name)
    if options.query or len(bounds) > 1:
        wrapped = f"SELECT * FROM ({base}) st_jdbc_splitter"
    else:
        wrapped = base
    splits = []
    for i, condition in enumerate(bounds):
        sql = wrapped if condition is None else f"{wrapped} WHERE {condition.replace('{k}', q)}"
        if condition is None and not options.query:
            sql = base
        splits.append(_split(path, i, sql, key.name, unique, options))
    return splits


def _split(
    path: str, i: int, sql: str, key: str | None, unique: bool, options: SplitOptions
) -> dict:
    if options.where_condition:
        sql = f"SELECT * FROM ({sql}) tmp {options.where_condition}"
    return {
        "id": f"{path}-{i}",
        "table": path,
        "sql": sql,
        "key": key,
        "ordered": bool(key and unique),
    }


def _min_max(conn: Any, dialect: Dialect, base: str, key: Column) -> tuple[Any, Any]:
    q = dialect.quote(key.name)
    rows = _rows(conn, f"SELECT MIN({q}), MAX({q}) FROM ({base}) st_minmax")
    low, high = rows[0] if rows else (None, None)
    return _typed(low, key), _typed(high, key)


def _typed(value: Any, key: Column) -> Any:
    """Drivers hand back MIN/MAX as the column's Python type; SQLite may give text for dates."""
    if value is None:
        return None
    name = key.type.name
    if name in ("tinyint", "smallint", "int", "bigint"):
        return int(value)
    if name in ("float", "double"):
        return float(value)
    if name == "decimal":
        return dec.Decimal(str(value))
    if name == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _integral(key: Column) -> bool:
    name = key.type.name
    return name in ("tinyint", "smallint", "int", "bigint") or (
        name == "decimal" and key.type.scale == 0
    )


def _bound(value: Any, key: Column) -> Any:
    if value is None:
        return None
    if _integral(key):
        return int(dec.Decimal(str(value)))
    if key.type.name in ("float", "double"):
        return float(value)
    if key.type.name == "decimal":
        return dec.Decimal(str(value))
    if key.type.name == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return value


def _ranges(dialect: Dialect, cuts: list[Any]) -> list[str | None]:
    """Half-open chunks between cut points: `k < c1`, `k >= c1 AND k < c2`, ..., `k >= cn`."""
    if not cuts:
        return [None]
    lit = dialect.literal
    conditions = [f"{{k}} < {lit(cuts[0])}"]
    for start, end in zip(cuts, cuts[1:], strict=False):
        conditions.append(f"{{k}} >= {lit(start)} AND {{k}} < {lit(end)}")
    conditions.append(f"{{k}} >= {lit(cuts[-1])}")
    return conditions


def _fixed(
    conn: Any, dialect: Dialect, base: str, key: Column, options: SplitOptions
) -> list[str | None]:
    """The legacy splitter: `partition_num` ranges (or hash buckets for string keys)."""
    num = options.partition_num or 10
    if key.type.name == "string":
        expr = dialect.hash_mod("{k}", num)
        return [f"{expr} = {i}" for i in range(num)]
    low, high = _bound(options.lower_bound, key), _bound(options.upper_bound, key)
    if low is None or high is None:
        found_low, found_high = _min_max(conn, dialect, base, key)
        low = found_low if low is None else low
        high = found_high if high is None else high
    if low is None or high is None:
        return [None]
    lit = dialect.literal
    if key.type.name == "date":
        first, last = low.toordinal(), high.toordinal()
        width = max(1, math.ceil((last - first + 1) / num))
        conditions = []
        for start in range(first, last + 1, width):
            end = min(start + width - 1, last)
            conditions.append(
                f"{{k}} >= {lit(dt.date.fromordinal(start))} AND {{k}} <= {lit(dt.date.fromordinal(end))}"
            )
        return conditions or [None]
    if _integral(key):
        width = max(1, math.ceil((high - low + 1) / num))
        return [
            f"{{k}} >= {lit(start)} AND {{k}} <= {lit(min(start + width - 1, high))}"
            for start in range(low, high + 1, width)
        ][:MAX_SPLITS] or [None]
    width = (float(high) - float(low)) / num
    if width <= 0:
        return [f"{{k}} >= {lit(low)} AND {{k}} <= {lit(high)}"]
    cuts = [low + width * i for i in range(1, num)]
    starts = [low, *cuts]
    conditions = [
        f"{{k}} >= {lit(a)} AND {{k}} < {lit(b)}" for a, b in zip(starts, cuts, strict=False)
    ]
    conditions.append(f"{{k}} >= {lit(starts[-1])} AND {{k}} <= {lit(high)}")
    return conditions


def _dynamic(
    conn: Any, dialect: Dialect, path: str | None, base: str, key: Column, options: SplitOptions
) -> list[str | None]:
    """The dynamic splitter (§3.2)."""
    low, high = _min_max(conn, dialect, base, key)
    if low is None or high is None or low == high:
        return [None]
    size = options.split_size
    rows = dialect.approx_rows(conn, path, base)
    if _integral(key):
        factor = (high - low + 1) / max(rows, 1)
        if options.factor_lower <= factor <= options.factor_upper:
            if rows <= size:
                return [None]
            step = max(int(factor * size), 1)
            cuts = list(range(low + step, high + 1, step))
            if len(cuts) > MAX_SPLITS:
                step = math.ceil((high - low + 1) / MAX_SPLITS)
                cuts = list(range(low + step, high + 1, step))
            return _ranges(dialect, cuts)
    if rows <= size:
        return [None]
    if rows / size > options.sample_threshold:
        return _ranges(dialect, _sampled_cuts(conn, dialect, base, key, rows, options))
    return _ranges(dialect, _boundary_cuts(conn, dialect, base, key, low, high, size))


def _sampled_cuts(
    conn: Any, dialect: Dialect, base: str, key: Column, rows: int, options: SplitOptions
) -> list[Any]:
    q = dialect.quote(key.name)
    rate = max(1, options.sample_rate)
    samples = [
        _typed(r[0], key)
        for r in _rows(
            conn,
            f"SELECT {q} FROM (SELECT {q}, ROW_NUMBER() OVER (ORDER BY {q}) st_rn FROM ({base}) st_b "
            f"WHERE {q} IS NOT NULL) st_s WHERE MOD(st_rn, {rate}) = 0 ORDER BY {q}",
        )
    ]
    chunks = min(max(1, math.ceil(rows / options.split_size)), MAX_SPLITS)
    if len(samples) < 2 or chunks < 2:
        return []
    step = len(samples) / chunks
    cuts: list[Any] = []
    for i in range(1, chunks):
        value = samples[min(int(i * step), len(samples) - 1)]
        if not cuts or value > cuts[-1]:
            cuts.append(value)
    return cuts


def _boundary_cuts(
    conn: Any, dialect: Dialect, base: str, key: Column, low: Any, high: Any, size: int
) -> list[Any]:
    """Successive chunk ends: the key `size` rows on from the previous cut."""
    q = dialect.quote(key.name)
    lit = dialect.literal
    cuts: list[Any] = []
    current = low
    while len(cuts) < MAX_SPLITS:
        end = _typed(
            _scalar(
                conn,
                f"SELECT MAX({q}) FROM (SELECT {q} FROM ({base}) st_b WHERE {q} >= {lit(current)} "
                f"ORDER BY {q} LIMIT {int(size)}) st_c",
            ),
            key,
        )
        if end is not None and end == current:
            end = _typed(
                _scalar(conn, f"SELECT MIN({q}) FROM ({base}) st_b WHERE {q} > {lit(current)}"), key
            )
        if end is None or end >= high:
            break
        cuts.append(end)
        current = end
    return cuts


def resume_sql(dialect: Dialect, split: dict, columns: list[Column], after: Any) -> str:
    """The statement reading `split` from just after key value `after` (None: from its start)."""
    inner = split["sql"]
    key = split.get("key")
    if after is not None and key:
        inner = f"SELECT * FROM ({inner}) st_resume WHERE {dialect.quote(key)} > {dialect.literal(after)}"
    exprs = ", ".join(dialect.read_expr(c) for c in columns)
    sql = f"SELECT {exprs} FROM ({inner}) st_read"
    if split.get("ordered") and key:
        sql += f" ORDER BY {dialect.quote(key)}"
    return sql
