"""JobRunner: run a JobPlan in the calling thread, pushing Arrow batches from sources through
transforms to sinks, taking checkpoints and obeying stop commands between batches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from app.engine.errors import ConfigError, JobError
from app.engine.metrics import JobMetrics
from app.engine.plugin import Plugin, RunContext

if TYPE_CHECKING:
    from app.engine.plan import JobPlan

_IDLE_SLICE = 0.05  # seconds; control() is polled at least this often while sources idle
DEFAULT_CHECKPOINT_MS = 10_000  # STREAMING without checkpoint.interval (SeaTunnel's default)

# What control() may answer, and the outcome run() returns for it.
STOP, SAVEPOINT, CANCEL, RELEASE = "stop", "savepoint", "cancel", "release"
OUTCOMES = {
    None: "FINISHED",  # every source exhausted
    STOP: "CANCELED",  # graceful: drain, checkpoint, end
    SAVEPOINT: "SAVEPOINT_DONE",  # drain, savepoint, end
    CANCEL: "CANCELED",  # at once, no new state
    RELEASE: "RELEASED",  # this process is going away: checkpoint, hand the job back
}
_FINAL_KIND = {STOP: "checkpoint", SAVEPOINT: "savepoint", RELEASE: "checkpoint"}


class CheckpointStore(Protocol):
    """Where a runner persists its checkpoints (the database, for the server)."""

    def save(self, checkpoint_id: int, kind: str, state: dict) -> None:
        """Store `state` durably before returning; raise to fail the checkpoint."""


def plugin_failure(plugin: Plugin, exc: BaseException) -> JobError:
    """A JobError for an exception raised inside `plugin`: "<PluginName>: <exception text>"."""
    if isinstance(exc, JobError):
        return exc
    text = exc.message if isinstance(exc, ConfigError) else str(exc)
    text = " ".join(text.split()) or type(exc).__name__
    return JobError(f"{plugin.plugin_name}: {text}")


class JobRunner:
    """Runs one execution of a plan; `metrics` is live while run() runs.

    `control()` is polled between batches and answers None or one of STOP, SAVEPOINT, CANCEL,
    RELEASE. A checkpoint (every `checkpoint.interval` ms, and at a graceful end) snapshots every
    source's position, prepares every sink, stores the snapshot through `checkpoints`, and only
    then lets the sinks commit, so committed output and stored positions always agree.
    `restore` is a stored snapshot to resume from: positions, prepared sink state and metrics.
    """

    def __init__(
        self,
        plan: JobPlan,
        log: Callable[[str], None],
        control: Callable[[], str | None] | None = None,
        checkpoints: CheckpointStore | None = None,
        restore: dict | None = None,
        job_id: str = "0",
    ) -> None:
        self.plan = plan
        self.log = log
        self.control = control or (lambda: None)
        self.store = checkpoints
        self.restored = restore
        self.job_id = str(job_id)
        self.metrics = JobMetrics()
        self.checkpoint_id = 0
        if restore:
            self.checkpoint_id = int(restore.get("checkpoint_id", 0))
            self.metrics.restore(restore.get("metrics") or {})
        interval = plan.checkpoint_interval_ms
        if interval is None and plan.mode == "STREAMING":
            interval = DEFAULT_CHECKPOINT_MS
        self.interval = interval / 1000.0 if interval else None
        self._next_checkpoint = 0.0
        self._readers: list[tuple[Any, Any]] = []  # (vertex, reader)
        self._writers: dict[int, Any] = {}
        self._routes: dict[int, list[tuple[Any, Any]]] = {}  # producer -> [(vertex, {table: fn})]

    def run(self) -> str:
        """Run to the end; returns FINISHED, CANCELED, SAVEPOINT_DONE or RELEASED (JobError on failure)."""
        import app.engine.sizes  # noqa: F401 - load pyarrow/numpy before the rate clock starts

        self.metrics.start()
        failure: BaseException | None = None
        outcome = "FAILED"
        try:
            self._open()
            command = self._loop()
            if command in _FINAL_KIND or command is None:
                self._checkpoint(_FINAL_KIND.get(command, "final"))
            else:
                self._abort()
            outcome = OUTCOMES[command]
        except BaseException as exc:  # noqa: BLE001 - re-raised below after closing
            failure = exc
            self._abort()
        finally:
            closing = self._close()
            self.metrics.stop()
        if failure is not None:
            if isinstance(failure, JobError):
                raise failure
            if isinstance(failure, Exception):
                raise JobError(f"JobRunner: {failure}") from failure
            raise failure
        if closing is not None:
            raise closing
        return outcome

    def _open(self) -> None:
        ctx = RunContext(self.plan.mode, self.plan.parallelism, self.log, self.job_id)
        state = self.restored or {}
        positions, prepared = state.get("sources") or {}, state.get("sinks") or {}
        for vertex in self.plan.order:
            plugin = vertex.plugin
            try:
                if vertex.kind == "source":
                    reader = plugin.reader(ctx)
                    self._readers.append((vertex, reader))
                    if positions.get(str(vertex.id)) is not None:
                        reader.restore(positions[str(vertex.id)])
                elif vertex.kind == "transform":
                    table_fns = {}
                    for producer, table in vertex.tables_in:
                        table_fns[(producer, table.path)] = plugin.processor(table.schema)
                    for producer in vertex.inputs:
                        self._routes.setdefault(producer, []).append((vertex, table_fns))
                else:
                    tables = list({t.path: t for _, t in vertex.tables_in}.values())
                    writer = plugin.writer(tables, ctx)
                    self._writers[vertex.id] = writer
                    if self.restored:
                        writer.restore(prepared.get(str(vertex.id)))
                    for producer in vertex.inputs:
                        self._routes.setdefault(producer, []).append((vertex, None))
            except Exception as exc:  # noqa: BLE001 - reported as the plugin's failure
                raise plugin_failure(plugin, exc) from exc
        if self.interval:
            self._next_checkpoint = time.monotonic() + self.interval

    def _loop(self) -> str | None:
        """Poll sources until all are exhausted (None) or control() answers a command."""
        from app.engine.sizes import batch_bytes

        active = list(self._readers)
        while active:
            command = self.control()
            if command:
                return command
            if self.interval and time.monotonic() >= self._next_checkpoint:
                self._checkpoint("checkpoint")
            wait: float | None = None
            produced = False
            for entry in list(active):
                vertex, reader = entry
                try:
                    item = reader.poll()
                except Exception as exc:  # noqa: BLE001
                    raise plugin_failure(vertex.plugin, exc) from exc
                if item is None:
                    active.remove(entry)
                elif isinstance(item, (int, float)):
                    wait = item if wait is None else min(wait, item)
                else:
                    produced = True
                    self.metrics.add_source(item.table, item.num_rows, batch_bytes(item.data))
                    self._push(vertex.id, item, batch_bytes)
            if not produced and wait is not None and active:
                self._idle(wait)
        return None

    def _idle(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early for a command or a due checkpoint."""
        deadline = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            if now >= deadline or (self.interval and now >= self._next_checkpoint):
                return
            if self.control():
                return
            time.sleep(min(deadline - now, _IDLE_SLICE))

    def _push(self, producer: int, batch: Any, batch_bytes: Callable[[Any], int]) -> None:
        for vertex, table_fns in self._routes.get(producer, ()):
            if table_fns is None:
                try:
                    self._writers[vertex.id].write(batch)
                except Exception as exc:  # noqa: BLE001
                    raise plugin_failure(vertex.plugin, exc) from exc
                self.metrics.add_sink(batch.table, batch.num_rows, batch_bytes(batch.data))
                continue
            try:
                out = table_fns[(producer, batch.table)](batch)
            except Exception as exc:  # noqa: BLE001
                raise plugin_failure(vertex.plugin, exc) from exc
            if out is not None and out.num_rows:
                self._push(vertex.id, out, batch_bytes)

    def _checkpoint(self, kind: str) -> None:
        """Snapshot sources, prepare sinks, store (unless `final`: a finished job needs no
        restore point), then commit the sinks."""
        self.checkpoint_id += 1
        number = self.checkpoint_id
        sources = {str(v.id): reader.snapshot() for v, reader in self._readers}
        prepared: dict[str, Any] = {}
        for vertex in self.plan.order:
            writer = self._writers.get(vertex.id)
            if writer is not None:
                try:
                    prepared[str(vertex.id)] = writer.prepare_commit(number)
                except Exception as exc:  # noqa: BLE001
                    raise plugin_failure(vertex.plugin, exc) from exc
        if kind != "final" and self.store is not None:
            state = {
                "checkpoint_id": number,
                "sources": sources,
                "sinks": prepared,
                "metrics": self.metrics.snapshot(),
            }
            self.store.save(number, kind, state)
        for vertex in self.plan.order:
            writer = self._writers.get(vertex.id)
            if writer is not None:
                try:
                    writer.commit(prepared[str(vertex.id)])
                except Exception as exc:  # noqa: BLE001
                    raise plugin_failure(vertex.plugin, exc) from exc
        if self.interval:
            self._next_checkpoint = time.monotonic() + self.interval

    def _abort(self) -> None:
        for vertex_id, writer in self._writers.items():
            try:
                writer.abort()
            except Exception:  # noqa: BLE001, S110 - best effort: restore discards leftovers too
                self.log(f"abort of sink vertex {vertex_id} failed")

    def _close(self) -> JobError | None:
        first: JobError | None = None
        closables = [(vertex.plugin, reader) for vertex, reader in self._readers]
        closables += [
            (v.plugin, self._writers[v.id]) for v in self.plan.order if v.id in self._writers
        ]
        for plugin, closable in closables:
            error = _safe_close(plugin, closable)
            first = first or error
        return first


def _safe_close(plugin: Plugin, closable: Any) -> JobError | None:
    try:
        closable.close()
    except Exception as exc:  # noqa: BLE001 - close every plugin even when one fails
        return plugin_failure(plugin, exc)
    return None
