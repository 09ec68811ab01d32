"""Arrow helpers for the Sql evaluator: scalars vs arrays, Java-style stringification, row-wise fallbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from app.engine.arrow_types import arrow_type
from app.engine.javafmt import java_double, java_float
from app.engine.types import SeaType

Value = Any  # a pyarrow Array or Scalar


def is_scalar(value: Value) -> bool:
    """True for a pyarrow Scalar (a literal or a per-batch constant)."""
    return isinstance(value, pa.Scalar)


def materialize(value: Value, n: int, sea: SeaType) -> pa.Array:
    """An array of `n` rows of type `sea` from an array or a scalar."""
    target = arrow_type(sea)
    if is_scalar(value):
        if not value.is_valid:
            return pa.nulls(n, target)
        value = pa.repeat(value, n)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if value.type != target:
        value = value.cast(target, safe=False)
    return value


def as_type(value: Value, sea: SeaType) -> Value:
    """Cast an array or scalar to the Arrow type of `sea` (no overflow checks: Java wraps)."""
    target = arrow_type(sea)
    if value.type == target:
        return value
    return value.cast(target, safe=False)


def to_string(value: Value, sea: SeaType) -> Value:
    """Java's toString of each value: 1.0 for doubles, true/false, ISO dates; strings unchanged."""
    if sea.name == "string":
        return value
    if sea.name == "null":
        return (
            pa.scalar(None, pa.string()) if is_scalar(value) else pa.nulls(len(value), pa.string())
        )
    if sea.name == "double" and not is_scalar(value):
        return _java_doubles(value)
    if sea.name in ("double", "float"):
        fmt = java_double if sea.name == "double" else java_float
        return rowwise(lambda v: fmt(v), pa.string(), value)
    if sea.name == "timestamp":
        return rowwise(_java_datetime, pa.string(), value)
    if sea.name == "time":
        return rowwise(_java_time, pa.string(), value)
    if sea.name == "bytes":
        return rowwise(lambda v: v.decode("utf-8", "replace"), pa.string(), value)
    if sea.name in ("array", "map"):
        return rowwise(str, pa.string(), value)
    if sea.name == "row":
        return rowwise(_java_row, pa.string(), value)
    return value.cast(pa.string())


def _java_row(value: dict) -> str:
    """SeaTunnelRow.toString of a nested row (no table id, kind +I)."""
    shown = [
        "null" if v is None else (_java_row(v) if isinstance(v, dict) else str(v))
        for v in value.values()
    ]
    return "SeaTunnelRow{tableId=, kind=+I, fields=[" + ", ".join(shown) + "]}"


def _java_doubles(value: pa.Array) -> pa.Array:
    """Double.toString, vectorized: Arrow's shortest digits plus ".0" in Java's plain range
    (1e-3 <= |x| < 1e7, and zero); only values Java prints in E notation go row by row."""
    magnitude = pc.abs(value)
    plain = pc.or_(
        pc.and_(pc.greater_equal(magnitude, 1e-3), pc.less(magnitude, 1e7)), pc.equal(value, 0.0)
    )
    text = value.cast(pa.string())
    whole = pc.invert(pc.match_substring(text, "."))
    text = pc.if_else(pc.and_(plain, whole), pc.binary_join_element_wise(text, ".0", ""), text)
    odd = pc.and_(pc.invert(plain), pc.is_valid(value))
    if pc.any(odd).as_py():
        positions = pc.indices_nonzero(odd)
        fixed = [java_double(v) for v in pc.take(value, positions).to_pylist()]
        text = pc.replace_with_mask(text, odd, pa.array(fixed, pa.string()))
    return text


def _java_time(value: Any) -> str:
    text = value.strftime("%H:%M")
    if value.second or value.microsecond:
        text += value.strftime(":%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def _java_datetime(value: Any) -> str:
    return value.strftime("%Y-%m-%d") + "T" + _java_time(value)


def rowwise(fn: Callable[..., Any], out: pa.DataType, *values: Value) -> Value:
    """Apply `fn` to each row's non-null arguments (null if any is null): rare functions only."""
    if all(is_scalar(v) for v in values):
        args = [v.as_py() for v in values]
        return pa.scalar(None if any(a is None for a in args) else fn(*args), out)
    n = next(len(v) for v in values if not is_scalar(v))
    columns = [[v.as_py()] * n if is_scalar(v) else v.to_pylist() for v in values]
    result = [
        None if any(a is None for a in row) else fn(*row) for row in zip(*columns, strict=True)
    ]
    return pa.array(result, out)


def fill_false(mask: Value) -> Value:
    """A boolean value with nulls read as false."""
    if is_scalar(mask):
        return pa.scalar(bool(mask.as_py()))
    if mask.null_count:
        return pc.fill_null(mask, False)
    return mask


def first_bad(values: Value, ok: Callable[[Any], bool]) -> Any:
    """The first non-null value for which ok() is false (error reporting only)."""
    items = [values.as_py()] if is_scalar(values) else values.to_pylist()
    for item in items:
        if item is not None and not ok(item):
            return item
    return None
