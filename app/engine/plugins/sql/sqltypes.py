"""Zeta SQL type rules over SeaTunnel types: arithmetic result types, CASE's "max" type, families."""

from __future__ import annotations

from app.engine.types import SeaType

STRING = SeaType("string")
BOOLEAN = SeaType("boolean")
INT = SeaType("int")
BIGINT = SeaType("bigint")
DOUBLE = SeaType("double")
FLOAT = SeaType("float")
TINYINT = SeaType("tinyint")
NULL = SeaType("null")
DATE = SeaType("date")
TIME = SeaType("time")
TIMESTAMP = SeaType("timestamp")
BYTES = SeaType("bytes")

SMALL_INTS = ("tinyint", "smallint", "int")
INTEGERS = ("tinyint", "smallint", "int", "bigint")
# Zeta's SqlType order among numbers, used by getMaxType.
NUMERIC_ORDER = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")
TEMPORAL = ("date", "time", "timestamp")


class SqlTypeError(ValueError):
    """An expression whose operand types Zeta rejects."""


def is_numeric(t: SeaType) -> bool:
    """TINYINT .. DECIMAL."""
    return t.name in NUMERIC_ORDER


def is_integer(t: SeaType) -> bool:
    """TINYINT, SMALLINT, INT or BIGINT."""
    return t.name in INTEGERS


def arithmetic(left: SeaType, right: SeaType) -> SeaType:
    """The result type of + - * / % (ZetaSQLType.getExpressionType for BinaryExpression)."""
    if left.name in SMALL_INTS and right.name in SMALL_INTS:
        return INT
    if left.name in INTEGERS and right.name in INTEGERS:
        return BIGINT
    if left.name == "decimal" or right.name == "decimal":
        if not (is_numeric(left) and is_numeric(right)):
            raise SqlTypeError(f"{left.display()} and {right.display()}")
        precision = max(
            left.precision if left.name == "decimal" else 0,
            right.precision if right.name == "decimal" else 0,
        )
        scale = max(
            left.scale if left.name == "decimal" else 0,
            right.scale if right.name == "decimal" else 0,
        )
        return SeaType("decimal", precision, scale)
    floating = left.name in ("float", "double") or right.name in ("float", "double")
    if floating and is_numeric(left) and is_numeric(right):
        return DOUBLE
    raise SqlTypeError(f"{left.display()} and {right.display()}")


def max_type(types: list[SeaType]) -> SeaType:
    """Zeta's getMaxType over CASE branches: NULL gives way, numbers widen, anything else must match."""
    result: SeaType | None = None
    for t in types:
        if result is None or result.name == "null":
            result = t
            continue
        if t.name == "null" or t == result:
            continue
        if not (is_numeric(result) and is_numeric(t)):
            raise SqlTypeError(f"{result.display()} type not compatible {t.display()}")
        if result.name == "decimal" or t.name == "decimal":
            p = max(x.precision for x in (result, t) if x.name == "decimal")
            s = max(x.scale for x in (result, t) if x.name == "decimal")
            result = SeaType("decimal", p, s)
        elif NUMERIC_ORDER.index(t.name) > NUMERIC_ORDER.index(result.name):
            result = t
    return result or NULL
