"""The Assert sink's `rules`, parsed and checked at submit time (SeaTunnel's AssertRuleParser).

rules {
  row_rules = [{rule_type = MIN_ROW, rule_value = 10}]
  field_rules = [{
    field_name = age
    field_type = int
    field_value = [{rule_type = NOT_NULL}, {rule_type = MAX, rule_value = 100}, {equals_to = 7}]
  }]
  # or, per table: tables_configs = [{table_path = "db.t", row_rules = [...], field_rules = [...]}]
  table-names = ["db.t", "db.u"]   # the set of tables that must reach the sink
}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.javafmt import java_double
from app.engine.options import show
from app.engine.types import Field, SeaType, TypeSyntaxError, parse_type

ROW_RULE_TYPES = ("MAX_ROW", "MIN_ROW")  # enum order of AssertRuleType
VALUE_RULE_TYPES = ("NULL", "NOT_NULL", "MIN", "MAX", "MIN_LENGTH", "MAX_LENGTH")
RULE_TYPES = VALUE_RULE_TYPES + ROW_RULE_TYPES
# AssertRuleParser's extra type names, beside SeaTunnel's type syntax
_TYPE_ALIASES = {
    "byte": "tinyint",
    "short": "smallint",
    "long": "bigint",
    "void": "null",
    "datetime": "timestamp",
}
_TABLE_KEYS = {"row_rules", "field_rules", "catalog_table_rule"}
_RULE_KEYS = {"rule_type", "rule_value", "equals_to"}
_FIELD_RULE_KEYS = {"field_name", "field_type", "field_value"}
MAX_RULES = 10_000


class RuleError(ValueError):
    """A rules block that cannot be parsed; the message names the rule's place in `rules`."""


@dataclass(frozen=True)
class AssertRule:
    """One value or row rule: a type (or None: only equals_to), a number, an expected value."""

    rule_type: str | None
    rule_value: float | None = None
    equals_to: Any = None
    has_equals_to: bool = False

    def java(self) -> str:
        """Lombok's toString, as SeaTunnel's failure messages print the rule."""
        value = "null" if self.rule_value is None else java_double(self.rule_value)
        expected = "null" if not self.has_equals_to else _java_value(self.equals_to)
        return (
            f"AssertFieldRule.AssertRule(ruleType={self.rule_type or 'null'}, "
            f"ruleValue={value}, equalTo={expected})"
        )


@dataclass(frozen=True)
class FieldRule:
    """The rules of one field: an expected type and value rules."""

    field_name: str
    field_type: SeaType | None
    rules: tuple[AssertRule, ...]

    def java(self) -> str:
        """Lombok's toString of AssertFieldRule."""
        kind = self.field_type.display() if self.field_type is not None else "null"
        rules = ", ".join(r.java() for r in self.rules)
        return (
            f"AssertFieldRule(fieldName={self.field_name}, fieldType={kind}, fieldRules=[{rules}])"
        )


@dataclass
class TableRules:
    """The row and field rules of one table (or of every table, without tables_configs)."""

    row_rules: list[AssertRule] = field(default_factory=list)
    field_rules: list[FieldRule] = field(default_factory=list)


@dataclass
class Rules:
    """Everything in `rules`: per-table rules keyed by table path (None: the sink's one table)."""

    tables: dict[str | None, TableRules]
    table_names: list[str] | None

    def for_table(self, table: str) -> tuple[str | None, TableRules | None]:
        """The key and rules that apply to rows of `table` (SeaTunnel: a single rule set
        applies to whatever table arrives; several are matched by table path)."""
        if table in self.tables:
            return table, self.tables[table]
        if len(self.tables) == 1:
            key = next(iter(self.tables))
            return key, self.tables[key]
        return None, None


def parse_rules(raw: Any) -> Rules:
    """Parse the `rules` option; raises RuleError naming the offending entry."""
    if not isinstance(raw, dict):
        raise RuleError(f"must be an object, got {show(raw)}")
    unknown = set(raw) - _TABLE_KEYS - {"tables_configs", "table-names"}
    if unknown:
        raise RuleError(f"has unknown key {show(sorted(unknown)[0])}")
    tables: dict[str | None, TableRules] = {}
    if "tables_configs" in raw:
        configs = raw["tables_configs"]
        if not isinstance(configs, list):
            raise RuleError("tables_configs must be a list of objects")
        for i, config in enumerate(configs):
            where = f"tables_configs[{i}]"
            if not isinstance(config, dict):
                raise RuleError(f"{where} must be an object")
            path = config.get("table_path")
            if not isinstance(path, str) or not path:
                raise RuleError(f"{where}.table_path must be a table path string")
            extra = set(config) - _TABLE_KEYS - {"table_path"}
            if extra:
                raise RuleError(f"{where} has unknown key {show(sorted(extra)[0])}")
            tables[path] = _table_rules(config, where)
    elif set(raw) & _TABLE_KEYS:
        tables[None] = _table_rules(raw, "rules")
    names = raw.get("table-names")
    if names is not None and (
        not isinstance(names, list) or not all(isinstance(n, str) for n in names)
    ):
        raise RuleError("table-names must be a list of table paths")
    if not any(t.row_rules or t.field_rules for t in tables.values()) and not names:
        raise RuleError("Assert rule config is empty, please add rule config.")
    return Rules(tables, names)


