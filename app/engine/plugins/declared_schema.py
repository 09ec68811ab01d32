"""A `schema { fields { ... } }` block as sources declare it: type strings, or nested objects for
ROW types (`c_row = { c_int = int, c_inner = { c_string = string } }`), within the plan limits."""

from __future__ import annotations

from typing import Any

from app.engine.options import show
from app.engine.plugin import Plugin
from app.engine.types import Field, Schema, SeaType, TypeSyntaxError, TypeTooDeep, parse_type


def declared_schema(plugin: Plugin, declared: dict[str, Any]) -> Schema:
    """The schema of option `schema.fields`; errors name the field (ConfigError)."""
    limits = plugin.limits
    if len(declared) > limits.fields:
        raise plugin.error(
            "schema.fields",
            f"must declare at most {limits.fields} fields "
            f"({limits.describe('fields')}), got {len(declared)}",
        )
    fields = [declared_field(plugin, str(name), text) for name, text in declared.items()]
    if not fields:
        raise plugin.error("schema.fields", "must declare at least one field")
    return Schema(tuple(fields))


def declared_field(plugin: Plugin, name: str, text: Any, depth: int | None = None) -> Field:
    """One declared field: a type string, or an object of fields (a nested row)."""
    limits = plugin.limits
    depth = limits.type_depth if depth is None else depth
    if isinstance(text, dict):
        if depth <= 0 or not text:
            raise plugin.error(
                "schema.fields",
                f"field {show(name)}: a row type must have fields and nest at most "
                f"{limits.type_depth} levels ({limits.describe('type_depth')})",
            )
        inner = tuple(declared_field(plugin, str(k), v, depth - 1) for k, v in text.items())
        return Field(name, SeaType("row", fields=inner))
    try:
        return Field(name, parse_type(text, depth))
    except TypeTooDeep:
        raise plugin.error(
            "schema.fields",
            f"field {show(name)}: the type nests array/map deeper than "
            f"{limits.type_depth} levels ({limits.describe('type_depth')})",
        ) from None
    except TypeSyntaxError:
        raise plugin.error(
            "schema.fields", f"field {show(name)} has unknown type {show(text)}"
        ) from None
