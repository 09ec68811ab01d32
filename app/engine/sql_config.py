"""format=sql: turn a SeaTunnel SQL job file into the equivalent HOCON config (seatunnel-config-sql).

Grammar and mapping follow SeaTunnel's SqlConfigBuilder:

* `/* config ... */` blocks hold HOCON for `env` (and anything else top-level); `--` lines and
  other `/* ... */` blocks are comments. Statements end with `;`.
* `CREATE TABLE name WITH ('connector' = 'X', 'type' = 'source'|'sink', 'k' = 'v', ...)` declares
  a source (plugin_output = name) or a sink. Values that look like `{...}` or `[...]` are HOCON;
  every other value is a string. `connector`, `type` and `plugin_output` are not copied.
* `CREATE TABLE t2 AS SELECT ... FROM t1` becomes an Sql transform t1 -> t2.
* `INSERT INTO dst SELECT ... FROM src` becomes an Sql transform src -> src__tempN plus a copy of
  sink dst reading it; `INSERT INTO dst SELECT src` (no FROM) feeds dst from src directly.
* Sinks that no INSERT feeds are dropped. There must be a source and an INSERT.

The result is HOCON text that parse_config reads like a submitted HOCON body, so sources, the Sql
transform and sinks are built exactly as from the equivalent JSON config.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app.engine.errors import ConfigError

_TEMP_SUFFIX = "__temp"
_SKIPPED = ("connector", "type", "plugin_output")


@dataclass
class _Plugin:
    """A source, sink or transform being assembled: connector and ordered (key, HOCON value) options."""

    kind: str
    connector: str
    options: list[tuple[str, str]] = field(default_factory=list)
    query: str = ""
    plugin_input: str = ""
    plugin_output: str = ""


def _error(message: str) -> ConfigError:
    return ConfigError(f"Invalid SQL config: {message}")


def sql_to_hocon(text: str) -> str:
    """The HOCON config equivalent to SeaTunnel SQL job `text` (ConfigError on bad input)."""
    env_blocks, statements = _split(text.splitlines())
    tables: dict[str, _Plugin] = {}
    sources: list[_Plugin] = []
    sinks: list[_Plugin] = []
    transforms: list[_Plugin] = []
    rest: list[str] = []
    for statement in statements:
        tokens = _tokens(statement)
        if _is_create_with(tokens):
            _create_table(statement, tokens, tables, sources, sinks)
        else:
            rest.append(statement)
    fed: list[_Plugin] = []
    temp = 1
    for statement in rest:
        tokens = _tokens(statement)
        words = [t.text.upper() for t in tokens[:3]]
        if words[:2] == ["CREATE", "TABLE"] and _keyword_at(tokens, 3, "AS"):
            transforms.append(_create_as(statement, tokens, tables))
        elif words[:2] == ["INSERT", "INTO"]:
            temp = _insert(statement, tokens, tables, transforms, fed, temp)
        else:
            raise _error(f"Unsupported SQL syntax: {_short(statement)}")
    if not sources:
        raise _error("The SQL config must contain at least one source table")
    if not fed:
        raise _error("The SQL config must contain `INSERT INTO ... SELECT ...` syntax")
    return _render(env_blocks, sources, transforms, fed)


def _split(lines: list[str]) -> tuple[list[str], list[str]]:
    """(`/* config */` blocks, statements): SqlConfigBuilder's comment and `;` rules."""
    env_blocks: list[str] = []
    sql_lines: list[str] = []
    in_config = in_comment = False
    block: list[str] = []
    for line in lines:
        stripped = line.strip()
        if in_comment:
            if stripped.endswith("*/"):
                in_comment = False
            continue
        if in_config:
            if stripped == "*/":
                in_config = False
                env_blocks.append("\n".join(block))
                block = []
            else:
                block.append(line)
            continue
        if stripped.startswith("--"):
            continue
        if stripped == "/* config":
            in_config = True
            continue
        if stripped.startswith("/*"):
            in_comment = not (stripped.endswith("*/") and len(stripped) >= 4)
            continue
        if stripped:
            sql_lines.append(stripped)
    if in_config:
        raise _error("a `/* config` block is not closed by a `*/` line")
    statements, current = [], []
    for line in sql_lines:
        cut = line.find(" --")
        if cut > -1:
            line = line[:cut].rstrip()
        if line.endswith(";"):
            current.append(line[:-1])
            statements.append(" ".join(current))
            current = []
        else:
            current.append(line)
    if current and " ".join(current).strip():
        statements.append(" ".join(current))
    return env_blocks, [s for s in statements if s.strip()]


