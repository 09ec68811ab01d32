"""Zeta's function table: argument counts, result types (reference §4.1) and vectorized implementations.

Each implementation gets the evaluated arguments (Arrow arrays or scalars) and returns one value
per row. Only rare functions (SOUNDEX, TRANSLATE, HEXTORAW, ...) fall back to a per-row loop.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from app.engine.arrow_types import arrow_type
from app.engine.plugins.sql import nodes as nd
from app.engine.plugins.sql import sqltypes as st
from app.engine.plugins.sql.dates import (
    DATE_PARTS,
    date_add,
    date_diff,
    date_part,
    date_trunc,
    format_datetime,
    from_unixtime,
    is_date,
    parse_datetime,
    parsed_type,
)
from app.engine.plugins.sql.values import (
    Value,
    as_type,
    fill_false,
    is_scalar,
    materialize,
    rowwise,
    to_string,
)
from app.engine.types import SeaType

if TYPE_CHECKING:
    from app.engine.plugins.sql.compile import Compiler

Typer = Callable[[list[SeaType]], SeaType]
Impl = Callable[[nd.Ctx, list[Value], nd.Call], Value]


@dataclass(frozen=True)
class Fn:
    """One function: accepted argument counts, result type rule, implementation."""

    low: int
    high: int
    typer: Typer
    impl: Impl


def _const(sea: SeaType) -> Typer:
    return lambda types: sea


def _first(types: list[SeaType]) -> SeaType:
    return types[0]


def _strs(call: nd.Call, vals: list[Value]) -> list[Value]:
    return [to_string(v, a.type) for v, a in zip(vals, call.args, strict=True)]


def _scalar_py(value: Value) -> Any:
    return value.as_py() if is_scalar(value) else None


# ---- string functions ---------------------------------------------------------------------------


def _no_nulls(value: Value) -> Value:
    if is_scalar(value):
        return value if value.is_valid else pa.scalar("", pa.string())
    return pc.fill_null(value, "") if value.null_count else value


def _concat(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    """CONCAT skips null arguments (all null gives "")."""
    parts = [_no_nulls(p) for p in _strs(call, vals)]
    if len(parts) == 1:
        return parts[0]
    glue = parts[1::2]
    if len(parts) % 2 and all(is_scalar(g) for g in glue) and len({g.as_py() for g in glue}) == 1:
        # CONCAT(a, '_', b, '_', c): one join with the literal as separator (a third faster)
        return pc.binary_join_element_wise(*parts[0::2], glue[0])
    return pc.binary_join_element_wise(*parts, "")


def _concat_ws(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    """CONCAT_WS(sep, ...) skips null arguments (Arrow's skip mode drops all-null rows: guard it)."""
    parts = _strs(call, vals)
    values = parts[1:]
    all_null: Value = pa.scalar(True)
    for value in values:
        all_null = pc.and_(all_null, pc.invert(nd.valid(value)))
    values[0] = pc.if_else(all_null, pa.scalar("", pa.string()), values[0])
    return pc.binary_join_element_wise(*values, parts[0], null_handling="skip")


def _upper(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pc.utf8_upper(_strs(call, vals)[0])


def _lower(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pc.utf8_lower(_strs(call, vals)[0])


def _left(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s, n = _strs(call, vals[:1])[0] if False else to_string(vals[0], call.args[0].type), vals[1]
    count = _scalar_py(n)
    if is_scalar(n) and count is not None:
        return pc.utf8_slice_codeunits(s, 0, max(count, 0))
    return rowwise(lambda a, b: a[: max(b, 0)], pa.string(), s, n)


def _right(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s, n = to_string(vals[0], call.args[0].type), vals[1]
    count = _scalar_py(n)
    if is_scalar(n) and count is not None:
        if count <= 0:
            return pc.if_else(nd.valid(s), "", pa.scalar(None, pa.string()))
        return pc.utf8_slice_codeunits(s, -count)
    return rowwise(lambda a, b: a[len(a) - b :] if b > 0 else "", pa.string(), s, n)


def _substring(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    """1-based; start 0 is 1; negative counts from the end; an empty result is null."""
    s = to_string(vals[0], call.args[0].type)
    start = _scalar_py(vals[1])
    length = _scalar_py(vals[2]) if len(vals) > 2 else None
    if is_scalar(vals[1]) and start is not None and (len(vals) < 3 or is_scalar(vals[2])):
        if len(vals) > 2 and length is None:
            return pa.scalar(None, pa.string()) if is_scalar(s) else pa.nulls(len(s), pa.string())
        begin = 0 if start == 0 else (start - 1 if start > 0 else start)
        first = 1 if start == 0 else start
        if length is None:
            out = pc.utf8_slice_codeunits(s, begin)
        else:
            stop = first + length
            stop0 = stop - 1 if first > 0 else stop
            if first > 0:
                out = pc.utf8_slice_codeunits(s, begin, max(stop0, begin))
            elif stop0 < 0:
                out = pc.utf8_slice_codeunits(s, begin, stop0)
            else:
                out = pc.utf8_slice_codeunits(s, begin)
        return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)
    return rowwise(_java_substring, pa.string(), s, vals[1], *(vals[2:] or [pa.scalar(-1)]))


def _java_substring(s: str, start: int, length: int = -1) -> str | None:
    sl = len(s)
    if start == 0:
        start = 1
    elif start < 0:
        start = sl + start + 1
    end = max(sl + 1, start) if length == -1 else start + length
    start, end = max(start, 1), min(end, sl + 1)
    if start > sl or end <= start:
        return None
    return s[start - 1 : end - 1]


def _trim(where: str) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        s = to_string(vals[0], call.args[0].type)
        chars = _scalar_py(vals[1]) if len(vals) > 1 else " "
        if chars is None:
            return pa.scalar(None, pa.string()) if is_scalar(s) else pa.nulls(len(s), pa.string())
        fn = {"both": pc.utf8_trim, "leading": pc.utf8_ltrim, "trailing": pc.utf8_rtrim}[where]
        return fn(s, characters=chars)

    return impl


def _pad(left: bool) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        s = to_string(vals[0], call.args[0].type)
        n = _scalar_py(vals[1])
        pad = _scalar_py(vals[2]) if len(vals) > 2 else " "
        if is_scalar(vals[1]) and n is not None and pad is not None and len(pad) == 1:
            width = max(n, 0)
            padded = (pc.utf8_lpad if left else pc.utf8_rpad)(s, width, pad)
            return pc.utf8_slice_codeunits(padded, 0, width)
        pads = vals[2] if len(vals) > 2 else pa.scalar(" ")
        return rowwise(lambda a, b, c: _java_pad(a, b, c, left), pa.string(), s, vals[1], pads)

    return impl


def _java_pad(s: str, n: int, padding: str, left: bool) -> str:
    n = max(n, 0)
    if n <= len(s):
        return s[:n]
    if not padding:
        return s
    fill = (padding * (n // len(padding) + 1))[: n - len(s)]
    return fill + s if left else s + fill


def _java_regex(regex: str) -> str:
    return regex


def _regex_flags(flags: str | None) -> int:
    value = 0
    for flag in flags or "":
        value |= {"i": re.IGNORECASE, "m": re.MULTILINE, "n": re.DOTALL}.get(flag, 0)
    return value


def _regexp_replace(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s = to_string(vals[0], call.args[0].type)
    regex, repl = _scalar_py(vals[1]), _scalar_py(vals[2])
    flags = _scalar_py(vals[3]) if len(vals) > 3 else ""
    if (
        is_scalar(vals[1])
        and is_scalar(vals[2])
        and regex is not None
        and repl is not None
        and not flags
    ):
        arrow_repl = re.sub(r"\$(\d)", r"\\\1", repl)
        try:
            return pc.replace_substring_regex(s, regex, arrow_repl)
        except pa.ArrowInvalid:
            pass

    def one(a: str, r: str, p: str) -> str:
        return re.sub(r, re.sub(r"\$(\d)", r"\\\1", p), a, flags=_regex_flags(flags))

    return rowwise(one, pa.string(), s, vals[1], vals[2])


def _regexp_like(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s = to_string(vals[0], call.args[0].type)
    regex = _scalar_py(vals[1])
    flags = _scalar_py(vals[2]) if len(vals) > 2 else ""
    if is_scalar(vals[1]) and regex is not None:
        try:
            return pc.match_substring_regex(s, regex, ignore_case="i" in (flags or ""))
        except pa.ArrowInvalid:
            pass
    return rowwise(
        lambda a, r: re.search(r, a, _regex_flags(flags)) is not None, pa.bool_(), s, vals[1]
    )


def _regexp_substr(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s = to_string(vals[0], call.args[0].type)
    extra = [_scalar_py(v) for v in vals[2:]]
    position = extra[0] if len(extra) > 0 and extra[0] is not None else 1
    occurrence = extra[1] if len(extra) > 1 and extra[1] is not None else 1
    flags = extra[2] if len(extra) > 2 else ""
    group = extra[3] if len(extra) > 3 and extra[3] is not None else 0

    def one(a: str, r: str) -> str | None:
        matches = list(re.finditer(r, a[max(position, 1) - 1 :], _regex_flags(flags)))
        if len(matches) < occurrence:
            return None
        return matches[occurrence - 1].group(group)

    return rowwise(one, pa.string(), s, vals[1])


def _repeat(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s = to_string(vals[0], call.args[0].type)
    times = (
        vals[1] if not is_scalar(vals[1]) else pa.scalar(max(vals[1].as_py() or 0, 0), pa.int64())
    )
    if not is_scalar(times):
        times = pc.max_element_wise(times, 0, skip_nulls=False)
    return pc.binary_repeat(s, times)


def _replace(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s = to_string(vals[0], call.args[0].type)
    before = _scalar_py(vals[1])
    after = _scalar_py(vals[2]) if len(vals) > 2 else ""
    if is_scalar(vals[1]) and (len(vals) < 3 or is_scalar(vals[2])):
        if before is None or after is None:
            return pa.scalar(None, pa.string()) if is_scalar(s) else pa.nulls(len(s), pa.string())
        if before == "":
            return s
        return pc.replace_substring(s, before, after)
    rest = vals[2] if len(vals) > 2 else pa.scalar("")
    return rowwise(lambda a, b, c: a.replace(b, c) if b else a, pa.string(), s, vals[1], rest)


def _space(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    n = vals[0]
    if is_scalar(n):
        count = n.as_py()
        return pa.scalar(None if count is None else " " * max(count, 0), pa.string())
    return pc.binary_repeat(pa.scalar(" "), pc.max_element_wise(n, 0, skip_nulls=False))


def _length(factor: int, octets: bool) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        s = to_string(vals[0], call.args[0].type)
        n = pc.binary_length(s) if octets else pc.utf8_length(s)
        n = as_type(n, st.BIGINT)
        return pc.multiply(n, factor) if factor != 1 else n

    return impl


def _locate(order: str) -> Impl:
    """LOCATE(search, s[, start]), INSTR(s, search[, start]), POSITION(search, s): 1-based, 0 if absent."""

    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        strs = (
            _strs(call, vals[:2] + [])
            if False
            else [
                to_string(vals[0], call.args[0].type),
                to_string(vals[1], call.args[1].type),
            ]
        )
        search, s = (strs[0], strs[1]) if order == "search_first" else (strs[1], strs[0])
        start = _scalar_py(vals[2]) if len(vals) > 2 else 1
        if (
            is_scalar(search)
            and search.is_valid
            and start == 1
            and not is_scalar(s)
            and search.as_py().isascii()
        ):
            found = pc.find_substring(s, search.as_py())
            return pc.add(found, 1).cast(pa.int32())

        def one(needle: str, hay: str, begin: int = 1) -> int:
            if begin < 0:
                return hay.rfind(needle, 0, len(hay) + begin + 1) + 1
            return hay.find(needle, max(begin, 1) - 1) + 1

        extra = [vals[2]] if len(vals) > 2 else []
        return rowwise(one, pa.int32(), search, s, *extra)

    return impl


def _soundex(text: str) -> str:
    codes = {
        **dict.fromkeys("BFPV", "1"),
        **dict.fromkeys("CGJKQSXZ", "2"),
        **dict.fromkeys("DT", "3"),
        "L": "4",
        **dict.fromkeys("MN", "5"),
        "R": "6",
    }
    letters = [c for c in text.upper() if c.isalpha() and c.isascii()]
    if not letters:
        return ""
    out, last = letters[0], codes.get(letters[0], "")
    for c in letters[1:]:
        code = codes.get(c, "")
        if code and code != last:
            out += code
        if c not in "HW":
            last = code
    return (out + "000")[:4]


def _translate(s: str, source: str, target: str) -> str:
    table = {}
    for i, ch in enumerate(source):
        if ch not in table:
            table[ch] = target[i] if i < len(target) else None
    return "".join(table.get(c, c) or "" for c in s)


def _hextoraw(s: str) -> str:
    return "".join(chr(int(s[i : i + 4], 16)) for i in range(0, len(s) - len(s) % 4, 4))


def _rawtohex(s: str) -> str:
    return "".join(f"{b:02x}" for b in s.encode("utf-16-be"))


def _insert(s: str, start: int, length: int, add: str) -> str:
    start -= 1
    if start < 0 or length < 0 or start > len(s):
        return s
    return s[:start] + add + s[min(start + length, len(s)) :]


def _row(fn: Callable[..., Any], out: pa.DataType, strings: int = 0) -> Impl:
    """A per-row implementation; the first `strings` arguments are stringified first."""

    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        args = [
            to_string(v, a.type) if i < strings else v
            for i, (v, a) in enumerate(zip(vals, call.args, strict=True))
        ]
        return rowwise(fn, out, *args)

    return impl


def _ascii(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    s = to_string(vals[0], call.args[0].type)
    return rowwise(lambda a: ord(a[0]) if a else None, pa.int32(), s)


def _to_char(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    source = call.args[0].type
    if len(vals) > 1 and source.name in st.TEMPORAL:
        return format_datetime(vals[0], source, vals[1])
    return to_string(vals[0], source)


def _split(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    """String.split(regex): Java drops trailing empty strings."""
    s = to_string(vals[0], call.args[0].type)
    sep = _scalar_py(vals[1])

    def one(a: str, r: str) -> list[str]:
        parts = re.split(r, a) if r else list(a)
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        return parts

    if not is_scalar(vals[1]) or sep is None:
        return rowwise(one, pa.list_(pa.string()), s, vals[1])
    if is_scalar(s):
        return rowwise(one, pa.list_(pa.string()), s, vals[1])
    try:
        parts = pc.split_pattern_regex(s, sep) if sep else None
    except pa.ArrowInvalid:
        parts = None
    if parts is None or pc.any(pc.ends_with(s, "") if False else pa.scalar(False)).as_py():
        return rowwise(one, pa.list_(pa.string()), s, vals[1])
    # drop trailing empty strings the way Java does: fall back only for rows that end in a match
    needs = pc.match_substring_regex(s, f"(?:{sep})$")
    if pc.any(needs).as_py():
        return rowwise(one, pa.list_(pa.string()), s, vals[1])
    return parts


def _uuid(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pa.array([str(uuid.uuid4()) for _ in range(ctx.n)], pa.string())


# ---- numeric functions --------------------------------------------------------------------------


def _unary(fn: Callable[[Value], Value]) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        return fn(as_type(vals[0], st.DOUBLE))

    return impl


def _numbers(types: list[SeaType]) -> None:
    for t in types:
        if not (st.is_numeric(t) or t.name == "null"):
            raise TypeError(f"needs numbers, got {t.display()}")


def _numeric_double(types: list[SeaType]) -> SeaType:
    _numbers(types)
    return st.DOUBLE


def _numeric_int(types: list[SeaType]) -> SeaType:
    _numbers(types)
    return st.INT


def _numeric_first(types: list[SeaType]) -> SeaType:
    _numbers(types)
    return types[0]


def _log(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    if len(vals) == 1:
        return pc.ln(as_type(vals[0], st.DOUBLE))
    base, x = as_type(vals[0], st.DOUBLE), as_type(vals[1], st.DOUBLE)
    return pc.divide(pc.ln(x), pc.ln(base))


def _power(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pc.power(as_type(vals[0], st.DOUBLE), as_type(vals[1], st.DOUBLE))


def _atan2(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pc.atan2(as_type(vals[0], st.DOUBLE), as_type(vals[1], st.DOUBLE))


def _pi(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pa.scalar(math.pi)


def _rand(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    seed = _scalar_py(vals[0]) if vals else None
    rng = np.random.default_rng(seed)
    return pa.array(rng.random(ctx.n))


def _trunc(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    x = as_type(vals[0], st.DOUBLE)
    digits = _scalar_py(vals[1]) if len(vals) > 1 else 0
    if not digits:
        return pc.trunc(x)
    scale = 10.0**digits
    return pc.divide(pc.trunc(pc.multiply(x, scale)), scale)


def _to_int(fn: Callable[[Value], Value]) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        return fn(as_type(vals[0], st.DOUBLE)).cast(pa.int32(), safe=False)

    return impl


def _abs(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    return pc.abs(vals[0])


def _round(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    """Java's HALF_UP rounding, in the first argument's type."""
    digits = _scalar_py(vals[1]) if len(vals) > 1 else 0
    source = call.args[0].type
    if st.is_integer(source) and (digits or 0) >= 0:
        return vals[0]
    rounded = pc.round(as_type(vals[0], st.DOUBLE), digits or 0, round_mode="half_towards_infinity")
    return as_type(rounded, source)


def _mod(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    """MOD(a, b): the remainder with the dividend's sign, in b's type; b = 0 fails."""
    a, b = as_type(vals[0], st.DOUBLE), as_type(vals[1], st.DOUBLE)
    zero = fill_false(pc.equal(b, 0.0))
    if zero.as_py() if is_scalar(zero) else pc.any(zero).as_py():
        raise nd.EvalError(call.text, 0, "Mod by zero")
    remainder = pc.subtract(a, pc.multiply(pc.trunc(pc.divide(a, b)), b))
    return as_type(remainder, call.type)


def _array_extreme(which: str) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        arr = materialize(vals[0], ctx.n, call.args[0].type)
        parents = pc.list_parent_indices(arr)
        flat = pc.list_flatten(arr)
        grouped = pa.table({"p": parents, "v": flat}).group_by("p").aggregate([("v", which)])
        index = np.full(len(arr), -1, dtype=np.int64)
        index[grouped.column("p").to_numpy()] = np.arange(grouped.num_rows)
        take = pa.array(index, mask=index < 0)
        return pc.take(grouped.column(f"v_{which}"), take).combine_chunks()

    return impl


def _element(types: list[SeaType]) -> SeaType:
    if types[0].name != "array":
        raise TypeError(f"needs an ARRAY, got {types[0].display()}")
    return types[0].element  # type: ignore[return-value]


# ---- system functions ---------------------------------------------------------------------------


def _coalesce(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    target = call.type
    return pc.coalesce(
        *[as_type(v, target) if v.type != pa.null() else v.cast(arrow_type(target)) for v in vals]
    )


def _nullif(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    same = nd.equal_mask(call.args[0], call.args[1], vals[0], vals[1])
    return pc.if_else(same, pa.scalar(None, vals[0].type), vals[0])


def _array_type(types: list[SeaType]) -> SeaType:
    try:
        element = st.max_type(types)
    except st.SqlTypeError:
        element = st.STRING
    if element.name == "null":
        element = st.STRING
    return SeaType("array", element=element)


def _array(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
    element = call.type.element
    n = ctx.n
    columns = [
        materialize(
            to_string(v, a.type) if element.name == "string" else as_type(v, element),  # type: ignore[arg-type]
            n,
            element,  # type: ignore[arg-type]
        )
        for v, a in zip(vals, call.args, strict=True)
    ]
    k = len(columns)
    if k == 0:
        return pa.ListArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.nulls(0, arrow_type(element))
        )  # type: ignore[arg-type]
    flat = pa.concat_arrays(columns)
    order = (np.arange(k)[None, :] * n + np.arange(n)[:, None]).ravel()
    values = pc.take(flat, pa.array(order))
    offsets = pa.array(np.arange(0, n * k + 1, k, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, values)


def _unsupported(name: str) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        raise nd.EvalError(call.text, None, f"{name} is not supported")

    return impl


# ---- date functions (implementations in dates.py) -----------------------------------------------


def _temporal_arg(types: list[SeaType]) -> None:
    if types[0].name not in (*st.TEMPORAL, "null"):
        raise TypeError(f"needs a DATE, TIME or TIMESTAMP, got {types[0].display()}")


def _date_part_type(types: list[SeaType]) -> SeaType:
    _temporal_arg(types)
    return st.INT


def _date_part(part: str) -> Impl:
    def impl(ctx: nd.Ctx, vals: list[Value], call: nd.Call) -> Value:
        return date_part(part, vals[0], call.args[0].type)

    return impl


def _string_fn(types: list[SeaType]) -> SeaType:
    return st.STRING


FUNCTIONS: dict[str, Fn] = {
    "ASCII": Fn(1, 1, _const(st.INT), _ascii),
    "BIT_LENGTH": Fn(1, 1, _const(st.BIGINT), _length(8, True)),
    "CHAR_LENGTH": Fn(1, 1, _const(st.BIGINT), _length(1, False)),
    "LENGTH": Fn(1, 1, _const(st.BIGINT), _length(1, False)),
    "OCTET_LENGTH": Fn(1, 1, _const(st.BIGINT), _length(1, True)),
    "CHAR": Fn(1, 1, _const(st.STRING), _row(chr, pa.string())),
    "CHR": Fn(1, 1, _const(st.STRING), _row(chr, pa.string())),
    "CONCAT": Fn(1, 255, _const(st.STRING), _concat),
    "CONCAT_WS": Fn(2, 255, _const(st.STRING), _concat_ws),
    "HEXTORAW": Fn(1, 1, _const(st.STRING), _row(_hextoraw, pa.string(), 1)),
    "RAWTOHEX": Fn(1, 1, _const(st.STRING), _row(_rawtohex, pa.string(), 1)),
    "INSERT": Fn(4, 4, _const(st.STRING), _row(_insert, pa.string(), 1)),
    "LOWER": Fn(1, 1, _const(st.STRING), _lower),
    "LCASE": Fn(1, 1, _const(st.STRING), _lower),
    "UPPER": Fn(1, 1, _const(st.STRING), _upper),
    "UCASE": Fn(1, 1, _const(st.STRING), _upper),
    "LEFT": Fn(2, 2, _const(st.STRING), _left),
    "RIGHT": Fn(2, 2, _const(st.STRING), _right),
    "LOCATE": Fn(2, 3, _const(st.INT), _locate("search_first")),
    "INSTR": Fn(2, 3, _const(st.INT), _locate("string_first")),
    "POSITION": Fn(2, 2, _const(st.INT), _locate("search_first")),
    "LPAD": Fn(2, 3, _const(st.STRING), _pad(True)),
    "RPAD": Fn(2, 3, _const(st.STRING), _pad(False)),
    "LTRIM": Fn(1, 2, _const(st.STRING), _trim("leading")),
    "RTRIM": Fn(1, 2, _const(st.STRING), _trim("trailing")),
    "TRIM": Fn(1, 2, _const(st.STRING), _trim("both")),
    "REGEXP_REPLACE": Fn(3, 4, _const(st.STRING), _regexp_replace),
    "REGEXP_LIKE": Fn(2, 3, _const(st.BOOLEAN), _regexp_like),
    "REGEXP_SUBSTR": Fn(2, 6, _const(st.STRING), _regexp_substr),
    "REPEAT": Fn(2, 2, _const(st.STRING), _repeat),
    "REPLACE": Fn(2, 3, _const(st.STRING), _replace),
    "SOUNDEX": Fn(1, 1, _const(st.STRING), _row(_soundex, pa.string(), 1)),
    "SPACE": Fn(1, 1, _const(st.STRING), _space),
    "SUBSTRING": Fn(2, 3, _const(st.STRING), _substring),
    "SUBSTR": Fn(2, 3, _const(st.STRING), _substring),
    "TO_CHAR": Fn(1, 2, _const(st.STRING), _to_char),
    "TRANSLATE": Fn(3, 3, _const(st.STRING), _row(_translate, pa.string(), 3)),
    "SPLIT": Fn(2, 2, _const(SeaType("array", element=st.STRING)), _split),
    "UUID": Fn(0, 0, _const(st.STRING), _uuid),
    "ABS": Fn(1, 1, _numeric_first, _abs),
    "ACOS": Fn(1, 1, _numeric_double, _unary(pc.acos)),
    "ASIN": Fn(1, 1, _numeric_double, _unary(pc.asin)),
    "ATAN": Fn(1, 1, _numeric_double, _unary(pc.atan)),
    "COS": Fn(1, 1, _numeric_double, _unary(pc.cos)),
    "COSH": Fn(
        1,
        1,
        _numeric_double,
        _unary(lambda x: pc.divide(pc.add(pc.exp(x), pc.exp(pc.negate(x))), 2.0)),
    ),
    "COT": Fn(1, 1, _numeric_double, _unary(lambda x: pc.divide(1.0, pc.tan(x)))),
    "SIN": Fn(1, 1, _numeric_double, _unary(pc.sin)),
    "SINH": Fn(
        1,
        1,
        _numeric_double,
        _unary(lambda x: pc.divide(pc.subtract(pc.exp(x), pc.exp(pc.negate(x))), 2.0)),
    ),
    "TAN": Fn(1, 1, _numeric_double, _unary(pc.tan)),
    "TANH": Fn(
        1,
        1,
        _numeric_double,
        _unary(
            lambda x: pc.divide(
                pc.subtract(pc.exp(pc.multiply(x, 2.0)), 1.0),
                pc.add(pc.exp(pc.multiply(x, 2.0)), 1.0),
            )
        ),
    ),
    "ATAN2": Fn(2, 2, _numeric_double, _atan2),
    "EXP": Fn(1, 1, _numeric_double, _unary(pc.exp)),
    "LN": Fn(1, 1, _numeric_double, _unary(pc.ln)),
    "LOG": Fn(1, 2, _numeric_double, _log),
    "LOG10": Fn(1, 1, _numeric_double, _unary(pc.log10)),
    "RADIANS": Fn(1, 1, _numeric_double, _unary(lambda x: pc.multiply(x, math.pi / 180.0))),
    "SQRT": Fn(1, 1, _numeric_double, _unary(pc.sqrt)),
    "PI": Fn(0, 0, _const(st.DOUBLE), _pi),
    "POWER": Fn(2, 2, _numeric_double, _power),
    "RAND": Fn(0, 1, _const(st.DOUBLE), _rand),
    "RANDOM": Fn(0, 1, _const(st.DOUBLE), _rand),
    "TRUNC": Fn(1, 2, _numeric_double, _trunc),
    "TRUNCATE": Fn(1, 2, _numeric_double, _trunc),
    "CEIL": Fn(1, 1, _numeric_int, _to_int(pc.ceil)),
    "CEILING": Fn(1, 1, _numeric_int, _to_int(pc.ceil)),
    "FLOOR": Fn(1, 1, _numeric_int, _to_int(pc.floor)),
    "SIGN": Fn(1, 1, _numeric_int, _to_int(pc.sign)),
    "ROUND": Fn(1, 2, _numeric_first, _round),
    "MOD": Fn(2, 2, lambda types: (_numbers(types), types[1])[1], _mod),
    "ARRAY_MAX": Fn(1, 1, _element, _array_extreme("max")),
    "ARRAY_MIN": Fn(1, 1, _element, _array_extreme("min")),
    "COALESCE": Fn(1, 255, _first, _coalesce),
    "IFNULL": Fn(2, 2, _first, _coalesce),
    "NULLIF": Fn(2, 2, _first, _nullif),
    "ARRAY": Fn(0, 255, _array_type, _array),
    "DATE_TRUNC": Fn(
        2, 2, _const(st.TIMESTAMP), lambda ctx, v, c: date_trunc(v[0], v[1], c.args[1].type)
    ),
    "DATEADD": Fn(2, 3, lambda t: (_temporal_arg(t), t[0])[1], lambda ctx, v, c: date_add(v, c)),
    "TIMESTAMPADD": Fn(
        2, 3, lambda t: (_temporal_arg(t), t[0])[1], lambda ctx, v, c: date_add(v, c)
    ),
    "DATEDIFF": Fn(2, 3, _const(st.BIGINT), lambda ctx, v, c: date_diff(v, c)),
    "DAYNAME": Fn(
        1,
        1,
        lambda t: (_temporal_arg(t), st.STRING)[1],
        lambda ctx, v, c: date_part("DAYNAME", v[0], c.args[0].type),
    ),
    "MONTHNAME": Fn(
        1,
        1,
        lambda t: (_temporal_arg(t), st.STRING)[1],
        lambda ctx, v, c: date_part("MONTHNAME", v[0], c.args[0].type),
    ),
    "FORMATDATETIME": Fn(
        2,
        2,
        lambda t: (_temporal_arg(t), st.STRING)[1],
        lambda ctx, v, c: format_datetime(v[0], c.args[0].type, v[1]),
    ),
    "FROM_UNIXTIME": Fn(2, 3, _const(st.STRING), lambda ctx, v, c: from_unixtime(v)),
    "IS_DATE": Fn(
        2, 2, _const(st.BOOLEAN), lambda ctx, v, c: is_date(to_string(v[0], c.args[0].type), v[1])
    ),
    "PARSEDATETIME": Fn(
        2,
        2,
        _string_fn,
        lambda ctx, v, c: parse_datetime(to_string(v[0], c.args[0].type), v[1], c.type),
    ),
    "TO_DATE": Fn(
        2,
        2,
        _string_fn,
        lambda ctx, v, c: parse_datetime(to_string(v[0], c.args[0].type), v[1], c.type),
    ),
}
for _part in DATE_PARTS:
    FUNCTIONS[_part] = Fn(1, 1, _date_part_type, _date_part(_part))
FUNCTIONS["CURRENT_TIMESTAMP"] = FUNCTIONS["NOW"] = Fn(
    0, 0, _const(st.TIMESTAMP), _unsupported("NOW")
)

_NOW = {"NOW": st.TIMESTAMP, "CURRENT_TIMESTAMP": st.TIMESTAMP}


def call(compiler: Compiler, name: str, arg_nodes: list[exp.Expression], text: str) -> nd.Expr:
    """Compile a call of function `name` (case-insensitive) with its argument expressions."""
    from app.engine.plugins.sql.compile import SqlError

    upper = name.upper()
    if upper in _NOW:
        if arg_nodes:
            raise SqlError(f"{upper} takes no arguments: `{text}`")
        return nd.Now(_NOW[upper], text)
    fn = FUNCTIONS.get(upper)
    if upper in ("DES_ENCRYPT", "DES_DECRYPT"):
        raise SqlError(f"the UDF {upper} is not supported: `{text}`")
    if fn is None:
        raise SqlError(f"unknown function `{name}` in `{text}`")
    if not fn.low <= len(arg_nodes) <= fn.high:
        want = str(fn.low) if fn.low == fn.high else f"{fn.low} to {fn.high}"
        raise SqlError(f"{upper} takes {want} arguments, got {len(arg_nodes)}: `{text}`")
    args = [compiler.value(a) for a in arg_nodes]
    types = [a.type for a in args]
    try:
        if upper in ("PARSEDATETIME", "TO_DATE"):
            sea = parsed_type(arg_nodes[1])
        else:
            sea = fn.typer(types)
    except (TypeError, st.SqlTypeError) as exc:
        raise SqlError(f"{upper} {exc}: `{text}`") from None
    return nd.Call(upper, args, sea, fn.impl, text)


def special(compiler: Compiler, node: exp.Expression, text: str) -> nd.Expr | None:
    """Calls sqlglot parses into dedicated nodes (TRIM(x FROM y), EXTRACT, POSITION(a IN b), ...)."""
    from app.engine.plugins.sql.compile import SqlError

    if isinstance(node, exp.Anonymous):
        return call(compiler, node.name, list(node.expressions), text)
    if isinstance(node, exp.Chr):
        return call(compiler, "CHR", list(node.expressions), text)
    if isinstance(node, exp.Trim):
        position = (node.args.get("position") or "BOTH").upper()
        name = {"BOTH": "TRIM", "LEADING": "LTRIM", "TRAILING": "RTRIM"}[position]
        args = [node.this] + ([node.expression] if node.expression is not None else [])
        return call(compiler, name, args, text)
    if isinstance(node, exp.Substring):
        args = [node.this, node.args.get("start")] + (
            [node.args["length"]] if node.args.get("length") is not None else []
        )
        return call(compiler, "SUBSTRING", [a for a in args if a is not None], text)
    if isinstance(node, exp.StrPosition):
        args = [node.args["substr"], node.this] + (
            [node.args["position"]] if node.args.get("position") is not None else []
        )
        return call(compiler, "LOCATE", args, text)
    if isinstance(node, exp.Ceil):
        return call(compiler, "CEIL", [node.this], text)
    if isinstance(node, exp.Floor):
        return call(compiler, "FLOOR", [node.this], text)
    if isinstance(node, exp.CurrentTimestamp):
        return nd.Now(st.TIMESTAMP, text)
    if isinstance(node, exp.CurrentDate):
        return nd.Now(st.DATE, text)
    if isinstance(node, exp.CurrentTime):
        return nd.Now(st.TIME, text)
    if isinstance(node, exp.Extract):
        part = node.this.name.upper()
        field = {
            "DAY": "DAY_OF_MONTH",
            "DOW": "DAY_OF_WEEK",
            "DOY": "DAY_OF_YEAR",
            "DAYOFWEEK": "DAY_OF_WEEK",
            "DAYOFYEAR": "DAY_OF_YEAR",
        }.get(part, part)
        if field not in DATE_PARTS:
            raise SqlError(f"EXTRACT({part} ...) is not supported: `{text}`")
        return call(compiler, field, [node.expression], text)
    if isinstance(node, exp.AggFunc):
        raise SqlError(f"aggregate functions are not supported: `{text}`")
    if isinstance(node, exp.Explode):
        raise SqlError(f"EXPLODE is only supported in LATERAL VIEW: `{text}`")
    if isinstance(node, exp.Func):
        raise SqlError(f"unknown function `{node.sql_name()}` in `{text}`")
    return None
