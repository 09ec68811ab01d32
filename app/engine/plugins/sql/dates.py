"""Date and time functions of the Sql transform (parts, DATE_TRUNC, DATEADD, DATEDIFF, formats)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from app.engine.arrow_types import arrow_type
from app.engine.plugins.sql import sqltypes as st
from app.engine.plugins.sql.values import Value, is_scalar, rowwise
from app.engine.types import SeaType

DATE_PARTS = (
    "DAY_OF_MONTH", "DAY_OF_WEEK", "DAY_OF_YEAR", "HOUR", "MINUTE", "MONTH", "QUARTER",
    "SECOND", "WEEK", "YEAR", "MILLISECOND",
)  # fmt: skip

_JAVA = [
    ("yyyy", "%Y"), ("YYYY", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"),
    ("dd", "%d"), ("HH", "%H"), ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("SSS", "%f"),
    ("EEEE", "%A"), ("EEE", "%a"), ("a", "%p"), ("M", "%m"), ("d", "%d"), ("H", "%H"),
]  # fmt: skip


def java_to_strftime(pattern: str) -> str:
    """A Java DateTimeFormatter pattern as a strftime/strptime one ('quoted' text kept literally)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "'":
            end = pattern.find("'", i + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[i + 1 : end].replace("%", "%%") or "'")
            i = end + 1
            continue
        for java, c in _JAVA:
            if pattern.startswith(java, i):
                out.append(c)
                i += len(java)
                break
        else:
            out.append("%%" if pattern[i] == "%" else pattern[i])
            i += 1
    return "".join(out)


def _as_timestamp(value: Value, sea: SeaType) -> Value:
    if sea.name == "timestamp":
        return value
    if sea.name == "date":
        return value.cast(pa.timestamp("us"))
    return value


def date_part(part: str, value: Value, sea: SeaType) -> Value:
    """YEAR, MONTH, ... of a date/time/timestamp, as INT (DAY_OF_WEEK: Monday=1; WEEK: ISO week + 1)."""
    if sea.name == "null":
        return pa.scalar(None, pa.int32())
    v = _as_timestamp(value, sea)
    if part == "DAYNAME":
        return pc.strftime(v, "%A")
    if part == "MONTHNAME":
        return pc.strftime(v, "%B")
    fn = {
        "DAY_OF_MONTH": pc.day, "DAY_OF_YEAR": pc.day_of_year, "HOUR": pc.hour, "MINUTE": pc.minute,
        "MONTH": pc.month, "QUARTER": pc.quarter, "SECOND": pc.second, "YEAR": pc.year,
        "MILLISECOND": pc.millisecond,
    }.get(part)  # fmt: skip
    if part == "DAY_OF_WEEK":
        out = pc.add(pc.day_of_week(v), 1)
    elif part == "WEEK":
        out = pc.add(pc.iso_week(v), 1)
    else:
        out = fn(v)  # type: ignore[misc]
    return out.cast(pa.int32())


_TRUNC_UNITS = {
    "YEAR": "year",
    "QUARTER": "quarter",
    "MONTH": "month",
    "WEEK": "week",
    "DAY": "day",
    "HOUR": "hour",
    "MINUTE": "minute",
    "SECOND": "second",
}


def date_trunc(unit: Value, value: Value, sea: SeaType) -> Value:
    """DATE_TRUNC('day', x): the timestamp floored to the unit."""
    name = unit.as_py() if is_scalar(unit) else None
    arrow_unit = _TRUNC_UNITS.get(str(name).upper()) if name is not None else None
    if arrow_unit is None:
        raise ValueError(f"unsupported DATE_TRUNC unit {name!r}")
    v = _as_timestamp(value, sea)
    return pc.floor_temporal(v, unit=arrow_unit, week_starts_monday=True)


_MICROS = {
    "WEEK": 7 * 86_400_000_000,
    "DAY": 86_400_000_000,
    "HOUR": 3_600_000_000,
    "MINUTE": 60_000_000,
    "SECOND": 1_000_000,
    "MILLISECOND": 1_000,
}


def date_add(vals: list[Value], call: Any) -> Value:
    """DATEADD(dt, n[, unit = DAY]) in dt's type; months and years follow the calendar."""
    value, amount = vals[0], vals[1]
    unit = (vals[2].as_py() if len(vals) > 2 and is_scalar(vals[2]) else "DAY") or "DAY"
    unit = str(unit).upper()
    sea = call.args[0].type
    out = arrow_type(sea)
    if unit in _MICROS and sea.name != "date" or unit in ("DAY", "WEEK") and sea.name == "date":
        if sea.name == "date":
            days = pc.multiply(amount.cast(pa.int64()), 7 if unit == "WEEK" else 1)
            return pc.add(value.cast(pa.int32()).cast(pa.int64()), days).cast(pa.int32()).cast(out)
        micros = pc.multiply(amount.cast(pa.int64()), _MICROS[unit])
        return pc.add(value.cast(pa.int64()), micros).cast(out)
    if unit in ("YEAR", "MONTH", "QUARTER"):
        months = {"YEAR": 12, "MONTH": 1, "QUARTER": 3}[unit]
        return rowwise(lambda d, n: _add_months(d, n * months), out, value, amount)
    raise ValueError(f"unsupported DATEADD unit {unit!r}")


