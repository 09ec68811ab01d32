"""Typed expression nodes of the Sql transform, each evaluated over a whole Arrow batch at once.

A node's eval(ctx) returns a pyarrow Array (one value per row) or a Scalar (the same for every
row). Conditions (WHERE, CASE WHEN) return non-null boolean values: Zeta's filter is two-valued.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from app.engine.arrow_types import arrow_type
from app.engine.plugins.sql import sqltypes as st
from app.engine.plugins.sql.values import (
    Value,
    as_type,
    fill_false,
    first_bad,
    is_scalar,
    materialize,
    rowwise,
    to_string,
)
from app.engine.types import SeaType


class EvalError(Exception):
    """A row the query cannot evaluate: names the expression and the offending value."""

    def __init__(self, text: str, value: Any, reason: str) -> None:
        super().__init__(f"{reason} in `{text}` (value {value!r})")
        self.text = text
        self.value = value
        self.reason = reason


class Ctx:
    """One batch being evaluated: its columns, row count and the batch's "now"."""

    __slots__ = ("data", "n", "now")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.n = data.num_rows
        self.now = dt.datetime.now()


class Expr:
    """A typed expression: `type` (SeaType), `text` (as written in the query)."""

    type: SeaType = st.NULL
    text: str = ""

    def eval(self, ctx: Ctx) -> Value:
        """The expression's value for every row of the batch."""
        raise NotImplementedError


class Literal(Expr):
    """A constant."""

    def __init__(self, value: Any, sea: SeaType, text: str) -> None:
        self.type, self.text = sea, text
        self.scalar = pa.scalar(value, arrow_type(sea))

    def eval(self, ctx: Ctx) -> Value:
        """The constant as a scalar."""
        return self.scalar


class Column(Expr):
    """An input column, a field of a ROW column (`path`: struct child indices, outermost first),
    and/or a key of a MAP (`key`); a null parent gives null."""

    def __init__(
        self,
        index: int,
        sea: SeaType,
        text: str,
        path: tuple[int, ...] = (),
        key: str | None = None,
    ) -> None:
        self.index, self.type, self.text, self.path, self.key = index, sea, text, path, key

    @property
    def plain(self) -> bool:
        """Whether this is the input column itself (a pass-through keeps its metadata)."""
        return not self.path and self.key is None

    def eval(self, ctx: Ctx) -> Value:
        """The column's array (zero-copy), its nested field, or the looked-up map values."""
        value = ctx.data.column(self.index)
        if self.path:
            value = pc.struct_field(value, list(self.path))
        if self.key is not None:
            value = pc.map_lookup(value, pa.scalar(self.key, value.type.key_type), "first")
        return value


class Now(Expr):
    """NOW()/CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME: fixed for a batch."""

    def __init__(self, sea: SeaType, text: str) -> None:
        self.type, self.text = sea, text

    def eval(self, ctx: Ctx) -> Value:
        """The batch's clock reading at this type."""
        now = ctx.now
        value: Any = {"timestamp": now, "date": now.date(), "time": now.time()}[self.type.name]
        return pa.scalar(value, arrow_type(self.type))


def _int_of(sea: SeaType) -> bool:
    return sea.name in ("int", "bigint")


