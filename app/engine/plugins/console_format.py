"""Run-time only: render Arrow columns as the strings SeaTunnel's Console prints (Java toString forms)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa

from app.engine.javafmt import java_double, java_float


def format_columns(data: pa.RecordBatch) -> list[list[str]]:
    """One list of printed values per column."""
    return [[_text(column.type, v) for v in column.to_pylist()] for column in data.columns]


def _text(kind: pa.DataType, value: Any) -> str:
    """Console's fieldToString: null prints empty (StringUtils.join), bytes and arrays as [..], maps as JSON."""
    if value is None:
        return ""
    if pa.types.is_boolean(kind):
        return "true" if value else "false"
    if pa.types.is_float64(kind):
        return java_double(value)
    if pa.types.is_float32(kind):
        return java_float(value)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return "[" + ", ".join(str(b - 256 if b > 127 else b) for b in value) + "]"
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return "[" + ", ".join(_java(kind.value_type, v) for v in value) + "]"
    if pa.types.is_map(kind):
        return json.dumps(
            {_key(k): _json(kind.item_type, v) for k, v in value},
            separators=(",", ":"),
            ensure_ascii=False,
        )
    return _java(kind, value)


def _java(kind: pa.DataType, value: Any) -> str:
    """String.valueOf of a value: Java's forms for floats, booleans and date-times."""
    if value is None:
        return "null"
    if pa.types.is_float64(kind):
        return java_double(value)
    if pa.types.is_float32(kind):
        return java_float(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() + "T" + _clock(value.time())
    if isinstance(value, dt.time):
        return _clock(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_java(getattr(kind, "value_type", kind), v) for v in value) + "]"
    return str(value)


def _clock(value: dt.time) -> str:
    """LocalTime.toString: HH:mm, then :ss and a fraction only when non-zero."""
    text = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        text += f":{value.second:02d}"
        if value.microsecond:
            micros = value.microsecond
            text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(kind: pa.DataType, value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return _java(kind, value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    return value