def _add_months(value: Any, months: int) -> Any:
    import calendar

    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def date_diff(vals: list[Value], call: Any) -> Value:
    """DATEDIFF(a, b[, unit = DAY]) = b - a in whole units (YEAR/MONTH: Java Period components)."""
    unit = (vals[2].as_py() if len(vals) > 2 and is_scalar(vals[2]) else "DAY") or "DAY"
    unit = str(unit).upper()
    a = _as_timestamp(vals[0], call.args[0].type)
    b = _as_timestamp(vals[1], call.args[1].type)
    if unit == "DAY":
        return pc.days_between(pc.floor_temporal(a, unit="day"), pc.floor_temporal(b, unit="day"))
    if unit in ("HOUR", "MINUTE", "SECOND", "MILLISECOND", "WEEK"):
        micros = pc.subtract(b.cast(pa.int64()), a.cast(pa.int64()))
        per = _MICROS[unit] if unit != "WEEK" else _MICROS["DAY"]
        whole = pc.divide(micros, per)  # integer division truncates toward zero like Duration
        return pc.divide(whole, 7) if unit == "WEEK" else whole
    if unit in ("YEAR", "MONTH"):
        return rowwise(lambda x, y: _period(x, y, unit), pa.int64(), a, b)
    raise ValueError(f"unsupported DATEDIFF unit {unit!r}")


def _period(a: Any, b: Any, unit: str) -> int:
    a, b = getattr(a, "date", lambda: a)(), getattr(b, "date", lambda: b)()
    months = (b.year - a.year) * 12 + b.month - a.month
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    years = int(months / 12)
    return years if unit == "YEAR" else months - years * 12


def format_datetime(value: Value, sea: SeaType, fmt: Value) -> Value:
    """FORMATDATETIME / TO_CHAR(temporal, 'yyyy-MM-dd HH:mm:ss')."""
    pattern = fmt.as_py() if is_scalar(fmt) else None
    if pattern is None:
        return pa.scalar(None, pa.string())
    v = _as_timestamp(value, sea)
    if sea.name == "time":
        return rowwise(lambda t: t.strftime(java_to_strftime(pattern)), pa.string(), value)
    if "%f" not in java_to_strftime(pattern):
        v = v.cast(pa.timestamp("s"), safe=False)
    return pc.strftime(v, java_to_strftime(pattern).replace("%f", "%S"))


def from_unixtime(vals: list[Value]) -> Value:
    """FROM_UNIXTIME(seconds, format[, zone]) as text."""
    fmt = vals[1].as_py() if is_scalar(vals[1]) else None
    zone = vals[2].as_py() if len(vals) > 2 and is_scalar(vals[2]) else None
    if fmt is None:
        return pa.scalar(None, pa.string())
    pattern = java_to_strftime(fmt)
    tz: Any = None
    if zone:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(zone)

    def one(seconds: int) -> str:
        moment = (
            dt.datetime.fromtimestamp(seconds, tz) if tz else dt.datetime.fromtimestamp(seconds)
        )
        return moment.strftime(pattern)

    return rowwise(one, pa.string(), vals[0])


def is_date(value: Value, fmt: Value) -> Value:
    """IS_DATE(text, format): whether the text parses with the format."""
    pattern = fmt.as_py() if is_scalar(fmt) else None
    if pattern is None:
        return pa.scalar(None, pa.bool_())
    parsed = pc.strptime(value, java_to_strftime(pattern), "us", error_is_null=True)
    return pc.if_else(pc.is_valid(value), pc.is_valid(parsed), pa.scalar(None, pa.bool_()))


def parsed_type(fmt_node: exp.Expression) -> SeaType:
    """PARSEDATETIME/TO_DATE result type by the format: yy and mm -> TIMESTAMP, yy -> DATE, mm -> TIME."""
    if not (isinstance(fmt_node, exp.Literal) and fmt_node.is_string):
        raise TypeError("needs a string literal format")
    fmt = fmt_node.this
    if "yy" in fmt and "mm" in fmt:
        return st.TIMESTAMP
    if "yy" in fmt:
        return st.DATE
    if "mm" in fmt:
        return st.TIME
    raise TypeError(f"format {fmt!r} has neither a date (yy) nor a time (mm)")


def parse_datetime(value: Value, fmt: Value, sea: SeaType) -> Value:
    """PARSEDATETIME(text, format): a parse failure fails the row."""
    pattern = java_to_strftime(fmt.as_py())
    if sea.name == "time":
        parsed = rowwise(lambda s: dt.datetime.strptime(s, pattern).time(), pa.time64("us"), value)
        return parsed
    try:
        stamp = pc.strptime(value, pattern, "us")
    except pa.ArrowInvalid:
        bad = next((s for s in _texts(value) if s is not None and not _parses(s, pattern)), None)
        raise ValueError(f"text {bad!r} does not match format {fmt.as_py()!r}") from None
    return stamp.cast(arrow_type(sea))


def _texts(value: Value) -> list:
    return [value.as_py()] if is_scalar(value) else value.to_pylist()


def _parses(text: str, pattern: str) -> bool:
    try:
        dt.datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


_ = re
