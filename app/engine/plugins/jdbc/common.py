"""Options the Jdbc source and sink share (reference-connectors §3.1) and their parsing into a Target."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.engine.options import BOOL, INT, MAP, STRING, Option
from app.engine.plugins.jdbc.connect import SQLITE, Target, UrlError, parse_url

CONNECTION_OPTIONS = (
    Option(
        "url",
        STRING,
        required=True,
        description="JDBC URL: jdbc:postgresql://h:5432/db, jdbc:mysql://..., jdbc:mariadb://..., jdbc:sqlite:/path.",
    ),
    Option(
        "driver",
        STRING,
        required=True,
        description="Java driver class name (org.postgresql.Driver, com.mysql.cj.jdbc.Driver, org.mariadb.jdbc.Driver, org.sqlite.JDBC).",
    ),
    Option("user", STRING, description="Database user."),
    Option("password", STRING, description="Database password (never logged or echoed)."),
    Option(
        "connection_check_timeout_sec",
        INT,
        30,
        min=1,
        max=3600,
        description="Seconds to wait for a connection (and the catalog read at submit).",
    ),
    Option(
        "compatible_mode",
        STRING,
        description="SeaTunnel's vendor compatibility mode; not supported here (400).",
    ),
    Option(
        "properties",
        MAP,
        description="Extra connection properties (currentSchema, sslmode, ApplicationName).",
    ),
    Option(
        "auto_commit",
        BOOL,
        True,
        description="Accepted for SeaTunnel compatibility; reads and writes manage their own transactions.",
    ),
    Option(
        "fetch_size",
        INT,
        0,
        min=0,
        max=1 << 24,
        description="Rows fetched per round trip (0: the driver's default batch).",
    ),
    Option(
        "field_ide",
        STRING,
        choices=("ORIGINAL", "UPPERCASE", "LOWERCASE"),
        description="Identifier case of generated SQL: ORIGINAL, UPPERCASE or LOWERCASE.",
    ),
    Option(
        "decimal_type_narrowing",
        BOOL,
        True,
        description="Accepted for SeaTunnel compatibility (Oracle NUMBER narrowing); no effect here.",
    ),
    Option(
        "use_kerberos",
        BOOL,
        False,
        description="Kerberos authentication; not supported here (400 when true).",
    ),
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
