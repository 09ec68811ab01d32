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


_COLUMN_KEYS = (
    "name",
    "type",
    "nullable",
    "columnLength",
    "columnScale",
    "defaultValue",
    "comment",
)


def declared_columns(plugin: Plugin, columns: Any) -> Schema:
    """The schema of option `schema.columns`: SeaTunnel's `[{name, type, nullable, ...}]` form,
    the one that can say a column is NOT NULL (length, scale, default and comment are accepted
    and not kept)."""
    if not isinstance(columns, list) or not columns:
        raise plugin.error("schema.columns", "must be a non-empty list of {name, type} objects")
    limits = plugin.limits
    if len(columns) > limits.fields:
        raise plugin.error(
            "schema.columns",
            f"must declare at most {limits.fields} columns "
            f"({limits.describe('fields')}), got {len(columns)}",
        )
    fields = []
    for i, column in enumerate(columns):
        if not isinstance(column, dict):
            raise plugin.error(
                "schema.columns", f"column {i} must be an object, got {show(column)}"
            )
        unknown = [k for k in column if k not in _COLUMN_KEYS]
        if unknown:
            raise plugin.error(
                "schema.columns",
                f"column {i} has unknown key {show(str(unknown[0]))} "
                f"(known: {', '.join(_COLUMN_KEYS)})",
            )
        for key in ("name", "type"):
            if column.get(key) in (None, ""):
                raise plugin.error("schema.columns", f"column {i} needs option [{key}]")
        if not isinstance(column["name"], str):
            raise plugin.error(
                "schema.columns", f"column {i} name must be a string, got {show(column['name'])}"
            )
        nullable = column.get("nullable", True)
        if isinstance(nullable, str) and nullable.lower() in ("true", "false"):
            nullable = nullable.lower() == "true"
        if not isinstance(nullable, bool):
            raise plugin.error(
                "schema.columns",
                f"column {show(column['name'])} nullable must be a boolean, got {show(nullable)}",
            )
        declared = declared_field(plugin, column["name"], column["type"])
        fields.append(Field(declared.name, declared.type, nullable))
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise plugin.error("schema.columns", f"declares column {show(f.name)} twice")
        seen.add(f.name)
    return Schema(tuple(fields))


def schema_of(plugin: Plugin) -> Schema:
    """`schema.fields` or `schema.columns`, exactly one (as SeaTunnel's TableSchemaParser)."""
    fields, columns = plugin.values["schema.fields"], plugin.values["schema.columns"]
    if fields is not None and columns is not None:
        raise plugin.error(
            "schema.fields", "and schema.columns cannot both be given (declare one of them)"
        )
    if columns is not None:
        return declared_columns(plugin, columns)
    if fields is None:
        raise plugin.error("schema.fields", "is required (or schema.columns)")
    return declared_schema(plugin, fields)