def _tokens(statement: str) -> list:
    from sqlglot.errors import TokenError

    from app.engine.plugins.sql.dialect import SeaTunnelSql

    try:
        return SeaTunnelSql().tokenize(statement)
    except TokenError as exc:
        raise _error(f"cannot read {_short(statement)}: {' '.join(str(exc).split())}") from None


def _keyword_at(tokens: list, index: int, word: str) -> bool:
    return len(tokens) > index and tokens[index].text.upper() == word


def _is_create_with(tokens: list) -> bool:
    words = [t.text.upper() for t in tokens[:4]]
    return words[:2] == ["CREATE", "TABLE"] and len(words) > 3 and words[3] == "WITH"


def _name(token: object) -> str:
    return str(getattr(token, "text", "")).strip('`"')


def _create_table(statement: str, tokens: list, tables: dict, sources: list, sinks: list) -> None:
    name = _name(tokens[2])
    options = _options(statement, tokens[4:])
    if name in tables:
        raise _error(f"Table name duplicate: {name}")
    kind = (options.get("type") or "").lower()
    if kind not in ("source", "sink"):
        return  # SeaTunnel ignores tables that are neither sources nor sinks
    connector = options.get("connector") or ""
    if not connector:
        raise _error(f"The connector of option is none (table {name})")
    plugin = _Plugin(kind, connector)
    for key, value in options.items():
        if key.lower() in _SKIPPED or (kind == "sink" and key == "plugin_input"):
            continue
        plugin.options.append((key, _hocon_value(value)))
    if kind == "source":
        plugin.plugin_output = name
        sources.append(plugin)
    else:
        sinks.append(plugin)
    tables[name] = plugin


def _options(statement: str, tokens: list) -> dict[str, str]:
    """`('k' = 'v', ...)`: quoted or bare keys, string/number/bare values ('' escapes a quote)."""
    from sqlglot.tokens import TokenType

    if not tokens or tokens[0].token_type != TokenType.L_PAREN:
        raise _error(f"WITH needs a parenthesised option list: {_short(statement)}")
    options: dict[str, str] = {}
    i = 1
    while i < len(tokens) and tokens[i].token_type != TokenType.R_PAREN:
        if i + 2 >= len(tokens) or tokens[i + 1].token_type != TokenType.EQ:
            raise _error(f"expected 'key' = 'value' in the WITH options of {_short(statement)}")
        options[tokens[i].text] = tokens[i + 2].text
        i += 3
        if i < len(tokens) and tokens[i].token_type == TokenType.COMMA:
            i += 1
    if i >= len(tokens):
        raise _error(f"the WITH option list is not closed: {_short(statement)}")
    if i + 1 != len(tokens):
        raise _error(f"unexpected text after the WITH options: {_short(statement)}")
    return options


