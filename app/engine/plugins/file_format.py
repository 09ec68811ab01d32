"""Row serialization for file sinks: text, csv and json lines (reference-connectors §2.5), one batch at a time."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import re
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

SUFFIXES = {"text": ".txt", "csv": ".csv", "json": ".json", "parquet": ".parquet"}
_CSV_NEEDS_QUOTES = r'(^$)|(^[\x00-#])|[,"\r\n]|(\s$)'


def lines(data: pa.RecordBatch, fmt: str, delimiter: str) -> list[str]:
    """One serialized line per row of `data` (text, csv or json)."""
    if fmt == "json":
        return [orjson.dumps(row, default=_json_default).decode() for row in data.to_pylist()]
    if fmt == "csv":
        delimiter = ","  # SeaTunnel: csv always uses ',' whatever field_delimiter says
    columns = [_text_column(column, fmt) for column in data.columns]
    if not columns:
        return [""] * data.num_rows
    joined = pc.binary_join_element_wise(*columns, delimiter)
    return joined.to_pylist()


def header(names: list[str], fmt: str, delimiter: str) -> str:
    """The header line of text and csv files: the field names."""
    return ("," if fmt == "csv" else delimiter).join(names)


def _text_column(column: pa.Array, fmt: str) -> pa.Array:
    """A string column: Java-like renderings, null as the empty string, csv quoting for strings."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        text = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    elif pa.types.is_time(kind):
        text = pc.strftime(pc.cast(column, pa.time64("us")), format="%H:%M:%S")
    elif pa.types.is_list(kind) or pa.types.is_map(kind):
        text = pa.array([_nested_text(v) for v in column.to_pylist()], pa.string())
    elif pa.types.is_binary(kind):
        text = pa.array(
            [None if v is None else v.decode("utf-8", "replace") for v in column.to_pylist()],
            pa.string(),
        )
    else:
        text = pc.cast(column, pa.string())
    if fmt == "csv" and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        text = pc.if_else(pc.match_substring_regex(text, _CSV_NEEDS_QUOTES), quoted, text)
    return pc.fill_null(text, "")


def _nested_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and value and isinstance(value[0], tuple):  # map entries
        return "\x02".join(f"{k}\x03{'' if v is None else v}" for k, v in value)
    return "\x02".join("" if v is None else str(v) for v in value)


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.timedelta):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def is_safe_name(name: str) -> bool:
    """A file name expression result that stays inside its directory."""
    return bool(name) and re.fullmatch(r"[^/\\\x00]+", name) is not None and name not in (".", "..")
