"""The env block: flattened string options (jobDag envOptions), job mode, name and parallelism."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.engine.errors import ConfigError
from app.engine.options import INT, MISSING, Option, check_value, lookup, show

MODES = ("BATCH", "STREAMING")


@dataclass(frozen=True)
class Env:
    """The validated env block."""

    raw: dict
    options: dict[str, str]
    mode: str
    name: str | None
    parallelism: int
    checkpoint_interval_ms: int | None  # None: not set (STREAMING then uses the default)


def read_env(env: dict) -> Env:
    """Validate the env block (job.mode, parallelism) and flatten it to dotted string options."""
    flat: dict[str, str] = {}
    _flatten(env, "", flat)
    mode_value = lookup(env, "job.mode")
    mode = "BATCH"
    if mode_value is not MISSING and mode_value is not None:
        mode = str(mode_value).upper() if isinstance(mode_value, str) else ""
        if mode not in MODES:
            raise ConfigError(
                f"env option 'job.mode' must be BATCH or STREAMING, got {show(mode_value)}"
            )
    name_value = lookup(env, "job.name")
    name = None if name_value is MISSING or name_value is None else java_string(name_value)
    parallelism = 1
    raw_parallelism = lookup(env, "parallelism")
    if raw_parallelism is not MISSING and raw_parallelism is not None:
        value, complaint = check_value(Option("parallelism", INT, min=1, max=1024), raw_parallelism)
        if complaint:
            raise ConfigError(f"env option 'parallelism' {complaint}")
        parallelism = value
    interval = None
    raw_interval = lookup(env, "checkpoint.interval")
    if raw_interval is not MISSING and raw_interval is not None:
        option = Option("checkpoint.interval", INT, min=10, max=86_400_000)
        interval, complaint = check_value(option, raw_interval)
        if complaint:
            raise ConfigError(f"env option 'checkpoint.interval' {complaint}")
    return Env(env, flat, mode, name, parallelism, interval)


def _flatten(value: dict, prefix: str, out: dict[str, str]) -> None:
    for key, item in value.items():
        dotted = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            _flatten(item, dotted + ".", out)
        else:
            out[dotted] = java_string(item)


def java_string(value: Any) -> str:
    """How SeaTunnel renders an option value as a string: true/false, 5000, [a, b], {k=v}."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    return str(value)
