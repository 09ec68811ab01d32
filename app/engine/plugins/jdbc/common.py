"""Options the Jdbc source and sink share (reference-connectors §3.1) and their parsing into a Target."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.engine.options import BOOL, INT, MAP, STRING, Option
from app.engine.plugins.jdbc.connect import SQLITE, Target, UrlError, parse_url

CONNECTION_OPTIONS = (
    Option("url", STRING, required=True),
    Option("driver", STRING, required=True),
    Option("user", STRING),
    Option("password", STRING),
    Option("connection_check_timeout_sec", INT, 30, min=1, max=3600),
    Option("compatible_mode", STRING),
    Option("properties", MAP),
    Option("auto_commit", BOOL, True),
    Option("fetch_size", INT, 0, min=0, max=1 << 24),
    Option("field_ide", STRING, choices=("ORIGINAL", "UPPERCASE", "LOWERCASE")),
    Option("decimal_type_narrowing", BOOL, True),
    Option("use_kerberos", BOOL, False),
)


def target_of(plugin: Any) -> Target:
    """The connection target of a Jdbc plugin's options (raises the plugin's ConfigError)."""
    values = plugin.values
    if values["use_kerberos"]:
        raise plugin.error("use_kerberos", "is not supported by this server")
    if values["compatible_mode"]:
        raise plugin.error(
            "compatible_mode", "is not supported (PostgreSQL, MySQL, MariaDB and SQLite only)"
        )
    properties = values["properties"] or {}
    if any(isinstance(v, (dict, list)) for v in properties.values()):
        raise plugin.error("properties", "must map names to plain values")
    try:
        target = parse_url(
            values["url"],
            values["driver"],
            values["user"],
            values["password"],
            properties,
            values["connection_check_timeout_sec"],
        )
    except UrlError as exc:
        option = "driver" if str(exc).startswith("driver") else "url"
        raise plugin.error(option, str(exc)) from None
    if target.dialect == SQLITE and target.path != ":memory:":
        target = replace(target, path=_allowed_file(plugin, target.path))
    return target


def _allowed_file(plugin: Any, path: str) -> str:
    """A SQLite file is a file option: it must resolve under security.allowed-paths (DESIGN §6)."""
    try:
        from app.engine.paths import resolve_allowed  # type: ignore[import-not-found]
    except ImportError:  # the engine has no allowed-paths check yet (it comes with limits)
        return path
    where = f"Plugin '{plugin.plugin_name}' ({plugin.where}): "
    return resolve_allowed("url", path, plugin.limits, where)


def identifier_case(name: str, field_ide: str | None) -> str:
    """`field_ide`: identifiers of generated SQL kept, upper- or lower-cased."""
    if field_ide == "UPPERCASE":
        return name.upper()
    if field_ide == "LOWERCASE":
        return name.lower()
    return name