def _hocon_value(value: str) -> str:
    trimmed = value.strip()
    if (trimmed.startswith("{") and trimmed.endswith("}")) or (
        trimmed.startswith("[") and trimmed.endswith("]")
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def _select_text(statement: str, tokens: list) -> str:
    from sqlglot.tokens import TokenType

    for token in tokens:
        if token.token_type == TokenType.SELECT:
            return statement[token.start :].strip()
    raise _error(f"Insert sql must have select statement: {_short(statement)}")


def _from_table(select: str, statement: str) -> tuple[str | None, list[str]]:
    """The FROM table of a SELECT (None without FROM) and its bare select items."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    from app.engine.plugins.sql.dialect import SeaTunnelSql

    try:
        tree = sqlglot.parse_one(select, read=SeaTunnelSql)
    except ParseError as exc:
        reason = " ".join(str(exc).split())[:200]
        raise _error(f"cannot parse {_short(statement)}: {reason}") from None
    if not isinstance(tree, exp.Select):
        raise _error(f"Unsupported syntax: {_short(statement)}")
    source = tree.args.get("from_") or tree.args.get("from")
    items = [e.name for e in tree.expressions if isinstance(e, exp.Column)]
    if source is None:
        return None, items
    if not isinstance(source.this, exp.Table):
        raise _error(f"Unsupported syntax: {_short(statement)}")
    return source.this.name, items


def _create_as(statement: str, tokens: list, tables: dict) -> _Plugin:
    name = _name(tokens[2])
    select = _select_text(statement, tokens)
    source, _ = _from_table(select, statement)
    if source is None or source not in tables:
        raise _error(f"The source table[{source}] is not found")
    if name in tables:
        raise _error(f"Table name duplicate: {name}")
    plugin = _Plugin("transform", "Sql", query=select, plugin_input=source, plugin_output=name)
    tables[name] = plugin
    return plugin


def _insert(
    statement: str, tokens: list, tables: dict, transforms: list, fed: list, temp: int
) -> int:
    from sqlglot.tokens import TokenType

    target = _name(tokens[2])
    if len(tokens) > 3 and tokens[3].token_type == TokenType.L_PAREN:
        raise _error("Insert sql must not have columns")
    select = _select_text(statement, tokens)
    source, items = _from_table(select, statement)
    if source is None:
        if len(items) != 1:
            raise _error(f"Source table must be specified in SQL: {_short(statement)}")
        source = output = items[0]
    else:
        output = f"{source}{_TEMP_SUFFIX}{temp}"
        temp += 1
        transforms.append(
            _Plugin("transform", "Sql", query=select, plugin_input=source, plugin_output=output)
        )
    producer = tables.get(source)
    if producer is None or producer.kind not in ("source", "transform"):
        raise _error(f"The source table[{source}] is not found")
    sink = tables.get(target)
    if sink is None or sink.kind != "sink":
        raise _error(f"The sink table[{target}] is not found")
    copy = _Plugin("sink", sink.connector, list(sink.options), plugin_input=output)
    copy.options.append(("plugin_input", json.dumps(output)))
    fed.append(copy)
    return temp


def _render(env_blocks: list[str], sources: list, transforms: list, sinks: list) -> str:
    parts = [*env_blocks, "source {"]
    for plugin in sources:
        parts.append(f"  {_key(plugin.connector)} {{")
        parts.extend(f"    {_key(k)} = {v}" for k, v in plugin.options)
        parts.append(f"    plugin_output = {json.dumps(plugin.plugin_output)}")
        parts.append("  }")
    parts.append("}")
    parts.append("transform {")
    for plugin in transforms:
        parts.append("  Sql {")
        parts.append(f"    plugin_input = {json.dumps(plugin.plugin_input)}")
        parts.append(f"    query = {json.dumps(plugin.query)}")
        parts.append(f"    plugin_output = {json.dumps(plugin.plugin_output)}")
        parts.append("  }")
    parts.append("}")
    parts.append("sink {")
    for plugin in sinks:
        parts.append(f"  {_key(plugin.connector)} {{")
        parts.extend(f"    {_key(k)} = {v}" for k, v in plugin.options)
        parts.append("  }")
    parts.append("}")
    return "\n".join(parts) + "\n"


_BARE_KEY = re.compile(r"[A-Za-z0-9_.\-]+")


def _key(key: str) -> str:
    """A HOCON key: dotted keys stay paths (row.num = row { num }), odd ones are quoted."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _short(statement: str) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= 120 else text[:117] + "..."
