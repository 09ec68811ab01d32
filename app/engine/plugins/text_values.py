"""Run-time only: SeaTunnel's text-to-value parsing (TextDeserializationSchema, DateUtils,
DateTimeUtils) done a whole column at a time with pyarrow.compute.

The text and csv readers of the file sources hand every field over as a string; here each string
column becomes its declared type: empty means null, booleans are `true` in any case, integers are
strict, dates and timestamps take the format of the column's first value (SeaTunnel caches the
formatter per field), arrays split on \\x02 and maps on \\x02 / \\x03.
"""

from __future__ import annotations

import decimal
import re

import pyarrow as pa
import pyarrow.compute as pc

from app.engine.arrow_types import arrow_type
from app.engine.types import SeaType

# Nested separators of SeaTunnel's text format, by nesting level (level 0 is field_delimiter)
NESTED_SEPARATORS = ("\x02", "\x03", "\x04", "\x05", "\x06", "\x07", "\x08")

# DateUtils.PATTERN_ARRAY, in its order: (full-match regex, rewrite to ISO yyyy-MM-dd)
_DATE_FORMS = (
    (r"\d{4}-\d{2}-\d{2}", None),
    (r"(\d{4})年(\d{2})月(\d{2})日", r"\1-\2-\3"),
    (r"(\d{4})/(\d{2})/(\d{2})", r"\1-\2-\3"),
    (r"(\d{4})\.(\d{2})\.(\d{2})", r"\1-\2-\3"),
    (r"(\d{4})(\d{2})(\d{2})", r"\1-\2-\3"),
)
# DateTimeUtils.matchDateTimeFormatter: length 19, length > 19, length 14
_TS_19 = (
    (r"\d{4}-\d{2}-\d{2}\s\d{2}:\d{2}:\d{2}", None),
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", None),
    (r"(\d{4})/(\d{2})/(\d{2})\s(\d{2}:\d{2}:\d{2})", r"\1-\2-\3 \4"),
    (r"(\d{4})\.(\d{2})\.(\d{2})\s(\d{2}:\d{2}:\d{2})", r"\1-\2-\3 \4"),
)
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_TS_LONG = (
    (r"\d{4}-\d{2}-\d{2} " + _TIME, None),
    (r"\d{4}-\d{2}-\d{2}T" + _TIME, None),
    (r"(\d{4})/(\d{2})/(\d{2}) (" + _TIME + ")", r"\1-\2-\3 \4"),
    (r"(\d{4})\.(\d{2})\.(\d{2}) (" + _TIME + ")", r"\1-\2-\3 \4"),
    (
        r"(\d{4})年(\d{2})月(\d{2})日\s(\d{2})时(\d{2})分(\d{2})秒",
        r"\1-\2-\3 \4:\5:\6",
    ),
)
_TS_14 = (r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", r"\1-\2-\3 \4:\5:\6")
_TIME_OF_DAY = r"\d{2}:\d{2}:\d{2}(\.\d{1,9})?"


class ValueParseError(ValueError):
    """A field value that does not parse as its declared type (fails the job, as in SeaTunnel)."""


def parse_column(strings: pa.Array, sea: SeaType, field: str, level: int = 0) -> pa.Array:
    """The string column `strings` converted to SeaTunnel type `sea` (empty strings are null)."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if not pa.types.is_string(strings.type):
        strings = pc.cast(strings, pa.string())
    empty = pc.equal(strings, "")
    if pc.any(empty).as_py():  # (most columns have none: skip the copy)
        strings = pc.if_else(empty, pa.scalar(None, pa.string()), strings)
    name = sea.name
    if name == "string":
        return strings
    if name == "null":
        return pa.nulls(len(strings))
    if name == "boolean":
        return pc.equal(pc.utf8_lower(strings), "true")
    if name == "bytes":
        return pc.cast(strings, pa.binary())
    if name in ("tinyint", "smallint", "int", "bigint"):
        return _strict(strings, arrow_type(sea), field, sea, r"[-+]?\d+")
    if name in ("float", "double"):
        try:
            return pc.cast(strings, arrow_type(sea))  # the common case, without the rewrites
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        trimmed = pc.utf8_trim_whitespace(strings)
        trimmed = pc.replace_substring_regex(trimmed, r"^([-+]?)Infinity$", r"\1inf")
        trimmed = pc.replace_substring_regex(trimmed, r"^([-+]?[0-9.eE+-]+)[fFdD]$", r"\1")
        return _strict(trimmed, arrow_type(sea), field, sea, r"[-+]?(nan|NaN|inf|[0-9.eE+-]+)")
    if name == "decimal":
        return _decimal(strings, sea, field)
    if name == "date":
        return _dated(strings, field, sea, _date_forms(strings), pa.date32())
    if name == "timestamp":
        return _dated(strings, field, sea, _timestamp_forms(strings), pa.timestamp("us"))
    if name == "time":
        _check_all(strings, _TIME_OF_DAY, field, sea)
        stamped = pc.binary_join_element_wise("1970-01-01 ", strings, "")
        return pc.cast(pc.cast(stamped, pa.timestamp("ns")), pa.time64("us"))
    if name == "array":
        return _array(strings, sea, field, level)
    if name == "map":
        return _map(strings, sea, field, level)
    if name == "row":
        return _row(strings, sea, field, level)
    raise ValueParseError(f"field '{field}': type {sea.display()} cannot be read from text")


def _first_value(strings: pa.Array) -> str | None:
    valid = strings.drop_null()
    return valid[0].as_py() if len(valid) else None


def _bad_value(strings: pa.Array, ok: pa.Array) -> str:
    bad = strings.filter(pc.invert(pc.fill_null(ok, True)))
    return bad[0].as_py() if len(bad) else ""


def _fail(field: str, sea: SeaType, value: str) -> ValueParseError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return ValueParseError(
        f"Deserialize this data [{shown}] of field '{field}' as {sea.display()} failed"
    )


def _check_all(strings: pa.Array, regex: str, field: str, sea: SeaType) -> None:
    ok = pc.match_substring_regex(strings, f"^(?:{regex})$")
    if not pc.all(pc.fill_null(ok, True)).as_py():
        raise _fail(field, sea, _bad_value(strings, ok))


def _strict(
    strings: pa.Array, target: pa.DataType, field: str, sea: SeaType, regex: str
) -> pa.Array:
    try:
        return pc.cast(strings, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(strings, f"^(?:{regex})$")
        bad = _bad_value(strings, ok)
        if not bad:  # well-formed but out of range: find it by casting one at a time
            for value in strings.drop_null().to_pylist():
                try:
                    pc.cast(pa.array([value]), target)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    bad = value
                    break
        raise _fail(field, sea, bad) from None


def _decimal(strings: pa.Array, sea: SeaType, field: str) -> pa.Array:
    target = arrow_type(sea)
    try:
        return pc.cast(strings, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # More digits than the declared scale (BigDecimal keeps them; Arrow cannot): round half-up.
    quantum = decimal.Decimal(1).scaleb(-sea.scale)
    values = []
    for text in strings.to_pylist():
        if text is None:
            values.append(None)
            continue
        try:
            values.append(decimal.Decimal(text).quantize(quantum, decimal.ROUND_HALF_UP))
        except (decimal.InvalidOperation, ValueError):
            raise _fail(field, sea, text) from None
    try:
        return pa.array(values, target)
    except (pa.ArrowInvalid, OverflowError):
        raise _fail(field, sea, next(v for v in strings.to_pylist() if v)) from None


def _date_forms(strings: pa.Array) -> tuple[str, str | None] | None:
    first = _first_value(strings)
    if first is None:
        return None
    for regex, rewrite in _DATE_FORMS:
        if re.fullmatch(regex, first):
            return regex, rewrite
    return None


def _timestamp_forms(strings: pa.Array) -> tuple[str, str | None] | None:
    first = _first_value(strings)
    if first is None:
        return None
    if len(first) == 19:
        forms = _TS_19
    elif len(first) > 19:
        forms = _TS_LONG
    elif len(first) == 14:
        forms = (_TS_14,)
    else:
        forms = ()
    for regex, rewrite in forms:
        if re.fullmatch(regex, first):
            return regex, rewrite
    return None


def _dated(
    strings: pa.Array,
    field: str,
    sea: SeaType,
    form: tuple[str, str | None] | None,
    target: pa.DataType,
) -> pa.Array:
    if strings.null_count == len(strings):
        return pa.nulls(len(strings), target)
    if form is None:
        raise _fail(field, sea, _first_value(strings) or "")
    regex, rewrite = form
    _check_all(strings, regex, field, sea)
    if rewrite is not None:
        strings = pc.replace_substring_regex(strings, f"^{regex}$", rewrite)
    try:
        if target == pa.date32():
            return pc.cast(strings, target)
        return pc.cast(pc.cast(strings, pa.timestamp("ns")), target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for value in strings.drop_null().to_pylist():
            try:
                pc.cast(pa.array([value]), pa.timestamp("ns"))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise _fail(field, sea, value) from None
        raise


def _separator(level: int) -> str:
    if level >= len(NESTED_SEPARATORS):
        raise ValueParseError("types are nested too deeply for the text format")
    return NESTED_SEPARATORS[level]


def _array(strings: pa.Array, sea: SeaType, field: str, level: int) -> pa.Array:
    lists = pc.split_pattern(strings, _separator(level))
    # Java's String.split drops trailing empty strings; SeaTunnel then maps blanks to null
    values = parse_column(lists.values, sea.element, field, level + 1)  # type: ignore[arg-type]
    return pa.ListArray.from_arrays(
        lists.offsets, values, type=arrow_type(sea), mask=lists.is_null()
    )


def _map(strings: pa.Array, sea: SeaType, field: str, level: int) -> pa.Array:
    entries = pc.split_pattern(strings, _separator(level))
    pairs = pc.split_pattern(entries.values, _separator(level + 1))
    padded = pc.list_slice(pairs, 0, 2, return_fixed_size_list=True)
    keys = parse_column(pc.list_element(padded, 0), sea.key, field, level + 1)  # type: ignore[arg-type]
    items = parse_column(pc.list_element(padded, 1), sea.value, field, level + 1)  # type: ignore[arg-type]
    return pa.MapArray.from_arrays(
        entries.offsets, keys, items, type=arrow_type(sea), mask=entries.is_null()
    )


def _row(strings: pa.Array, sea: SeaType, field: str, level: int) -> pa.Array:
    """A row's fields split on the next separator; missing trailing fields are null."""
    parts = pc.split_pattern(strings, _separator(level))
    padded = pc.list_slice(parts, 0, len(sea.fields), return_fixed_size_list=True)
    children = [
        parse_column(pc.list_element(padded, i), f.type, f"{field}.{f.name}", level + 1)
        for i, f in enumerate(sea.fields)
    ]
    return pa.StructArray.from_arrays(
        children, fields=list(arrow_type(sea)), mask=pc.is_null(strings)
    )
