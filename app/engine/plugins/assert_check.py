"""Run-time only: the Assert sink's field rules evaluated a whole batch at a time with
pyarrow.compute (SeaTunnel's AssertExecutor), and its failure messages.

Each field rule becomes a mask "this row breaks it"; the first row breaking any rule fails the
job with SeaTunnel's message: `row :SeaTunnelRow{...} fail rule: AssertFieldRule(...)`, followed
by which rule, field and value broke it.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from app.engine.javafmt import java_double
from app.engine.plugins.assert_rules import AssertRule, FieldRule, RuleError
from app.engine.plugins.console_format import _java, _text
from app.engine.plugins.text_values import ValueParseError, parse_column
from app.engine.types import Schema, SeaType

ERROR_PREFIX = "ErrorCode:[ASSERT-01], ErrorDescription:[Rule validate failed] - "
_NUMERIC = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")
_SHORT_KINDS = ("+I", "-U", "+U", "-D")

Mask = Callable[[pa.Array], pa.Array]  # column -> booleans, True where the row breaks the rule


class CompiledFieldRule:
    """One FieldRule bound to a table's column: masks for the type check and each value rule."""

    def __init__(self, rule: FieldRule, schema: Schema) -> None:
        self.rule = rule
        self.index = schema.index(rule.field_name)
        self.sea = schema.fields[self.index].type
        self.checks: list[tuple[str, Mask]] = []
        if rule.field_type is not None:
            self.checks.append(("field_type", _type_mask(self.sea, rule.field_type)))
        for value_rule in rule.rules:
            self.checks.append(
                (_describe(value_rule), _value_mask(value_rule, self.sea, rule.field_name))
            )

    def masks(self, column: pa.Array) -> list[pa.Array]:
        """One mask per check, in rule order."""
        return [mask(column) for _, mask in self.checks]


def compile_rules(rules: list[FieldRule], schema: Schema) -> list[CompiledFieldRule]:
    """Bind `rules` to `schema`; RuleError for an unknown field or an equals_to of the wrong type."""
    compiled = []
    for rule in rules:
        if not schema.has(rule.field_name):
            raise RuleError(
                f"field_name {rule.field_name!r:.80} is not a field of the table "
                f"(fields: {', '.join(schema.names[:20])})"
            )
        compiled.append(CompiledFieldRule(rule, schema))
    return compiled


def first_failure(batch: Any, compiled: list[CompiledFieldRule]) -> str | None:
    """The failure message for the first row of `batch` breaking a rule, or None.

    As in SeaTunnel, rows are checked in order and the reported rule is the first rule (in
    config order) that row breaks.
    """
    data = batch.data
    all_checks: list[list[pa.Array]] = []
    first: int | None = None
    for rule in compiled:
        checks = [pc.fill_null(m, False) for m in rule.masks(data.column(rule.index))]
        all_checks.append(checks)
        if not checks:
            continue
        broken = functools.reduce(pc.or_, checks)
        if pc.any(broken).as_py():
            row = pc.index(broken, True).as_py()
            first = row if first is None else min(first, row)
    if first is None:
        return None
    for rule, checks in zip(compiled, all_checks, strict=True):
        for (label, _), mask in zip(rule.checks, checks, strict=True):
            if mask[first].as_py():
                value = data.column(rule.index)[first].as_py()
                kind = data.schema.field(rule.index).type
                shown = "null" if value is None else _text(kind, value)
                return (
                    f"{ERROR_PREFIX}row :{_row_text(batch, first)} fail rule: {rule.rule.java()} "
                    f"(field {rule.rule.field_name} value {shown[:200]} breaks {label})"
                )
    return None


def _row_text(batch: Any, row: int) -> str:
    data = batch.data
    values = []
    for column in data.columns:
        value = column[row].as_py()
        values.append("null" if value is None else _text(column.type, value))
    kind = 0 if batch.kinds is None else batch.kinds[row].as_py()
    text = ", ".join(values)
    if len(text) > 1000:
        text = text[:997] + "..."
    return f"SeaTunnelRow{{tableId={batch.table}, kind={_SHORT_KINDS[kind]}, fields=[{text}]}}"


def _describe(rule: AssertRule) -> str:
    parts = []
    if rule.rule_type is not None:
        parts.append(rule.rule_type)
        if rule.rule_value is not None:
            parts.append(java_double(rule.rule_value))
    if rule.has_equals_to:
        parts.append(f"equals_to {_plain(rule.equals_to)}")
    return " ".join(parts) or "no rule"


def _plain(value: Any) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:77] + "..."


# -- type check --------------------------------------------------------------------------------
def _type_mask(column_type: SeaType, expected: SeaType) -> Mask:
    """A non-null value of another type breaks the rule (AssertExecutor.checkType)."""
    if column_type.name == "decimal" and expected.name == "decimal":
        if column_type.scale != expected.scale:
            return pc.is_valid
        if column_type.precision <= expected.precision:
            return _never
        limit = 10 ** (expected.precision - expected.scale)

        def too_precise(column: pa.Array) -> pa.Array:
            bound = pa.scalar(limit, pa.decimal128(38, 0))
            return pc.greater_equal(
                pc.abs(pc.cast(column, pa.decimal128(38, column.type.scale))), bound
            )

        return too_precise
    if column_type == expected:
        return _never
    return pc.is_valid


