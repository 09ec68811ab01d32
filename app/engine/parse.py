"""Parse a submit-job body (JSON or HOCON) into one plain, JSON-serialisable config dict.

Every body is untrusted (DESIGN §6): HOCON never includes anything and never reads the
environment; substitutions may only name paths of the same document and the resolved document is
size-capped while it is being resolved; nesting depth and integer range are capped for both formats.
"""

from __future__ import annotations

import json
from typing import Any

from app.engine.errors import ConfigError
from app.engine.hocon import DUPLICATE_MARK, parse_hocon_tree
from app.engine.limits import DEFAULT_LIMITS, Limits

_PLUGIN_BLOCKS = ("source", "transform", "sink")
_INT64 = (-(2**63), 2**63 - 1)
_BAD_JSON = "Invalid JSON format in request body."


def parse_config(text: str | bytes, fmt: str = "json", limits: Limits | None = None) -> dict:
    """Parse `text` as `fmt` ("json", "hocon" or "sql", any case) into a config dict, or raise ConfigError."""
    limits = limits or DEFAULT_LIMITS
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(_BAD_JSON) from None
    if not text.strip():
        raise ConfigError("Request body is empty.")
    kind = (fmt or "json").lower()
    if kind == "json":
        return _parse_json(text, limits)
    if kind == "hocon":
        return _parse_hocon(text, limits)
    if kind == "sql":
        from app.engine.sql_config import sql_to_hocon

        return _parse_hocon(sql_to_hocon(text), limits)
    raise ConfigError(f"Unsupported format: {fmt}. Use json, hocon or sql.")


class _Refused(ValueError):
    """A JSON literal refused while parsing (an integer beyond 64 bits, NaN, Infinity)."""


def _json_int(text: str) -> int:
    if len(text) > 20:
        raise _Refused(text)
    value = int(text)
    if not _INT64[0] <= value <= _INT64[1]:
        raise _Refused(text)
    return value


def _json_constant(text: str) -> Any:
    raise _Refused(text)


def _parse_json(text: str, limits: Limits) -> dict:
    try:
        value = json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
    except _Refused:
        raise ConfigError(
            f"{_BAD_JSON} A number is out of range: integers must fit in 64 bits "
            "(-9223372036854775808..9223372036854775807); NaN and Infinity are not numbers."
        ) from None
    except RecursionError:
        raise _too_deep(limits) from None
    except ValueError:
        raise ConfigError(_BAD_JSON) from None
    if not isinstance(value, dict):
        raise ConfigError(f"{_BAD_JSON[:-1]}: the config must be a JSON object.")
    check_tree(value, limits)
    return value


def _too_deep(limits: Limits) -> ConfigError:
    return ConfigError(
        f"The config is nested too deeply: at most {limits.config_max_depth} levels of objects "
        f"and arrays ({limits.describe('config_max_depth')})."
    )


def check_tree(value: Any, limits: Limits) -> None:
    """Refuse nesting deeper than the limit and integers beyond 64 bits, without recursion."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict):
            if depth >= limits.config_max_depth:
                raise _too_deep(limits)
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            if depth >= limits.config_max_depth:
                raise _too_deep(limits)
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item))
        elif isinstance(item, int) and not isinstance(item, bool):
            if not _INT64[0] <= item <= _INT64[1]:
                raise ConfigError(
                    f"The config value at '{_short(path)}' is an integer beyond 64 bits "
                    "(-9223372036854775808..9223372036854775807)."
                )
        elif isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            raise ConfigError(f"The config value at '{_short(path)}' is out of range for a number.")


def _short(path: str) -> str:
    return path if len(path) <= 120 else path[:117] + "..."


def _parse_hocon(text: str, limits: Limits) -> dict:
    config = parse_hocon_tree(text, limits)
    check_tree(config, limits)
    for block in _PLUGIN_BLOCKS:
        if isinstance(config.get(block), dict):
            config[block] = _plugins_from_object(config[block])
    return config


def _plugins_from_object(block: dict) -> list[dict]:
    """SeaTunnel's HOCON layout: `source { FakeSource { ... } }` -> [{"plugin_name": "FakeSource", ...}].

    Duplicate plugin keys were renamed apart before pyhocon could merge them; the mark goes here.
    """
    plugins = []
    for key, body in block.items():
        name = key.split(DUPLICATE_MARK, 1)[0]
        if isinstance(body, dict):
            plugins.append({"plugin_name": name, **body})
        else:
            plugins.append(body)  # rejected by build_plan: a plugin must be an object
    return plugins
