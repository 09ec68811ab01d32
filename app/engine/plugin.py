"""The plugin contract: what a source, transform or sink implements to run on the engine.

Connector authors write against this module only (plus `Batch`, `Option` and the registry
decorators). The runtime (`app/engine/runner.py`) drives it after SeaTunnel's connector API
(reference-connectors §1) and Flink's checkpoint barriers.

Build time (submit): the plugin class is instantiated with its validated options
(`configure()` checks combinations), a source declares `tables()`, a transform maps
`output_schema()`, a sink checks `check_tables()`. Nothing here may do I/O that can hang.

Run time: a job is cut into pipelines `source -> transforms -> sinks`; a pipeline runs
`parallelism` subtasks, each one thread that reads, transforms and writes its own batches.

Sources (one `SplitEnumerator` per source, one `SourceReader` per subtask):

    Source.enumerator(ctx) -> SplitEnumerator     (default: ListSplitEnumerator(self.splits(ctx)))
    Source.splits(ctx) -> list[Split]              (default: one split, Split("0"))
    Source.reader(ctx) -> SourceReader             (ctx.subtask_index says which subtask)

    SplitEnumerator.open()                         plan splits (may do I/O; use ctx.wait)
    SplitEnumerator.next_split(subtask) -> Split | float | None
                                                   a split for that subtask, seconds to wait
                                                   before asking again, or None: no more
    SplitEnumerator.add_splits_back(splits)        unfinished splits of a restore
    SplitEnumerator.snapshot(checkpoint_id) / restore(state)   unassigned splits (JSON-able)
    SplitEnumerator.notify_checkpoint_complete(checkpoint_id), close()

    SourceReader.open()
    SourceReader.read(split, position) -> Iterator[Batch | tuple[Batch, position] | float]
        Yield the split's batches from `position` (None: from the start). A plain Batch moves
        the split's position to "rows emitted so far" (an int, kept by the runtime: a restored
        reader gets that int and must skip that many rows); yield (batch, position) to keep
        your own JSON-able position instead (a byte offset, a key, a CDC offset). Yield a float
        when there is nothing to read now (the runtime sleeps up to that many seconds, waking
        for checkpoints and stops). Returning ends the split. The reader may block on I/O, but
        every wait goes through ctx.wait(...) or a socket timeout of at most a second or so.
    SourceReader.notify_checkpoint_complete(checkpoint_id)  (e.g. a CDC reader acks offsets)
    SourceReader.close()

    The runtime calls the enumerator of a source under one lock (it need not be thread-safe)
    and each reader from its own subtask thread only. A checkpoint is taken between two
    yields, so a split is always resumable from its last yielded position. In BATCH mode a
    subtask ends when its enumerator has no more splits for it; in STREAMING mode it then
    idles until the job is stopped (SeaTunnel's behaviour).

Transforms: `processor(schema)` returns a function Batch -> Batch | None, built once per
subtask and input table, called from that subtask's thread only (it may keep state).

Sinks (one `SinkWriter` per subtask, one `SinkCommitter` per sink):

    Sink.writer(tables, ctx) -> SinkWriter        (ctx.subtask_index, ctx.restored_checkpoint_id)
    Sink.committer(ctx) -> SinkCommitter | None   (default None: no transactions, at-least-once)

    SinkWriter.write(batch)
    SinkWriter.prepare_commit(checkpoint_id) -> Any   phase 1: everything written so far is
                                                      made committable; a JSON-able commit info
                                                      (or None); later writes go to the next one
    SinkWriter.abort()                                the run ends without a checkpoint: drop
                                                      uncommitted writes (best effort)
    SinkWriter.close()

    SinkCommitter.commit(checkpoint_id, infos)        phase 2, only after the checkpoint holding
                                                      `infos` (non-None infos of every writer,
                                                      in subtask order) is stored. Idempotent.
    SinkCommitter.restore(checkpoint_id, infos)       a restored run, before any writer opens:
                                                      commit `infos` again (default: commit())
                                                      and drop every later prepared transaction
                                                      of this job (XA / 2PC rollback, temp files)
    SinkCommitter.close()

Checkpoint n: every subtask pauses at its next batch boundary, its split positions are noted
and its writers prepare_commit(n); the enumerators are snapshotted; the whole snapshot is
stored; only then do the committers commit(n, infos), then readers and enumerators get
notify_checkpoint_complete(n). A finished BATCH job takes one last checkpoint in that same
order. Every wait in a plugin goes through `ctx.wait(seconds)` (returns True as soon as the
job is cancelled) or checks `ctx.cancelled`: a force cancel must end any job within 2 s.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from app.engine.errors import ConfigError
from app.engine.limits import DEFAULT_LIMITS, Limits
from app.engine.options import INT, STRING, STRING_LIST, Option, show
from app.engine.types import Schema

MAX_PARALLELISM = 1024

COMMON_OPTIONS = (
    Option(
        "plugin_output",
        STRING,
        fallback_keys=("result_table_name",),
        description="Name of the table this plugin produces, for plugin_input of later plugins.",
    ),
    Option(
        "plugin_input",
        STRING_LIST,
        fallback_keys=("source_table_name",),
        description="Tables this plugin reads (plugin_output names); default: the previous plugin.",
    ),
    Option(
        "parallelism",
        INT,
        min=1,
        max=MAX_PARALLELISM,
        description="Subtasks of this plugin; default: env parallelism.",
    ),
)

# SeaTunnel options every plugin of a kind accepts there, which this server does not implement
COMMON_UNSUPPORTED = {
    "source": (),
    "transform": ("table_transform", "table_match_regex", "^table_transform\\..*"),
    "sink": ("multi_table_sink_replica",),
}


@dataclass(frozen=True)
class TableInfo:
    """A table flowing through the job: its path (SeaTunnel tableId) and schema."""

    path: str
    schema: Schema


@dataclass
class RunContext:
    """What a running plugin may use: job mode, parallelism, subtask, the job log, cancellation.

    `parallelism` is the plugin's own (its option, else env.parallelism); `subtask_index` is
    0..parallelism-1 for readers and writers (0 for enumerators and committers).
    `restored_checkpoint_id` is the checkpoint a restored run resumes from (0: a fresh run).

    `ctx.log(message)` writes a job log line; `ctx.log(message, logger="org.apache...Class")`
    names the SeaTunnel class that would have written it (the job log prints it shortened, as
    SeaTunnel's log layout does). A log callable that takes no `logger` keyword still works: the
    name is then dropped.
    """

    mode: str
    parallelism: int
    log: Callable[..., None]
    job_id: str = "0"
    subtask_index: int = 0
    restored_checkpoint_id: int = 0
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def cancelled(self) -> bool:
        """True once the job is being cancelled (or failed): stop waiting, return soon."""
        return self.cancel_event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; returns True (at once) when the job is cancelled meanwhile."""
        if seconds <= 0:
            return self.cancel_event.is_set()
        return self.cancel_event.wait(seconds)

    def for_subtask(self, index: int, parallelism: int | None = None) -> RunContext:
        """The same context for subtask `index` (sharing the cancel event)."""
        return replace(
            self,
            subtask_index=index,
            parallelism=self.parallelism if parallelism is None else parallelism,
        )

    def __post_init__(self) -> None:
        self.log = accepting_logger(self.log)


# the function behind a log callable -> whether it takes `logger` (inspect.signature is slow,
# and every job builds several contexts around the same few log methods)
_TAKES_LOGGER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def accepting_logger(log: Callable[..., None]) -> Callable[..., None]:
    """`log` itself if it takes a `logger` keyword, else a wrapper that drops it."""
    function = getattr(log, "__func__", log)
    try:
        takes = _TAKES_LOGGER.get(function)
    except TypeError:  # not weakly referenceable: ask every time
        takes = None
    if takes is None:
        takes = _takes_logger(log)
        with contextlib.suppress(TypeError):
            _TAKES_LOGGER[function] = takes
    if takes:
        return log

    def plain(message: str, logger: str | None = None, **_ignored: object) -> None:
        log(message)

    return plain


def _takes_logger(log: Callable[..., None]) -> bool:
    import inspect

    try:
        parameters = inspect.signature(log).parameters.values()
    except (TypeError, ValueError):
        parameters = ()
    return any(p.name == "logger" or p.kind is p.VAR_KEYWORD for p in parameters)


class Plugin:
    """Common to all plugins: the validated option values and uniform error messages."""

    plugin_name: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    options: ClassVar[tuple[Option, ...]] = ()
    # SeaTunnel options of this plugin we know but do not implement: a 400 says so (^ = regex)
    unsupported: ClassVar[tuple[str, ...]] = ()
    # option groups for /option-rules: exactly one of each exclusive group, all or none of bundled
    exclusive_options: ClassVar[tuple[tuple[str, ...], ...]] = ()
    bundled_options: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def __init__(
        self,
        where: str,
        config: dict,
        values: dict[str, Any],
        env_parallelism: int,
        limits: Limits | None = None,
    ) -> None:
        self.where = where
        self.config = config
        self.values = values
        self.limits: Limits = limits or DEFAULT_LIMITS
        self.parallelism: int = values.get("parallelism") or env_parallelism
        self.configure()

    def configure(self) -> None:
        """Check option combinations after type validation (raise self.error(...))."""

    def error(self, option: str, complaint: str) -> ConfigError:
        """A ConfigError naming this plugin, where it sits in the config, and the option."""
        return ConfigError(
            f"Plugin '{self.plugin_name}' ({self.where}): option '{option}' {complaint}"
        )

    def allowed_path(self, option: str) -> str:
        """The value of path option `option` resolved under security.allowed-paths (else a 400)."""
        from app.engine.paths import resolve_allowed

        return resolve_allowed(
            option,
            self.values[option],
            self.limits,
            f"Plugin '{self.plugin_name}' ({self.where}): ",
        )

    def unknown_field(self, option: str, name: Any, schema: Schema) -> ConfigError:
        """A ConfigError for an option naming a field the input table does not have."""
        names = schema.names
        listed = ", ".join(names[:20]) + (f", ... ({len(names)} fields)" if len(names) > 20 else "")
        return self.error(option, f"names unknown field {show(name)}; input fields: {listed}")


# -- sources -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A unit of source work (a file, a key range, a stream): `id` unique within its source,
    `info` anything JSON-able the reader needs (stored in checkpoints as is)."""

    id: str
    info: Any = None

    def to_json(self) -> dict:
        """The stored form."""
        return {"id": self.id, "info": self.info}

    @classmethod
    def from_json(cls, data: dict) -> Split:
        """Back from to_json()."""
        return cls(str(data["id"]), data.get("info"))


class SplitEnumerator:
    """Coordinator side of a source: plans splits and hands them out on request."""

    def open(self) -> None:
        """Plan the splits (may do I/O: use ctx.wait / timeouts)."""

    def next_split(self, subtask: int) -> Split | float | None:
        """A split for `subtask`, seconds to wait before asking again, or None (no more)."""
        return None

    def add_splits_back(self, splits: list[Split]) -> None:
        """Splits handed out earlier and not finished (a restore): hand them out again."""

    def snapshot(self, checkpoint_id: int) -> Any:
        """JSON-able state: the splits not handed out yet (and anything needed to go on)."""
        return None

    def restore(self, state: Any) -> None:
        """Continue from a snapshot() (called before open())."""

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        """Checkpoint `checkpoint_id` is stored and committed."""

    def close(self) -> None:
        """Release resources."""


class ListSplitEnumerator(SplitEnumerator):
    """A fixed list of splits; split i goes to subtask i mod parallelism (SeaTunnel's round
    robin), splits given back go first, to whichever subtask asks first. Its state is the
    unassigned splits, so a restore never hands out a finished split again."""

    def __init__(self, splits: list[Split], parallelism: int) -> None:
        self.parallelism = max(1, parallelism)
        self.pending: list[list[Split]] = [[] for _ in range(self.parallelism)]
        for i, split in enumerate(splits):
            self.pending[i % self.parallelism].append(split)
        self.returned: list[Split] = []
        self._restored = False

    def next_split(self, subtask: int) -> Split | float | None:
        """A returned split first (it was handed out before every split still pending, so a
        restored job reads its splits in the order an uninterrupted run does), else the
        subtask's next own split, else None."""
        if self.returned:
            return self.returned.pop(0)
        own = self.pending[subtask % self.parallelism]
        if own:
            return own.pop(0)
        return None

    def add_splits_back(self, splits: list[Split]) -> None:
        """Anyone may take these."""
        self.returned.extend(splits)

    def snapshot(self, checkpoint_id: int) -> Any:
        """The unassigned splits."""
        return {
            "pending": [s.to_json() for own in self.pending for s in own],
            "returned": [s.to_json() for s in self.returned],
        }

    def restore(self, state: Any) -> None:
        """Keep only the splits the snapshot had not handed out (re-dealt round robin)."""
        if not state:
            return
        splits = [Split.from_json(s) for s in state.get("pending", [])]
        self.pending = [[] for _ in range(self.parallelism)]
        for i, split in enumerate(splits):
            self.pending[i % self.parallelism].append(split)
        self.returned = [Split.from_json(s) for s in state.get("returned", [])]


class SourceReader:
    """One per subtask: reads the splits it is given (see the module docstring)."""

    def open(self) -> None:
        """Connect (may do I/O)."""

    def read(self, split: Split, position: Any) -> Iterator[Any]:
        """Yield Batch, (Batch, position) or float (idle seconds) for `split` from `position`."""
        return iter(())

    def notify_checkpoint_complete(self, checkpoint_id: int) -> None:
        """Checkpoint `checkpoint_id` is stored and committed."""

    def close(self) -> None:
        """Release resources."""


class Source(Plugin):
    """A source plugin: declares its tables at build time; enumerator and readers at run time."""

    kind = "source"

    def tables(self) -> list[TableInfo]:
        """The tables this source produces (path and schema)."""
        raise NotImplementedError

    def splits(self, ctx: RunContext) -> list[Split]:
        """The splits of a source with a fixed split list (default: a single split)."""
        return [Split("0")]

    def enumerator(self, ctx: RunContext) -> SplitEnumerator:
        """The source's split enumerator (default: the fixed list of splits())."""
        return ListSplitEnumerator(self.splits(ctx), ctx.parallelism)

    def reader(self, ctx: RunContext) -> SourceReader:
        """The reader of subtask ctx.subtask_index."""
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


# -- sinks ---------------------------------------------------------------------------------


class SinkWriter:
    """One per subtask: writes batches; prepare_commit(n) makes them committable (phase 1).

    A sink without transactions (Console) keeps the defaults: at-least-once.
    """

    def write(self, batch: Any) -> None:
        """Consume one batch."""

    def prepare_commit(self, checkpoint_id: int) -> Any:
        """Phase 1: make everything written so far committable; a JSON-able description of it."""
        return None

    def abort(self) -> None:
        """The run ends without a checkpoint (force cancel, failure): drop uncommitted writes."""

    def close(self) -> None:
        """Flush and release resources."""


class SinkCommitter:
    """One per sink: commits what the writers prepared, once the checkpoint is stored (phase 2)."""

    def commit(self, checkpoint_id: int, infos: list[Any]) -> None:
        """Make the prepared `infos` of checkpoint `checkpoint_id` visible. Idempotent."""

    def restore(self, checkpoint_id: int, infos: list[Any]) -> None:
        """A restored run: commit `infos` again, then drop everything prepared after them."""
        self.commit(checkpoint_id, infos)

    def close(self) -> None:
        """Release resources."""


class Sink(Plugin):
    """A sink plugin: makes a writer per subtask and at most one committer at run time."""

    kind = "sink"

    def check_tables(self, tables: list[TableInfo]) -> None:
        """At build time: raise self.error(...) if an option does not fit the incoming tables."""

    def writer(self, tables: list[TableInfo], ctx: RunContext) -> SinkWriter:
        """The writer of subtask ctx.subtask_index for `tables`."""
        raise NotImplementedError

    def committer(self, ctx: RunContext) -> SinkCommitter | None:
        """The sink's committer, or None (no two-phase commit)."""
        return None
