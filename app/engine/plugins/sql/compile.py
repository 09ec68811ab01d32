"""Turn sqlglot expressions into typed Sql nodes against an input schema, with Zeta's type rules.

Every rejection is a SqlError whose message quotes the offending part of the query.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from app.engine.plugins.sql import nodes as nd
from app.engine.plugins.sql import sqltypes as st
from app.engine.plugins.sql.dialect import SeaTunnelSql
from app.engine.types import Schema, SeaType

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_ARITH = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
_COMPARE = {exp.EQ: "=", exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}
_CAST_TYPES = {
    "TEXT": ("string", "STRING"),
    "VARCHAR": ("string", "VARCHAR"),
    "CHAR": ("string", "VARCHAR"),
    "INT": ("int", "INT"),
    "BIGINT": ("bigint", "BIGINT"),
    "TINYINT": ("tinyint", "BYTE"),
    "FLOAT": ("float", "FLOAT"),
    "DOUBLE": ("double", "DOUBLE"),
    "DECIMAL": ("decimal", "DECIMAL"),
    "VARBINARY": ("bytes", "BYTES"),
    "BINARY": ("bytes", "BINARY"),
    "TIMESTAMP": ("timestamp", "TIMESTAMP"),
    "TIMESTAMPTZ": ("timestamp", "TIMESTAMP"),
    "DATETIME": ("timestamp", "DATETIME"),
    "DATE": ("date", "DATE"),
    "TIME": ("time", "TIME"),
}


class SqlError(ValueError):
    """A query that cannot run; `message` quotes the offending part."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sql_text(node: exp.Expression) -> str:
    """The node written back as SQL (for messages and generated names)."""
    try:
        return node.sql(dialect=SeaTunnelSql, normalize_functions=False)
    except Exception:  # sqlglot cannot always render what it parsed
        return type(node).__name__


