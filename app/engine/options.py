"""Plugin option schemas: dotted-key lookup (flat JSON or nested HOCON) and uniform type validation."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from app.engine.errors import ConfigError
from app.engine.limits import DEFAULT_LIMITS, Limits

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
    if not isinstance(config, dict):
        return MISSING
    found = config.get(key, MISSING)  # written flat: the first thing _lookup tries
    if found is not MISSING or "." not in key:
        return found
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


_SENSITIVE = re.compile(
    r"password|passwd|pwd|secret|token|auth|credential|access_key|private_key|username",
    re.IGNORECASE,
)


# keys SeaTunnel's encrypt-config shades in every source and sink: accepted (and ignored) where no
# option declares them, so a shaded config stays valid whatever plugin it names
_SHADED = re.compile(r"password|username|auth|token|access_key|secret_key", re.IGNORECASE)


def is_sensitive(key: Any) -> bool:
    """A key whose value is a secret (SeaTunnel's sensitive keywords and more, any case)."""
    return isinstance(key, str) and _SENSITIVE.search(key) is not None


def show(value: Any, secret: bool = False) -> str:
    """A short rendering of a user value for error messages: scalars only, never an object.

    Objects and lists are named by their type (they may hold a whole plugin config or a
    secret); a `secret` value is named by its type too.
    """
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if secret:
        return _type_word(value)
    if isinstance(value, str):
        text = json.dumps(value if len(value) <= 80 else value[:77] + "...", ensure_ascii=False)
    elif value is None or isinstance(value, (bool, int, float)):
        text = (
            json.dumps(value)
            if not isinstance(value, int) or abs(value) < 10**30
            else "a big integer"
        )
    else:
        text = _type_word(value)
    return text if len(text) <= 84 else text[:81] + "..."


def _type_word(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a value"


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
    description: str = ""
    limit: str | None = None  # a Limits field that caps the value (seatunnel.yaml limits.*)


def check_value(option: Option, value: Any) -> tuple[Any, str | None]:
    """Coerce `value` to the option's type; returns (value, None) or (None, complaint).

    The complaint shows the value only when the option's key is not sensitive.
    """
    value_, complaint = _check_value(option, value)
    if complaint is not None and is_sensitive(option.key) and ", got " in complaint:
        complaint = complaint.rsplit(", got ", 1)[0] + f", got {show(value, secret=True)}"
    return value_, complaint


def _check_value(option: Option, value: Any) -> tuple[Any, str | None]:
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


def validate(
    plugin: str,
    where: str,
    config: dict,
    options: tuple[Option, ...],
    limits: Limits | None = None,
    unsupported: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Validate `config` against `options`; returns {key: coerced value or default}, or raises ConfigError.

    Keys no option declares are refused (naming the closest declared key); keys matching
    `unsupported` (SeaTunnel options we know but do not implement; a leading ^ makes a regex)
    are refused as not supported yet. Options with a `limit` are capped by `limits`.
    """
    limits = limits or DEFAULT_LIMITS
    check_keys(plugin, where, config, options, unsupported)
    # an option under no nested block is written flat (or absent): one dict probe instead of
    # a walk over every way of splitting its dotted key
    prefixes = _declared_keys(options)[1]
    blocks = tuple(f"{k}." for k, v in config.items() if k in prefixes and isinstance(v, dict))
    values: dict[str, Any] = {}
    for option in options:
        raw, used = MISSING, option.key
        for key in (option.key, *option.fallback_keys):
            if blocks and key.startswith(blocks):
                raw = lookup(config, key)
            else:
                raw = config.get(key, MISSING)
            if raw is not MISSING:
                used = key
                break
        if raw is MISSING or raw is None:
            if option.required:
                raise ConfigError(f"Plugin '{plugin}' ({where}): option '{option.key}' is required")
            values[option.key] = option.default
            continue
        value, complaint = check_value(option, raw)
        if complaint is None and option.limit is not None:
            cap = getattr(limits, option.limit)
            if value > cap:
                complaint = (
                    f"must be <= {_num(cap)} ({limits.describe(option.limit)}), got {_num(value)}"
                )
        if complaint is not None:
            raise ConfigError(f"Plugin '{plugin}' ({where}): option '{used}' {complaint}")
        values[option.key] = value
    return values


def _declared_keys(options: tuple[Option, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The keys `options` declare and their dotted prefixes (a plugin's options never change:
    computed once per plugin class, not for every job; found by identity, since hashing a
    tuple of options hashes every field of every option)."""
    found = _DECLARED.get(id(options))
    if found is not None and found[0] is options:
        return found[1]
    keys = _declare(options)
    if len(_DECLARED) >= 256:
        _DECLARED.clear()
    _DECLARED[id(options)] = (options, keys)
    return keys


_DECLARED: dict[int, tuple[tuple[Option, ...], tuple[frozenset[str], frozenset[str]]]] = {}


def _declare(options: tuple[Option, ...]) -> tuple[frozenset[str], frozenset[str]]:
    declared = frozenset(k for o in options for k in (o.key, *o.fallback_keys))
    prefixes = frozenset(k.rsplit(".", i)[0] for k in declared for i in range(1, k.count(".") + 1))
    return declared, prefixes


def check_keys(
    plugin: str,
    where: str,
    config: dict,
    options: tuple[Option, ...],
    unsupported: tuple[str, ...] = (),
) -> None:
    """Refuse any key of `config` (flat "row.num" or nested `row { num }`) that no option declares."""
    declared, prefixes = _declared_keys(options)
    stack: list[tuple[dict, str]] = [(config, "")]
    while stack:
        block, prefix = stack.pop()
        for key, value in block.items():
            path = f"{prefix}{key}"
            if not prefix and path == "plugin_name":
                continue
            if path in prefixes and isinstance(value, dict):
                stack.append((value, path + "."))
                continue
            if path in declared or _SHADED.search(path):
                continue
            _refuse_key(plugin, where, path, declared, unsupported)


def _refuse_key(
    plugin: str, where: str, path: str, declared: frozenset[str], unsupported: tuple[str, ...]
) -> None:
    shown = path if len(path) <= 80 else path[:77] + "..."
    for pattern in unsupported:
        if pattern.startswith("^") and re.fullmatch(pattern, path) or pattern == path:
            raise ConfigError(
                f"Plugin '{plugin}' ({where}): option '{shown}' is not supported yet by this "
                "server (a SeaTunnel option it does not implement)"
            )
    close = (
        difflib.get_close_matches(path, sorted(declared), n=1, cutoff=0.6)
        if len(path) <= 200
        else []
    )
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ConfigError(f"Plugin '{plugin}' ({where}): unknown option '{shown}'{hint}")
