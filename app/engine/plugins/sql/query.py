"""Parse a Sql transform query with sqlglot and keep only what Zeta accepts (one plain SELECT).

Rejections (JOIN, GROUP BY, ORDER BY, LIMIT, sub-queries, table aliases, ...) are SqlErrors saying
the construct is not supported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from app.engine.plugins.sql.compile import SqlError, column_path, sql_text
from app.engine.plugins.sql.dialect import SeaTunnelSql

_UNSUPPORTED = (
    ("joins", "JOIN"),
    ("group", "GROUP BY"),
    ("having", "HAVING"),
    ("order", "ORDER BY"),
    ("limit", "LIMIT"),
    ("offset", "OFFSET"),
    ("distinct", "DISTINCT"),
    ("with_", "WITH"),
    ("with", "WITH"),
    ("windows", "WINDOW"),
    ("qualify", "QUALIFY"),
    ("into", "SELECT INTO"),
    ("sort", "SORT BY"),
    ("cluster", "CLUSTER BY"),
    ("distribute", "DISTRIBUTE BY"),
    ("connect", "CONNECT BY"),
)


_ALLOWED = ("expressions", "from_", "from", "where", "laterals")


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(sql_text(v) for v in value if isinstance(v, exp.Expression))
    return sql_text(value) if isinstance(value, exp.Expression) else str(value)


@dataclass
class SelectItem:
    """One select-list entry: `*`, or an expression with its output name."""

    node: exp.Expression | None  # None for *
    name: str = ""


@dataclass
class Lateral:
    """LATERAL VIEW [OUTER] EXPLODE(expr) AS alias."""

    node: exp.Expression
    outer: bool
    alias: str
    text: str


@dataclass
class Query:
    """The accepted parts of a query."""

    table: str
    items: list[SelectItem]
    where: exp.Expression | None = None
    laterals: list[Lateral] = field(default_factory=list)


def parse_query(text: str) -> Query:
    """Parse and validate the statement shape; raises SqlError."""
    body = text.strip().rstrip(";").strip()
    if not body:
        raise SqlError("is empty")
    try:
        statements = [s for s in sqlglot.parse(body, read=SeaTunnelSql) if s is not None]
    except ParseError as exc:
        raise SqlError(_syntax(exc, body)) from None
    except TokenError as exc:
        raise SqlError(f"has a syntax error: {' '.join(str(exc).split())}") from None
    if len(statements) != 1:
        raise SqlError("must be a single SELECT statement")
    select = statements[0]
    if isinstance(select, (exp.Union, exp.Intersect, exp.Except)):
        raise SqlError(f"{type(select).__name__.upper()} is not supported")
    if not isinstance(select, exp.Select):
        raise SqlError(f"must be a SELECT statement, got `{_head(select)}`")
    for key, label in _UNSUPPORTED:
        if select.args.get(key):
            value = select.args[key]
            shown = (
                ", ".join(sql_text(v) for v in value)
                if isinstance(value, list)
                else (sql_text(value) if isinstance(value, exp.Expression) else label)
            )
            raise SqlError(f"{label} is not supported: `{shown}`")
    for key, value in select.args.items():
        if value and key not in _ALLOWED:
            raise SqlError(f"`{_shown(value)}` is not supported")
    table = _table(select)
    laterals = [_lateral(node) for node in select.args.get("laterals") or []]
    where = select.args.get("where")
    items = _items(select, body)
    return Query(table, items, where.this if where is not None else None, laterals)


def _syntax(exc: ParseError, body: str) -> str:
    errors = exc.errors or []
    if not errors:
        return f"has a syntax error: {' '.join(str(exc).split())}"
    first = errors[0]
    near = first.get("highlight") or ""
    where = f"line {first.get('line')}, column {first.get('col')}"
    description = first.get("description") or "invalid syntax"
    return f"has a syntax error at {where} near `{near}`: {description}"


def _head(node: exp.Expression) -> str:
    text = sql_text(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _table(select: exp.Select) -> str:
    source = select.args.get("from_") or select.args.get("from")
    if source is None:
        raise SqlError("needs a FROM clause naming the input table")
    table = source.this
    if isinstance(table, (exp.Subquery, exp.Select)):
        raise SqlError(f"sub-queries are not supported: `{_head(table)}`")
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise SqlError(f"FROM must name one table, got `{_head(table)}`")
    if table.args.get("db") or table.args.get("catalog"):
        raise SqlError(f"schema-qualified tables are not supported: `{sql_text(table)}`")
    if table.args.get("alias"):
        raise SqlError(f"table aliases are not supported: `{sql_text(table)}`")
    for key, value in table.args.items():
        if value and key != "this":
            raise SqlError(f"`{sql_text(table)}` is not supported")
    return table.name


def _lateral(node: exp.Expression) -> Lateral:
    text = sql_text(node)
    if not isinstance(node, exp.Lateral) or not node.args.get("view"):
        raise SqlError(f"`{text}` is not supported (only LATERAL VIEW [OUTER] EXPLODE)")
    func = node.this
    if not isinstance(func, exp.Explode):
        raise SqlError(f"LATERAL VIEW supports only EXPLODE: `{text}`")
    alias = node.args.get("alias")
    columns = list(alias.columns) if alias is not None else []
    name = columns[0].name if columns else (alias.name if alias is not None else "")
    if not name or len(columns) > 1:
        raise SqlError(f"LATERAL VIEW needs one column alias (AS name): `{text}`")
    return Lateral(func.this, bool(node.args.get("outer")), name, text)


def _items(select: exp.Select, body: str) -> list[SelectItem]:
    raw = _raw_items(body)
    items = []
    for position, node in enumerate(select.expressions):
        if isinstance(node, exp.Star):
            if any(node.args.values()):
                raise SqlError(f"`{sql_text(node)}` is not supported")
            items.append(SelectItem(None))
            continue
        if isinstance(node, exp.Column) and isinstance(node.this, exp.Star):
            items.append(SelectItem(None))
            continue
        if isinstance(node, exp.Alias):
            items.append(SelectItem(node.this, node.alias))
            continue
        path = column_path(node)
        if path is not None:  # Zeta names a column by its last segment
            items.append(SelectItem(node, path[-1]))
            continue
        name = raw[position] if position < len(raw) else sql_text(node)
        items.append(SelectItem(node, name))
    return items


def _raw_items(body: str) -> list[str]:
    """The select-list entries as written (Zeta names an unaliased expression by its text)."""
    tokens = SeaTunnelSql().tokenize(body)
    from sqlglot.tokens import TokenType

    items: list[str] = []
    depth, start, end = 0, None, 0
    for token in tokens[1:]:
        kind = token.token_type
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
        if depth == 0 and kind in (TokenType.FROM, TokenType.COMMA):
            if start is not None:
                items.append(" ".join(body[start:end].split()))
            start = None
            if kind == TokenType.FROM:
                break
            continue
        if start is None:
            start = token.start
        end = token.end + 1
    return items