def _never(column: pa.Array) -> pa.Array:
    return pc.and_(pc.is_valid(column), pc.is_null(column))


def _always(column: pa.Array) -> pa.Array:
    return pc.or_(pc.is_valid(column), pc.is_null(column))


# -- value rules -------------------------------------------------------------------------------
def _value_mask(rule: AssertRule, sea: SeaType, field_name: str) -> Mask:
    type_mask = _rule_type_mask(rule, sea)
    if not rule.has_equals_to:
        return type_mask
    equals = _equals_mask(rule.equals_to, sea, field_name)

    def both(column: pa.Array) -> pa.Array:
        return pc.or_(pc.fill_null(type_mask(column), True), pc.fill_null(equals(column), False))

    return both


def _rule_type_mask(rule: AssertRule, sea: SeaType) -> Mask:
    kind, limit = rule.rule_type, rule.rule_value
    if kind is None:
        return _never
    if kind == "NULL":
        return pc.is_valid
    if kind == "NOT_NULL":
        return pc.is_null
    if kind in ("MIN", "MAX"):
        if sea.name not in _NUMERIC:
            return _always  # not a Number: every row breaks it
        compare = pc.less if kind == "MIN" else pc.greater

        def out_of_range(column: pa.Array) -> pa.Array:
            numbers = pc.cast(column, pa.float64(), safe=False)
            return pc.fill_null(compare(numbers, limit), True)  # null is not a Number: fails

        return out_of_range
    compare = pc.less if kind == "MIN_LENGTH" else pc.greater

    def bad_length(column: pa.Array) -> pa.Array:
        return compare(_java_lengths(column), limit)

    return bad_length


def _java_lengths(column: pa.Array) -> pa.Array:
    """String.valueOf(value).length(): UTF-16 units; null counts as the empty string."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column
    elif pa.types.is_integer(column.type):
        text = pc.cast(column, pa.string())
    else:
        text = pa.array(
            [None if v is None else _java(column.type, v) for v in column.to_pylist()], pa.string()
        )
    lengths = pc.add(
        pc.utf8_length(text), pc.count_substring_regex(text, "[\U00010000-\U0010ffff]")
    )
    return pc.fill_null(pc.cast(lengths, pa.int64()), 0)


def _equals_mask(expected: Any, sea: SeaType, field_name: str) -> Mask:
    """A non-null value unequal to `expected` (converted like SeaTunnel's JSON converter) fails."""
    if sea.name in ("array", "map", "bytes", "row"):
        want = _python_value(expected, sea, field_name)

        def differs(column: pa.Array) -> pa.Array:
            got = column.to_pylist()
            if sea.name == "map":
                got = [None if v is None else dict(v) for v in got]
            return pa.array([v is not None and v != want for v in got], pa.bool_())

        return differs
    scalar = _scalar(expected, sea, field_name)

    def unequal(column: pa.Array) -> pa.Array:
        if not scalar.is_valid:
            return pc.is_valid(column)
        return pc.fill_null(pc.not_equal(column, scalar), False)

    return unequal


def _text_of(value: Any, sea: SeaType) -> str:
    """The JSON node's text SeaTunnel's converter parses (asText, or JSON for containers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    if isinstance(value, float) and sea.name not in ("float", "double", "decimal"):
        return java_double(value)
    return str(value)


def _scalar(expected: Any, sea: SeaType, field_name: str) -> pa.Scalar:
    from app.engine.arrow_types import arrow_type

    if expected is None:
        return pa.scalar(None, arrow_type(sea))
    text = _text_of(expected, sea)
    if sea.name == "string":
        return pa.scalar(text, pa.string())
    try:
        converted = parse_column(pa.array([text], pa.string()), sea, field_name)
    except (ValueParseError, pa.ArrowException):
        raise RuleError(
            f"equals_to {_plain(expected)} of field {field_name!r:.80} cannot be read as {sea.display()}"
        ) from None
    return converted[0]


def _python_value(expected: Any, sea: SeaType, field_name: str) -> Any:
    if expected is None:
        return None
    if sea.name == "bytes":
        try:
            return base64.b64decode(_text_of(expected, sea), validate=True)
        except ValueError:
            raise RuleError(f"equals_to of field {field_name!r:.80} is not base64 bytes") from None
    if sea.name == "array":
        if not isinstance(expected, list):
            raise RuleError(f"equals_to of field {field_name!r:.80} must be a list")
        return [_python_value(v, sea.element, field_name) for v in expected]  # type: ignore[arg-type]
    if sea.name == "map":
        if not isinstance(expected, dict):
            raise RuleError(f"equals_to of field {field_name!r:.80} must be an object")
        return {
            _python_value(k, sea.key, field_name): _python_value(v, sea.value, field_name)  # type: ignore[arg-type]
            for k, v in expected.items()
        }
    if sea.name == "row":
        if isinstance(expected, list):  # a row given by position
            expected = {f.name: v for f, v in zip(sea.fields, expected, strict=False)}
        if not isinstance(expected, dict):
            raise RuleError(f"equals_to of field {field_name!r:.80} must be an object")
        return {f.name: _python_value(expected.get(f.name), f.type, field_name) for f in sea.fields}
    return _scalar(expected, sea, field_name).as_py()
