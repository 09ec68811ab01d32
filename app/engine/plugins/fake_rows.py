"""FakeSource `rows`: convert literal row values from the config to typed Python values at build time."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from app.engine.types import SeaType

_INT_RANGES = {
    "tinyint": (-(2**7), 2**7 - 1),
    "smallint": (-(2**15), 2**15 - 1),
    "int": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


class ValueProblem(ValueError):
    """A literal that does not fit its column type."""


def convert(sea: SeaType, value: Any) -> Any:
    """The Python value for literal `value` of type `sea` (None stays None); raises ValueProblem."""
    if value is None:
        return None
    name = sea.name
    if name == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return json.dumps(value, separators=(",", ":"))
        return str(value)
    if name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueProblem("expected a boolean")
    if name in _INT_RANGES:
        return _integer(name, value)
    if name in ("float", "double"):
        if isinstance(value, bool):
            raise ValueProblem("expected a number")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueProblem("expected a number") from None
    if name == "decimal":
        return _decimal(sea, value)
    if name == "bytes":
        if isinstance(value, str):
            return value.encode("utf-8")
        raise ValueProblem("expected a string")
    if name in ("date", "time", "timestamp"):
        return _temporal(name, value)
    if name == "null":
        raise ValueProblem("expected null")
    if name == "array":
        if not isinstance(value, list):
            raise ValueProblem("expected a list")
        return [convert(sea.element, v) for v in value]  # type: ignore[arg-type]
    if name == "map":
        if not isinstance(value, dict):
            raise ValueProblem("expected an object")
        return [(convert(sea.key, k), convert(sea.value, v)) for k, v in value.items()]  # type: ignore[arg-type]
    if name == "row":
        return _row(sea, value)
    raise ValueProblem(f"unsupported type {sea.display()}")


def _row(sea: SeaType, value: Any) -> dict[str, Any]:
    """A ROW literal as SeaTunnel's JSON reader takes it: an object by field name (missing
    fields are null) or a list by position."""
    if isinstance(value, dict):
        values = [value.get(f.name) for f in sea.fields]
    elif isinstance(value, list):
        if len(value) > len(sea.fields):
            raise ValueProblem(f"expected at most {len(sea.fields)} values for {sea.display()}")
        values = value + [None] * (len(sea.fields) - len(value))
    else:
        raise ValueProblem("expected an object or a list")
    row = {}
    for f, v in zip(sea.fields, values, strict=True):
        try:
            row[f.name] = convert(f.type, v)
        except ValueProblem as problem:
            raise ValueProblem(f"{f.name}: {problem}") from None
    return row


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueProblem(f"expected {name}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueProblem(f"expected {name}") from None
    if not isinstance(value, int):
        raise ValueProblem(f"expected {name}")
    low, high = _INT_RANGES[name]
    if not low <= value <= high:
        raise ValueProblem(f"{value} is out of range for {name}")
    return value


def _decimal(sea: SeaType, value: Any) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueProblem(f"expected {sea.display()}")
    try:
        number = decimal.Decimal(str(value).strip())
        quantum = decimal.Decimal(1).scaleb(-sea.scale)
        number = number.quantize(quantum, context=decimal.Context(prec=60))
    except (decimal.InvalidOperation, ValueError):
        raise ValueProblem(f"expected {sea.display()}") from None
    if not number.is_finite() or len(number.as_tuple().digits) > sea.precision:
        raise ValueProblem(f"{value} does not fit {sea.display()}")
    return number


def _temporal(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueProblem(f"expected a {name} string")
    text = value.strip()
    try:
        if name == "date":
            return dt.date.fromisoformat(text)
        if name == "time":
            return dt.time.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValueProblem(f"expected a {name} like {_EXAMPLES[name]}") from None


_EXAMPLES = {"date": "2024-01-31", "time": "12:30:00", "timestamp": "2024-01-31 12:30:00"}
