"""Plugin option schemas: dotted-key lookup (flat JSON or nested HOCON) and uniform type validation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from app.engine.errors import ConfigError

MISSING: Any = object()

INT = "int"
FLOAT = "float"
BOOL = "bool"
STRING = "string"
STRING_LIST = "list"
MAP = "map"
ANY = "any"

_INT_TEXT = re.compile(r"\s*[-+]?\d+\s*")
_KIND_WORDS = {
    INT: "an integer",
    FLOAT: "a number",
    BOOL: "a boolean",
    STRING: "a string",
    STRING_LIST: "a list of strings",
    MAP: "an object",
}


def lookup(config: dict, key: str) -> Any:
    """The value at dotted `key`, written flat ("row.num") or nested ({"row": {"num": ..}}); else MISSING."""
    return _lookup(config, key.split("."))


def _lookup(config: Any, parts: list[str]) -> Any:
    if not isinstance(config, dict):
        return MISSING
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head not in config:
            continue
        if cut == len(parts):
            return config[head]
        found = _lookup(config[head], parts[cut:])
        if found is not MISSING:
            return found
    return MISSING


def show(value: Any) -> str:
    """A short JSON rendering of a user value for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Option:
    """One declared option: key, type, default, whether required, legacy keys and bounds."""

    key: str
    type: str
    default: Any = None
    required: bool = False
    fallback_keys: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = field(default=())


def check_value(option: Option, value: Any) -> tuple[Any, str | None]:
    """Coerce `value` to the option's type; returns (value, None) or (None, complaint)."""
    kind = option.type
    if kind == INT:
        return _as_int(value, option)
    if kind == FLOAT:
        return _as_float(value, option)
    if kind == BOOL:
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true", None
        return None, f"must be a boolean, got {show(value)}"
    if kind == STRING:
        if isinstance(value, str):
            return _choice(value, option)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _choice(str(value), option)
        return None, f"must be a string, got {show(value)}"
    if kind == STRING_LIST:
        if isinstance(value, str):
            return [value], None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value), None
        return None, f"must be a list of strings, got {show(value)}"
    if kind == MAP:
        if isinstance(value, dict):
            return value, None
        return None, f"must be an object, got {show(value)}"
    return value, None


def _choice(value: str, option: Option) -> tuple[Any, str | None]:
    if option.choices:
        upper = value.upper()
        if upper not in option.choices:
            return None, f"must be one of {', '.join(option.choices)}, got {show(value)}"
        return upper, None
    return value, None


def _as_int(value: Any, option: Option) -> tuple[Any, str | None]:
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif (
        isinstance(value, float)
        and value.is_integer()
        or isinstance(value, str)
        and _INT_TEXT.fullmatch(value)
    ):
        number = int(value)
    if number is None:
        return None, f"must be an integer, got {show(value)}"
    return _bounded(number, option)


def _as_float(value: Any, option: Option) -> tuple[Any, str | None]:
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return None, f"must be a number, got {show(value)}"
    return _bounded(number, option)


def _bounded(number: Any, option: Option) -> tuple[Any, str | None]:
    if option.min is not None and number < option.min:
        return None, f"must be >= {_num(option.min)}, got {_num(number)}"
    if option.max is not None and number > option.max:
        return None, f"must be <= {_num(option.max)}, got {_num(number)}"
    return number, None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**63 else repr(value)


def validate(plugin: str, where: str, config: dict, options: tuple[Option, ...]) -> dict[str, Any]:
    """Validate `config` against `options`; returns {key: coerced value or default}, or raises ConfigError."""
    values: dict[str, Any] = {}
    for option in options:
        raw, used = MISSING, option.key
        for key in (option.key, *option.fallback_keys):
            raw = lookup(config, key)
            if raw is not MISSING:
                used = key
                break
        if raw is MISSING or raw is None:
            if option.required:
                raise ConfigError(f"Plugin '{plugin}' ({where}): option '{option.key}' is required")
            values[option.key] = option.default
            continue
        value, complaint = check_value(option, raw)
        if complaint is not None:
            raise ConfigError(f"Plugin '{plugin}' ({where}): option '{used}' {complaint}")
        values[option.key] = value
    return values