class Arith(Expr):
    """+ - * / % with Zeta's result type: INT wraps around, integer / truncates, % keeps the dividend's sign."""

    def __init__(self, op: str, left: Expr, right: Expr, sea: SeaType, text: str) -> None:
        self.op, self.left, self.right, self.type, self.text = op, left, right, sea, text

    def eval(self, ctx: Ctx) -> Value:
        """Vectorized arithmetic in the result type."""
        a, b = self.left.eval(ctx), self.right.eval(ctx)
        t = self.type
        if _int_of(t):
            return self._integers(as_type(a, t), as_type(b, t))
        a, b = as_type(a, st.DOUBLE), as_type(b, st.DOUBLE)
        if t.name == "decimal":
            return self._decimal(a, b)
        return self._double(a, b)

    def _integers(self, a: Value, b: Value) -> Value:
        if self.op in "+-*":
            return {"+": pc.add, "-": pc.subtract, "*": pc.multiply}[self.op](a, b)
        zero = pc.equal(b, 0)
        if pc.any(zero).as_py() if not is_scalar(zero) else zero.as_py():
            dividend = a if is_scalar(a) else pc.filter(a, fill_false(zero))
            if not is_scalar(dividend):
                dividend = dividend[0] if len(dividend) else pa.scalar(None)
            raise EvalError(self.text, dividend.as_py(), "division by zero")
        quotient = pc.divide(a, b)  # Arrow's integer division truncates toward zero, like Java
        if self.op == "/":
            return quotient
        return pc.subtract(a, pc.multiply(quotient, b))

    def _double(self, a: Value, b: Value) -> Value:
        if self.op == "%":
            return pc.subtract(a, pc.multiply(pc.trunc(pc.divide(a, b)), b))
        fn = {"+": pc.add, "-": pc.subtract, "*": pc.multiply, "/": pc.divide}[self.op]
        return fn(a, b)

    def _decimal(self, a: Value, b: Value) -> Value:
        if self.op in "/%":
            zero = pc.equal(b, 0.0)
            if pc.any(zero).as_py() if not is_scalar(zero) else zero.as_py():
                raise EvalError(self.text, first_bad(a, lambda _: False), "division by zero")
        if self.op == "/":
            value = pc.round(pc.divide(a, b), self.type.scale, round_mode="towards_infinity")
        else:
            value = self._double(a, b)
            value = pc.round(value, self.type.scale, round_mode="half_towards_infinity")
        return value.cast(arrow_type(self.type), safe=False)


class Neg(Expr):
    """Unary minus (wraps around for INT like Java)."""

    def __init__(self, arg: Expr, text: str) -> None:
        self.arg, self.type, self.text = arg, arg.type, text

    def eval(self, ctx: Ctx) -> Value:
        """-x."""
        return pc.negate(self.arg.eval(ctx))


_JAVA_INT_TEXT = re.compile(r"[+-]?\d+")