class LazyText:
    """An expression's SQL text, rendered only when a message needs it (rendering is O(subtree))."""

    __slots__ = ("node", "rendered")

    def __init__(self, node: exp.Expression) -> None:
        self.node = node
        self.rendered: str | None = None

    def __str__(self) -> str:
        if self.rendered is None:
            self.rendered = sql_text(self.node)
        return self.rendered

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class Compiler:
    """Compiles expressions of one query against one input schema."""

    def __init__(self, schema: Schema, table: str) -> None:
        self.schema = schema
        self.table = table

    # ---- values ---------------------------------------------------------------------------------

    def value(self, node: exp.Expression) -> nd.Expr:
        """A select-list or argument expression."""
        text: Any = LazyText(node)
        if isinstance(node, exp.Paren):
            return self.value(node.this)
        if column_path(node) is not None:
            return self.column(node)
        if isinstance(node, exp.Literal):
            return literal(node, text)
        if isinstance(node, exp.Null):
            return nd.Literal(None, st.NULL, text)
        if isinstance(node, exp.Boolean):
            raise SqlError(f"boolean literal `{text}` is not supported")
        for kind, op in _ARITH.items():
            if type(node) is kind:
                return self.arithmetic(op, node, text)
        if isinstance(node, exp.DPipe):
            from app.engine.plugins.sql.functions import call

            return call(self, "CONCAT", [node.this, node.expression], text)
        if isinstance(node, exp.Neg):
            arg = self.value(node.this)
            if not st.is_numeric(arg.type):
                raise SqlError(f"unary minus needs a number, got {arg.type.display()} in `{text}`")
            return nd.Neg(arg, text)
        if isinstance(node, exp.Cast):
            return self.cast(node, text)
        if isinstance(node, exp.Case):
            return self.case(node, text)
        if isinstance(node, (*_COMPARE, exp.Is, exp.In, exp.Like, exp.And, exp.Or, exp.Not)):
            raise SqlError(
                f"the condition `{text}` is not supported in the select list (only inside CASE WHEN)"
            )
        if isinstance(node, (exp.Subquery, exp.Select)):
            raise SqlError(f"sub-queries are not supported: `{text}`")
        from app.engine.plugins.sql.functions import special

        compiled = special(self, node, text)
        if compiled is not None:
            return compiled
        raise SqlError(f"`{text}` is not supported")

    def column(self, node: exp.Expression) -> nd.Expr:
        """A column, `table.column`, or a dotted path: ROW fields (`c_row.c_inner.x`), the last
        segment of which may be a MAP key (`c_row.c_map.key`).

        The first segment is looked up among the input's columns before it is taken for the
        input table's name, as Zeta does (jsqlparser also reads `a.b` as table `a`, column `b`).
        """
        parts = column_path(node) or []
        text = ".".join(parts)
        names = self.schema.names
        if not self.schema.has(parts[0]) and len(parts) > 1 and parts[0] == self.table:
            parts = parts[1:]
        if not self.schema.has(parts[0]):
            raise SqlError(f"unknown column `{text}`; input fields: {', '.join(names)}")
        index = self.schema.index(parts[0])
        sea = self.schema.fields[index].type
        path: list[int] = []
        key: str | None = None
        for depth, part in enumerate(parts[1:], start=1):
            parent = ".".join(parts[:depth])
            if sea.name == "row":
                inner = [f.name for f in sea.fields]
                if part not in inner:
                    raise SqlError(
                        f"unknown field `{part}` in `{text}`: {parent} is {sea.display()}"
                    )
                path.append(inner.index(part))
                sea = sea.fields[path[-1]].type
            elif sea.name == "map" and depth == len(parts) - 1:
                if sea.key is None or sea.key.name != "string":
                    raise SqlError(
                        f"`{text}`: {parent} is {sea.display()}; a key in a dotted path "
                        "needs a MAP with STRING keys"
                    )
                key = part
                sea = sea.value  # type: ignore[assignment]
            else:
                raise SqlError(
                    f"`{text}`: {parent} is {sea.display()}; a dotted path goes into ROW "
                    "fields and may end in one MAP key"
                )
        return nd.Column(index, sea, text, tuple(path), key)

    def arithmetic(self, op: str, node: exp.Expression, text: str) -> nd.Expr:
        """+ - * / % with Zeta's result type."""
        left, right = self.value(node.this), self.value(node.expression)
        try:
            sea = st.arithmetic(left.type, right.type)
        except st.SqlTypeError as exc:
            raise SqlError(f"cannot apply `{op}` to {exc} in `{text}`") from None
        return nd.Arith(op, left, right, sea, text)

    def cast(self, node: exp.Cast, text: str) -> nd.Expr:
        """CAST(x AS t) for Zeta's target types."""
        arg = self.value(node.this)
        to = node.to
        key = to.this.name if hasattr(to.this, "name") else str(to.this)
        target = _CAST_TYPES.get(key)
        if target is None:
            raise SqlError(f"CAST to `{sql_text(to)}` is not supported in `{text}`")
        name, shown = target
        if name == "decimal":
            params = [p.this for p in to.expressions]
            try:
                precision, scale = (int(sql_text(p)) for p in params)
            except ValueError:
                raise SqlError(f"CAST AS DECIMAL needs (precision, scale) in `{text}`") from None
            if not 1 <= precision <= 38 or not 0 <= scale <= precision:
                raise SqlError(f"DECIMAL({precision}, {scale}) is out of range in `{text}`")
            sea = SeaType("decimal", precision, scale)
        else:
            sea = SeaType(name)
        source = arg.type.name
        impossible = (
            (name in st.TEMPORAL and source not in (*st.TEMPORAL, "null", "bigint", "int"))
            or (name == "timestamp" and source == "int")
            or (name in ("date", "time") and source == "bigint")
            or (source in ("array", "map", "row") and name != "string")
        )
        if impossible:
            raise SqlError(f"cannot CAST {arg.type.display()} AS {shown} in `{text}`")
        return nd.Cast(arg, sea, shown, text)

    def case(self, node: exp.Case, text: str) -> nd.Expr:
        """Searched or simple CASE; the type is the max of the THEN/ELSE types."""
        operand = self.value(node.this) if node.this is not None else None
        whens: list[tuple[nd.Expr, nd.Expr]] = []
        for branch in node.args.get("ifs") or []:
            if operand is not None:
                other = self.value(branch.this)
                cond: nd.Expr = nd.Compare("=", operand, other, LazyText(branch.this))
            else:
                cond = self.condition(branch.this)
            whens.append((cond, self.value(branch.args["true"])))
        default = node.args.get("default")
        otherwise = self.value(default) if default is not None else None
        types = [v.type for _, v in whens] + ([otherwise.type] if otherwise else [])
        try:
            sea = st.max_type(types)
        except st.SqlTypeError as exc:
            raise SqlError(f"CASE branches have incompatible types ({exc}) in `{text}`") from None
        return nd.Case(whens, otherwise, sea, text)

    # ---- conditions -----------------------------------------------------------------------------

    def condition(self, node: exp.Expression) -> nd.Expr:
        """A WHERE or CASE WHEN condition (two-valued)."""
        text: Any = LazyText(node)
        if isinstance(node, exp.Paren):
            return self.condition(node.this)
        if isinstance(node, (exp.And, exp.Or)):
            op = "and" if isinstance(node, exp.And) else "or"
            return nd.Logic(op, self.condition(node.this), self.condition(node.expression), text)
        for kind, op in _COMPARE.items():
            if type(node) is kind:
                return self.compare(op, node, text)
        if isinstance(node, exp.Is):
            if not isinstance(node.expression, exp.Null):
                raise SqlError(f"`{text}` is not supported (only IS [NOT] NULL)")
            return nd.IsNull(self.value(node.this), False, text)
        if isinstance(node, exp.In):
            return self.in_list(node, False, text)
        if isinstance(node, exp.Like):
            return self.like(node, bool(node.args.get("negate")), text)
        if isinstance(node, exp.Not):
            inner = node.this
            if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
                return nd.IsNull(self.value(inner.this), True, text)
            if isinstance(inner, exp.In):
                return self.in_list(inner, True, text)
            if isinstance(inner, exp.Like):
                return self.like(inner, True, text)
            raise SqlError(f"NOT (...) is not supported: `{text}`")
        if column_path(node) is not None:
            raise SqlError(f"a bare column is not a condition: `{text}` (compare it with a value)")
        compiled = self.value(node)
        if compiled.type.name != "boolean":
            raise SqlError(f"`{text}` is not a condition (it is {compiled.type.display()})")
        return nd.Truth(compiled)

    def compare(self, op: str, node: exp.Expression, text: str) -> nd.Expr:
        """A comparison; ordering needs matching types (numbers compare as double)."""
        left, right = self.value(node.this), self.value(node.expression)
        lt, rt = left.type, right.type
        _comparable(left, right, text)
        ordering = op not in ("=", "!=")
        if ordering and "null" not in (lt.name, rt.name):
            numbers = st.is_numeric(lt) and st.is_numeric(rt)
            comparable = lt.name == rt.name and lt.name in ("string", *st.TEMPORAL)
            if not (numbers or comparable):
                raise SqlError(f"cannot compare {lt.display()} with {rt.display()} in `{text}`")
        return nd.Compare(op, left, right, text)

    def in_list(self, node: exp.In, negate: bool, text: str) -> nd.Expr:
        """x [NOT] IN (v, ...)."""
        if node.args.get("query") is not None:
            raise SqlError(f"sub-queries are not supported: `{text}`")
        items = [self.value(i) for i in node.expressions]
        if not items:
            raise SqlError(f"IN needs at least one value: `{text}`")
        left = self.value(node.this)
        for item in items:
            _comparable(left, item, text)
        return nd.InList(left, items, negate, text)

    def like(self, node: exp.Like, negate: bool, text: str) -> nd.Expr:
        """x [NOT] LIKE 'pattern' (a string literal)."""
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise SqlError(f"LIKE needs a string literal pattern: `{text}`")
        if node.args.get("escape") is not None:
            raise SqlError(f"LIKE ... ESCAPE is not supported: `{text}`")
        return nd.Like(self.value(node.this), pattern.this, negate, text)


