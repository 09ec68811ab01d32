"""Limits that keep one untrusted job config from exhausting the server (DESIGN §6).

The server fills a Limits from `seatunnel.engine.limits` and `security.allowed-paths` in
seatunnel.yaml and passes it to parse_config / build_plan; the engine's defaults apply otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ALLOWED_PATHS = ("/tmp",)

# Limits field -> its key under seatunnel.engine.limits in seatunnel.yaml (for error messages)
YAML_KEYS = {
    "config_max_bytes": "config-max-bytes",
    "config_max_depth": "config-max-depth",
    "config_max_substitutions": "config-max-substitutions",
    "string_length": "string-length",
    "collection_size": "collection-size",
    "type_depth": "type-depth",
    "batch_bytes": "batch-bytes",
    "row_num": "row-num",
    "splits": "splits",
    "delay_ms": "delay-ms",
    "fields": "fields",
}


@dataclass(frozen=True)
class Limits:
    """Submit-time bounds on a job config; every field is a maximum."""

    config_max_bytes: int = 1 << 20  # a resolved HOCON document, counted while resolving
    config_max_depth: int = 64  # nesting of objects and arrays, JSON and HOCON
    config_max_substitutions: int = 1000  # `${...}` in one HOCON document
    string_length: int = 1 << 20  # characters of a generated string / bytes value
    collection_size: int = 1 << 16  # elements of a generated array / map value
    type_depth: int = 16  # nesting of array<...> / map<...> in a declared type
    batch_bytes: int = 256 << 20  # estimated bytes of one batch: rows per batch x row width
    row_num: int = 2**63 - 1  # rows a generating source may be asked for
    splits: int = 100_000  # splits of one source over all its subtasks
    delay_ms: int = 60_000  # any configured sleep between rows, splits or polls
    fields: int = 500_000  # fields of one schema, and over all tables of a plan
    allowed_paths: tuple[str, ...] = DEFAULT_ALLOWED_PATHS  # absolute roots for file options

    def describe(self, name: str) -> str:
        """How an error names a limit: `limits.string-length` (a seatunnel.yaml key)."""
        return f"limits.{YAML_KEYS.get(name, name)}"


DEFAULT_LIMITS = Limits()