class Cast(Expr):
    """CAST(x AS t) with SystemFunction.castAs's rules (numbers parse x.toString() strictly)."""

    def __init__(self, arg: Expr, sea: SeaType, target_name: str, text: str) -> None:
        self.arg, self.type, self.target_name, self.text = arg, sea, target_name, text

    def eval(self, ctx: Ctx) -> Value:
        """Convert, raising EvalError naming the first value that does not convert."""
        value = self.arg.eval(ctx)
        source = self.arg.type
        if source.name == "string":  # quirk: CAST('INT' AS INT) is null
            same = pc.equal(value, self.target_name)
            value = pc.if_else(fill_false(same), pa.scalar(None, pa.string()), value)
        if source.name == "null":
            return pa.scalar(None, arrow_type(self.type))
        target = self.type.name
        if target == "string":
            return to_string(value, source)
        if target == "bytes":
            return to_string(value, source).cast(pa.binary())
        if target in ("int", "bigint", "tinyint"):
            return self._integer(value, source)
        if target in ("double", "float"):
            return self._floating(value, source)
        if target == "decimal":
            return self._decimal(value, source)
        return self._temporal(value, source)

    def _fail(self, value: Value, ok: Callable[[Any], bool]) -> EvalError:
        bad = first_bad(value, ok)
        return EvalError(self.text, bad, f"cannot cast to {self.type.display()}")

    def _integer(self, value: Value, source: SeaType) -> Value:
        target = arrow_type(self.type)
        if (
            source.name in ("double", "float", "boolean")
            or source.name in st.TEMPORAL
            or (source.name == "decimal" and source.scale > 0)
        ):
            if _has_values(value):
                raise self._fail(value, lambda _: False)
            return (
                value.cast(target, safe=False)
                if source.name != "boolean"
                else pa.nulls(len(value), target)
                if not is_scalar(value)
                else pa.scalar(None, target)
            )
        if source.name == "string":
            ok = pc.match_substring_regex(value, r"^[+-]?\d+$")
            if not (ok.as_py() if is_scalar(ok) else pc.all(ok).as_py() in (True, None)):
                raise self._fail(value, lambda v: bool(_JAVA_INT_TEXT.fullmatch(v)))
        try:
            return value.cast(target, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            bits = {"int8": 8, "int32": 32, "int64": 64}[str(target)]
            low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
            raise self._fail(value, lambda v: low <= int(v) <= high) from None

    def _floating(self, value: Value, source: SeaType) -> Value:
        target = arrow_type(self.type)
        unparsable = source.name in ("boolean", *st.TEMPORAL, "bytes", "array", "map")
        if unparsable and _has_values(value):
            raise self._fail(value, lambda _: False)
        if source.name == "string":
            value = pc.utf8_trim_whitespace(value)
        try:
            return value.cast(target, safe=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise self._fail(value, _parses_float) from None

    def _decimal(self, value: Value, source: SeaType) -> Value:
        target = arrow_type(self.type)
        scale = self.type.scale
        if st.is_integer(source) or (source.name == "decimal" and source.scale <= scale):
            return value.cast(target, safe=False)
        quantum = Decimal(1).scaleb(-scale)
        text = to_string(value, source)

        def convert(item: str) -> Decimal:
            try:
                return Decimal(item).quantize(quantum, rounding=ROUND_CEILING)
            except InvalidOperation:
                raise EvalError(self.text, item, f"cannot cast to {self.type.display()}") from None

        return rowwise(convert, target, text)

    def _temporal(self, value: Value, source: SeaType) -> Value:
        target, out = self.type.name, arrow_type(self.type)
        if source.name == target:
            return value
        if target == "timestamp":
            if source.name == "date":
                return value.cast(out)
            if source.name == "time":
                today = pa.scalar(dt.datetime.combine(dt.date.today(), dt.time()), out)
                micros = (
                    value.cast(pa.int64())
                    if not is_scalar(value)
                    else pa.scalar(value.value, pa.int64())
                )
                return pc.add(today.cast(pa.int64()), micros).cast(out)
            if source.name == "bigint":
                offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta()
                micros = pc.multiply(value, 1000)
                return pc.add(micros, int(offset.total_seconds() * 1_000_000)).cast(out)
        if target == "date":
            if source.name == "timestamp":
                return value.cast(out)
            if source.name == "int":
                text = pc.utf8_lpad(value.cast(pa.string()), 8, "0")
                try:
                    return pc.strptime(text, "%Y%m%d", "us").cast(out)
                except pa.ArrowInvalid:
                    raise self._fail(value, lambda v: _valid_yyyymmdd(v)) from None
        if target == "time":
            if source.name == "timestamp":
                return value.cast(out)
            if source.name == "date":
                return (
                    pc.if_else(pc.is_valid(value), pa.scalar(dt.time(), out), None)
                    if not (is_scalar(value))
                    else pa.scalar(dt.time() if value.is_valid else None, out)
                )
            if source.name == "int":
                secs = pc.add(
                    pc.add(
                        pc.multiply(pc.divide(value, 10000), 3600),
                        pc.multiply(
                            pc.subtract(
                                pc.divide(value, 100), pc.multiply(pc.divide(value, 10000), 100)
                            ),
                            60,
                        ),
                    ),
                    pc.subtract(value, pc.multiply(pc.divide(value, 100), 100)),
                )
                return pc.multiply(secs.cast(pa.int64()), 1_000_000).cast(out)
        raise EvalError(
            self.text,
            first_bad(value, lambda _: False),
            f"Unsupported CAST AS type: {target.upper()}",
        )


def _has_values(value: Value) -> bool:
    """Whether any row is non-null."""
    return value.is_valid if is_scalar(value) else value.null_count < len(value)


def _parses_float(text: Any) -> bool:
    try:
        float(str(text))
    except ValueError:
        return False
    return True


def _valid_yyyymmdd(value: int) -> bool:
    try:
        dt.date(value // 10000, (value // 100) % 100, value % 100)
    except ValueError:
        return False
    return True


class Call(Expr):
    """A function call: `impl(ctx, values)` over the evaluated arguments."""

    def __init__(
        self, name: str, args: list[Expr], sea: SeaType, impl: Callable[..., Value], text: str
    ) -> None:
        self.name, self.args, self.type, self.impl, self.text = name, args, sea, impl, text

    def eval(self, ctx: Ctx) -> Value:
        """Evaluate the arguments, then the function."""
        try:
            return self.impl(ctx, [a.eval(ctx) for a in self.args], self)
        except EvalError:
            raise
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, OverflowError) as exc:
            reason = " ".join(str(exc).split())
            raise EvalError(self.text, None, f"{self.name} failed: {reason}") from None


class Case(Expr):
    """Searched CASE (conditions) or simple CASE (equality with the operand), cast to the CASE type."""

    def __init__(
        self, whens: list[tuple[Expr, Expr]], default: Expr | None, sea: SeaType, text: str
    ) -> None:
        self.whens, self.default, self.type, self.text = whens, default, sea, text

    def eval(self, ctx: Ctx) -> Value:
        """pyarrow's case_when over the branch masks."""
        n = ctx.n
        masks = [materialize(c.eval(ctx), n, st.BOOLEAN) for c, _ in self.whens]
        values = [materialize(v.eval(ctx), n, self.type) for _, v in self.whens]
        if self.default is not None:
            values.append(materialize(self.default.eval(ctx), n, self.type))
        names = [str(i) for i in range(len(masks))]
        conds = pa.StructArray.from_arrays(masks, names=names)
        return pc.case_when(conds, *values)


# ---- conditions: non-null booleans --------------------------------------------------------------


def _any_true(mask: Value) -> bool:
    return bool(mask.as_py()) if is_scalar(mask) else bool(pc.any(mask).as_py())


def equal_mask(left: Expr, right: Expr, a: Value, b: Value) -> Value:
    """Zeta's equals: numbers by double value, other types only when both have the same type; null is false."""
    lt, rt = left.type, right.type
    if lt.name == "null" or rt.name == "null":
        return pa.scalar(False)
    if st.is_numeric(lt) and st.is_numeric(rt):
        return fill_false(pc.equal(as_type(a, st.DOUBLE), as_type(b, st.DOUBLE)))
    if lt != rt and not (lt.name == rt.name and lt.name != "decimal"):
        return pa.scalar(False)
    return fill_false(pc.equal(a, b))


def valid(value: Value) -> Value:
    """Non-null mask."""
    if is_scalar(value):
        return pa.scalar(value.is_valid)
    return pc.is_valid(value)


class Compare(Expr):
    """= != <> > >= < <= with Zeta's rules: null gives false, except null != x when x is not null."""

    type = st.BOOLEAN

    def __init__(self, op: str, left: Expr, right: Expr, text: str) -> None:
        self.op, self.left, self.right, self.text = op, left, right, text

    def eval(self, ctx: Ctx) -> Value:
        """A non-null boolean mask."""
        a, b = self.left.eval(ctx), self.right.eval(ctx)
        if self.op == "=":
            return equal_mask(self.left, self.right, a, b)
        if self.op == "!=":
            both = pc.and_(valid(a), valid(b))
            differs = pc.invert(equal_mask(self.left, self.right, a, b))
            one = pc.xor(valid(a), valid(b))
            return pc.if_else(both, differs, one)
        lt, rt = self.left.type, self.right.type
        if st.is_numeric(lt) and st.is_numeric(rt):
            a, b = as_type(a, st.DOUBLE), as_type(b, st.DOUBLE)
        fn = {">": pc.greater, ">=": pc.greater_equal, "<": pc.less, "<=": pc.less_equal}[self.op]
        return fill_false(fn(a, b))


class IsNull(Expr):
    """x IS [NOT] NULL."""

    type = st.BOOLEAN

    def __init__(self, arg: Expr, negate: bool, text: str) -> None:
        self.arg, self.negate, self.text = arg, negate, text

    def eval(self, ctx: Ctx) -> Value:
        """Validity mask."""
        ok = valid(self.arg.eval(ctx))
        return ok if self.negate else pc.invert(ok)


class InList(Expr):
    """x [NOT] IN (...): numbers by double value; a null x is true only when the first item is null."""

    type = st.BOOLEAN

    def __init__(self, left: Expr, items: list[Expr], negate: bool, text: str) -> None:
        self.left, self.items, self.negate, self.text = left, items, negate, text

    def eval(self, ctx: Ctx) -> Value:
        """OR of the item equalities, then the null rules."""
        a = self.left.eval(ctx)
        values = [i.eval(ctx) for i in self.items]
        hit: Value = pa.scalar(False)
        for item, value in zip(self.items, values, strict=True):
            hit = pc.or_(hit, equal_mask(self.left, item, a, value))
        if self.negate:
            hit = pc.invert(hit)
        first_null = pc.invert(valid(values[0]))
        return pc.if_else(valid(a), hit, first_null)


def like_regex(pattern: str) -> str:
    """ZetaSQLFilter's LIKE -> Java regex: only leading/trailing % and _ become wildcards."""
    regex = pattern
    if regex.startswith("%"):
        regex = ".*" + regex[1:]
    if regex.endswith("%"):
        regex = regex[:-1] + ".*"
    if regex.startswith("_"):
        regex = "." + regex[1:]
    if regex.endswith("_"):
        regex = regex[:-1] + "."
    if len(regex) >= 3 and regex[-3:].endswith("_.*"):
        regex = regex[:-3] + "..*"
    if len(regex) >= 2 and regex.startswith("'") and regex.endswith("'"):
        regex = regex[1:-1]
    return regex


def full_match(value: Value, regex: str) -> Value:
    """Mask of values fully matching a Java regex (RE2 when it can, Python re otherwise)."""
    try:
        return pc.match_substring_regex(value, f"^(?:{regex})$")
    except pa.ArrowInvalid:
        compiled = re.compile(regex, re.DOTALL)
        return rowwise(lambda v: compiled.fullmatch(v) is not None, pa.bool_(), value)


class Like(Expr):
    """x [NOT] LIKE 'pattern' (a null x is false either way)."""

    type = st.BOOLEAN

    def __init__(self, left: Expr, pattern: str, negate: bool, text: str) -> None:
        self.left, self.negate, self.text = left, negate, text
        self.regex = like_regex(pattern)

    def eval(self, ctx: Ctx) -> Value:
        """Full regex match of the value's text."""
        text = to_string(self.left.eval(ctx), self.left.type)
        hit = full_match(text, self.regex)
        if self.negate:
            hit = pc.invert(hit)
        return fill_false(hit)


class Logic(Expr):
    """AND / OR over two conditions."""

    type = st.BOOLEAN

    def __init__(self, op: str, left: Expr, right: Expr, text: str) -> None:
        self.op, self.left, self.right, self.text = op, left, right, text

    def eval(self, ctx: Ctx) -> Value:
        """Both sides are non-null masks."""
        fn = pc.and_ if self.op == "and" else pc.or_
        return fn(self.left.eval(ctx), self.right.eval(ctx))


class Truth(Expr):
    """A boolean-returning function used as a condition: null reads as false."""

    type = st.BOOLEAN

    def __init__(self, arg: Expr) -> None:
        self.arg, self.text = arg, arg.text

    def eval(self, ctx: Ctx) -> Value:
        """fill_null(false)."""
        return fill_false(self.arg.eval(ctx))
