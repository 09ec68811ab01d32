"""Base classes for source, transform and sink plugins: declared options, build-time schema, run-time hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from app.engine.errors import ConfigError
from app.engine.options import INT, STRING, STRING_LIST, Option, show
from app.engine.types import Schema

MAX_PARALLELISM = 1024

COMMON_OPTIONS = (
    Option("plugin_output", STRING, fallback_keys=("result_table_name",)),
    Option("plugin_input", STRING_LIST, fallback_keys=("source_table_name",)),
    Option("parallelism", INT, min=1, max=MAX_PARALLELISM),
)


@dataclass(frozen=True)
class TableInfo:
    """A table flowing through the job: its path (SeaTunnel tableId) and schema."""

    path: str
    schema: Schema


@dataclass
class RunContext:
    """What a running plugin may use: job mode, env parallelism, the job log and the job id.

    `ctx.log(message)` writes a job log line; `ctx.log(message, logger="org.apache...Class")`
    names the SeaTunnel class that would have written it (the job log prints it shortened, as
    SeaTunnel's log layout does). A log callable that takes no `logger` keyword still works: the
    name is then dropped.
    """

    mode: str
    parallelism: int
    log: Callable[..., None]
    job_id: str = "0"

    def __post_init__(self) -> None:
        self.log = accepting_logger(self.log)


def accepting_logger(log: Callable[..., None]) -> Callable[..., None]:
    """`log` itself if it takes a `logger` keyword, else a wrapper that drops it."""
    import inspect

    try:
        parameters = inspect.signature(log).parameters.values()
    except (TypeError, ValueError):
        parameters = ()
    if any(p.name == "logger" or p.kind is p.VAR_KEYWORD for p in parameters):
        return log

    def plain(message: str, logger: str | None = None, **_ignored: object) -> None:
        log(message)

    return plain


class Plugin:
    """Common to all plugins: the validated option values and uniform error messages."""

    plugin_name: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(
        self, where: str, config: dict, values: dict[str, Any], env_parallelism: int
    ) -> None:
        self.where = where
        self.config = config
        self.values = values
        self.parallelism: int = values.get("parallelism") or env_parallelism
        self.configure()

    def configure(self) -> None:
        """Check option combinations after type validation (raise self.error(...))."""

    def error(self, option: str, complaint: str) -> ConfigError:
        """A ConfigError naming this plugin, where it sits in the config, and the option."""
        return ConfigError(
            f"Plugin '{self.plugin_name}' ({self.where}): option '{option}' {complaint}"
        )

    def unknown_field(self, option: str, name: Any, schema: Schema) -> ConfigError:
        """A ConfigError for an option naming a field the input table does not have."""
        return self.error(
            option, f"names unknown field {show(name)}; input fields: {', '.join(schema.names)}"
        )


class SourceReader:
    """A running source: poll() gives a Batch, seconds to wait before polling again, or None when done."""

    def poll(self) -> Any:
        """The next Batch, a float (idle: poll again after that many seconds) or None (exhausted)."""
        return None

    def snapshot(self) -> Any:
        """A JSON-able position to restart from."""
        return None

    def restore(self, state: Any) -> None:
        """Continue from a snapshot()."""

    def close(self) -> None:
        """Release resources."""


class Source(Plugin):
    """A source plugin: declares its tables at build time and makes a reader at run time."""

    kind = "source"

    def tables(self) -> list[TableInfo]:
        """The tables this source produces (path and schema)."""
        raise NotImplementedError

    def reader(self, ctx: RunContext) -> SourceReader:
        """Open a reader over all this source's subtasks."""
        raise NotImplementedError


class Transform(Plugin):
    """A transform plugin: maps a schema at build time and batches at run time."""

    kind = "transform"

    def output_schema(self, schema: Schema) -> Schema:
        """The schema produced from an input table's schema (raise self.error on unknown fields)."""
        return schema

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """A function Batch -> Batch (or None to drop it) for input tables of `schema`."""
        return lambda batch: batch


class SinkWriter:
    """A running sink, in SeaTunnel's two-phase commit (reference-connectors §1).

    At each checkpoint the runner calls prepare_commit(n) and stores what it returns with the
    sources' positions; only once that is stored does it call commit() with it. On restore the
    writer gets the prepared state of the checkpoint it resumes from: it commits that (commits
    are idempotent) and discards anything written after it, which the sources will replay.
    A sink without transactions (Console) keeps these defaults: at-least-once.
    """

    def write(self, batch: Any) -> None:
        """Consume one batch."""

    def prepare_commit(self, checkpoint_id: int) -> Any:
        """Phase 1: make everything written so far committable; a JSON-able description of it."""
        return None

    def commit(self, prepared: Any) -> None:
        """Phase 2, after the checkpoint holding `prepared` is stored: make it visible. Idempotent."""

    def restore(self, prepared: Any) -> None:
        """Before the first write of a restored run: commit `prepared`, drop later leftovers."""

    def abort(self) -> None:
        """The run ends without a checkpoint (force cancel, failure): drop uncommitted writes."""

    def close(self) -> None:
        """Flush and release resources."""


class Sink(Plugin):
    """A sink plugin: makes a writer at run time for the tables that reach it."""

    kind = "sink"

    def check_tables(self, tables: list[TableInfo]) -> None:
        """At build time: raise self.error(...) if an option does not fit the incoming tables."""

    def writer(self, tables: list[TableInfo], ctx: RunContext) -> SinkWriter:
        """Open a writer for `tables`."""
        raise NotImplementedError
