"""Option rules of registered plugins in SeaTunnel 3.x's `/option-rules` shape (OptionRuleResponse).

Built from the plugins' declared options: key, Java-style type name, default, description,
fallback keys and choices; required, exclusive and bundled rules; and the numeric bounds (with
the server's limits) as value constraints.
"""

from __future__ import annotations

from typing import Any

from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.options import ANY, BOOL, FLOAT, INT, MAP, STRING, STRING_LIST, Option
from app.engine.plugin import COMMON_OPTIONS
from app.engine.registry import KINDS, REGISTRIES

_JAVA_TYPES = {
    INT: "java.lang.Long",
    FLOAT: "java.lang.Double",
    BOOL: "java.lang.Boolean",
    STRING: "java.lang.String",
    STRING_LIST: "java.util.List<java.lang.String>",
    MAP: "java.util.Map<java.lang.String, java.lang.Object>",
    ANY: "java.lang.Object",
}


class UnknownPluginType(ValueError):
    """`type` is not source, sink or transform (SeaTunnel answers 400)."""


class UnknownPlugin(LookupError):
    """No plugin of that type has that name (SeaTunnel answers 404)."""


def option_rules(plugin_type: str | None, plugin: str | None, limits: Limits | None = None) -> dict:
    """The option rules of plugin `plugin` of `plugin_type`, as SeaTunnel's OptionRulesService
    returns them (both looked up case-insensitively); raises UnknownPluginType / UnknownPlugin."""
    limits = limits or DEFAULT_LIMITS
    if plugin_type is None or not plugin_type.strip():
        raise UnknownPluginType("Parameter 'type' cannot be empty.")
    kind = plugin_type.strip().lower()
    if kind not in KINDS:
        raise UnknownPluginType(
            f"Unsupported plugin type '{plugin_type.strip()}'. "
            "Only 'source', 'sink' and 'transform' are supported."
        )
    if plugin is None or not plugin.strip():
        raise UnknownPluginType("Parameter 'plugin' cannot be empty.")
    cls = REGISTRIES[kind].get(plugin.strip())
    if cls is None:
        raise UnknownPlugin(f"Plugin '{plugin.strip()}' not found for type '{kind}'.")
    return {
        "engineType": "seatunnel",
        "pluginType": kind,
        "pluginName": cls.plugin_name,
        "optionRule": _rule(cls, limits),
    }


def _rule(cls: type, limits: Limits) -> dict:
    options: tuple[Option, ...] = COMMON_OPTIONS + tuple(cls.options)  # type: ignore[attr-defined]
    by_key = {o.key: o for o in options}
    required_rules: list[dict] = []
    in_rules: set[str] = set()
    required = [o for o in options if o.required]
    if required:
        required_rules.append(_required("ABSOLUTELY_REQUIRED", required))
        in_rules.update(o.key for o in required)
    for rule_type, groups in (
        ("EXCLUSIVE", getattr(cls, "exclusive_options", ())),
        ("BUNDLED", getattr(cls, "bundled_options", ())),
    ):
        for group in groups:
            members = [by_key[k] for k in group if k in by_key]
            required_rules.append(_required(rule_type, members))
            in_rules.update(o.key for o in members)
    return {
        "optionalOptions": [_meta(o) for o in options if o.key not in in_rules],
        "requiredOptions": required_rules,
        "conditionRules": [],
        "valueConstraints": [c for o in options for c in _constraints(o, limits)],
    }


def _required(rule_type: str, options: list[Option]) -> dict:
    return {"ruleType": rule_type, "options": [_meta(o) for o in options]}


def _meta(option: Option) -> dict[str, Any]:
    """OptionMetadata; Gson leaves out null fields, and so do we."""
    meta: dict[str, Any] = {"key": option.key, "type": _java_type(option)}
    if option.default is not None:
        meta["defaultValue"] = option.default
    meta["description"] = option.description
    meta["fallbackKeys"] = list(option.fallback_keys)
    if option.choices:
        meta["optionValues"] = list(option.choices)
    return meta


def _java_type(option: Option) -> str:
    if option.type == INT and option.max is not None and option.max <= 2**31 - 1:
        return "java.lang.Integer"
    return _JAVA_TYPES.get(option.type, "java.lang.Object")


def _constraints(option: Option, limits: Limits) -> list[dict]:
    """`key >= min` and `key <= max` (the max lowered to the server's limit where one applies)."""
    bounds: list[tuple[str, Any]] = []
    if option.min is not None:
        bounds.append((">=", _number(option.min, option)))
    high = option.max
    if option.limit is not None:
        cap = getattr(limits, option.limit)
        high = cap if high is None else min(high, cap)
    if high is not None:
        bounds.append(("<=", _number(high, option)))
    return [
        {
            "expression": f"'{option.key}' {symbol} {value}",
            "conditionTree": {
                "option": _meta(option),
                "expectValue": value,
                "compareOperator": symbol,
            },
        }
        for symbol, value in bounds
    ]


def _number(value: float, option: Option) -> Any:
    return int(value) if option.type == INT else float(value)