def _comparable(left: nd.Expr, right: nd.Expr, text: str) -> None:
    """ROW, MAP and ARRAY values are not compared here (Zeta's equals() compares rows and maps
    by value, arrays by reference; Arrow has no kernel for either): a plan-time error."""
    for side in (left, right):
        if side.type.name in ("row", "map", "array"):
            raise SqlError(
                f"cannot compare {left.type.display()} with {right.type.display()} in `{text}`"
            )


def column_path(node: exp.Expression) -> list[str] | None:
    """The segments of `a`, `a.b`, `a.b.c.d.e` (sqlglot reads five or more as a Dot over a
    Column); None for anything else."""
    column = isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier)
    if not (column or (isinstance(node, exp.Dot) and column_path(node.this) is not None)):
        return None
    parts = node.parts
    if not all(isinstance(p, exp.Identifier) for p in parts):
        return None
    return [p.name for p in parts]


def literal(node: exp.Literal, text: str) -> nd.Expr:
    """String -> STRING; integer -> INT or BIGINT by range; other numbers -> DOUBLE."""
    if node.is_string:
        return nd.Literal(node.this, st.STRING, text)
    raw: Any = node.this
    try:
        number = int(raw)
    except ValueError:
        return nd.Literal(float(raw), st.DOUBLE, text)
    if INT_MIN <= number <= INT_MAX:
        return nd.Literal(number, st.INT, text)
    if LONG_MIN <= number <= LONG_MAX:
        return nd.Literal(number, st.BIGINT, text)
    raise SqlError(f"integer literal `{text}` is out of the BIGINT range")