def _table_rules(config: dict, where: str) -> TableRules:
    if "catalog_table_rule" in config:
        raise RuleError(f"{where}.catalog_table_rule is not supported yet by this server")
    rules = TableRules()
    row_rules = _list(config.get("row_rules", []), f"{where}.row_rules")
    for i, item in enumerate(row_rules):
        rule = _rule(item, f"{where}.row_rules[{i}]")
        if rule.rule_type not in ROW_RULE_TYPES:
            raise RuleError(
                f"{where}.row_rules[{i}].rule_type must be MIN_ROW or MAX_ROW, "
                f"got {show(rule.rule_type)}"
            )
        if rule.rule_value is None:
            raise RuleError(f"{where}.row_rules[{i}].rule_value is required")
        rules.row_rules.append(rule)
    field_rules = _list(config.get("field_rules", []), f"{where}.field_rules")
    for i, item in enumerate(field_rules):
        rules.field_rules.append(_field_rule(item, f"{where}.field_rules[{i}]"))
    return rules


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise RuleError(f"{where} must be a list of objects")
    if len(value) > MAX_RULES:
        raise RuleError(f"{where} must hold at most {MAX_RULES} rules")
    return value


def _field_rule(item: Any, where: str) -> FieldRule:
    if not isinstance(item, dict):
        raise RuleError(f"{where} must be an object")
    extra = set(item) - _FIELD_RULE_KEYS
    if extra:
        raise RuleError(f"{where} has unknown key {show(sorted(extra)[0])}")
    name = item.get("field_name")
    if not isinstance(name, str) or not name:
        raise RuleError(f"{where}.field_name must be a field name string")
    kind = None
    if "field_type" in item:
        kind = _field_type(item["field_type"], f"{where}.field_type", 16)
    values = _list(item.get("field_value", []), f"{where}.field_value")
    rules = []
    for i, value in enumerate(values):
        rule = _rule(value, f"{where}.field_value[{i}]")
        if rule.rule_type in ROW_RULE_TYPES:
            raise RuleError(f"{where}.field_value[{i}].rule_type {rule.rule_type} is a row rule")
        if rule.rule_type in ("MIN", "MAX", "MIN_LENGTH", "MAX_LENGTH") and rule.rule_value is None:
            raise RuleError(f"{where}.field_value[{i}].rule_value is required for {rule.rule_type}")
        rules.append(rule)
    return FieldRule(name, kind, tuple(rules))


def _field_type(text: Any, where: str, depth: int) -> SeaType:
    """A type name, or an object of fields (a row type), as AssertRuleParser reads field_type."""
    if isinstance(text, dict):
        if not text or depth <= 0:
            raise RuleError(f"{where} must be a type, or an object of field types")
        fields = tuple(
            Field(str(name), _field_type(inner, f"{where}.{name}", depth - 1))
            for name, inner in text.items()
        )
        return SeaType("row", fields=fields)
    if not isinstance(text, str):
        raise RuleError(f"{where} must be a type name string, got {show(text)}")
    try:
        return parse_type(_TYPE_ALIASES.get(text.strip().lower(), text), depth)
    except TypeSyntaxError:
        raise RuleError(f"{where} is not a SeaTunnel type, got {show(text)}") from None


def _rule(item: Any, where: str) -> AssertRule:
    if not isinstance(item, dict):
        raise RuleError(f"{where} must be an object")
    extra = set(item) - _RULE_KEYS
    if extra:
        raise RuleError(f"{where} has unknown key {show(sorted(extra)[0])}")
    rule_type = item.get("rule_type")
    if rule_type is not None and rule_type not in RULE_TYPES:  # Java's valueOf: exact case
        raise RuleError(
            f"{where}.rule_type must be one of {', '.join(RULE_TYPES)}, got {show(rule_type)}"
        )
    value = item.get("rule_value")
    if value is not None:
        try:
            value = float(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            value = None
        if value is None:
            raise RuleError(f"{where}.rule_value must be a number, got {show(item['rule_value'])}")
    return AssertRule(rule_type, value, item.get("equals_to"), "equals_to" in item)


def _java_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ", ".join(_java_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_value(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value)
