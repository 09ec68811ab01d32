"""Parse a submit-job body (JSON or HOCON) into one plain, JSON-serialisable config dict."""

from __future__ import annotations

import json
from typing import Any

from app.engine.errors import ConfigError

_PLUGIN_BLOCKS = ("source", "transform", "sink")


def parse_config(text: str | bytes, fmt: str = "json") -> dict:
    """Parse `text` as `fmt` ("json", "hocon" or "sql", any case) into a config dict, or raise ConfigError."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("Invalid JSON format in request body.") from None
    if not text.strip():
        raise ConfigError("Request body is empty.")
    kind = (fmt or "json").lower()
    if kind == "json":
        return _parse_json(text)
    if kind == "hocon":
        return _parse_hocon(text)
    if kind == "sql":
        from app.engine.sql_config import sql_to_hocon

        return _parse_hocon(sql_to_hocon(text))
    raise ConfigError(f"Unsupported format: {fmt}. Use json, hocon or sql.")


def _parse_json(text: str) -> dict:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ConfigError("Invalid JSON format in request body.") from None
    if not isinstance(value, dict):
        raise ConfigError("Invalid JSON format in request body: the config must be a JSON object.")
    return value


def _parse_hocon(text: str) -> dict:
    from pyhocon import ConfigFactory, ConfigTree  # deferred: only HOCON bodies pay for pyparsing

    try:
        tree = ConfigFactory.parse_string(text)
    except Exception as exc:  # noqa: BLE001 - pyhocon raises pyparsing and its own errors alike
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"Invalid HOCON format in request body: {reason}") from None
    if not isinstance(tree, ConfigTree):
        raise ConfigError("Invalid HOCON format in request body: the config must be an object.")
    try:
        config = _plain(tree)
    except Exception as exc:  # noqa: BLE001 - unresolved substitutions surface here
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"Invalid HOCON format in request body: {reason}") from None
    for block in _PLUGIN_BLOCKS:
        if isinstance(config.get(block), dict):
            config[block] = _plugins_from_object(config[block])
    return config


def _plugins_from_object(block: dict) -> list[dict]:
    """SeaTunnel's HOCON layout: `source { FakeSource { ... } }` -> [{"plugin_name": "FakeSource", ...}]."""
    plugins = []
    for name, body in block.items():
        if isinstance(body, dict):
            plugins.append({"plugin_name": name, **body})
        else:
            plugins.append(body)  # rejected by build_plan: a plugin must be an object
    return plugins


def _plain(value: Any) -> Any:
    """Turn pyhocon ConfigTrees and lists into plain dicts and lists."""
    from pyhocon.config_tree import NoneValue

    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, NoneValue):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _key(key: Any) -> str:
    """pyhocon keeps the quotes of a quoted key (`"x.y" = 1`); SeaTunnel's key is x.y."""
    key = str(key)
    if len(key) >= 2 and key[0] == key[-1] == '"':
        return key[1:-1]
    return key
