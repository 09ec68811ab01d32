"""JobRunner: run a JobPlan as pipelines of subtask threads, with split enumerators, checkpoints
stored before anything is committed, and a force cancel that ends any job within 2 seconds.

Threads: the caller of run() only polls control() and watches; a "job" thread opens the
plugins, starts the subtasks, coordinates checkpoints and commits, and closes everything; each
subtask is one thread reading its splits and pushing the batches through its own transforms and
writers (plugin.py describes the contract plugins see).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from app.engine.errors import ConfigError, JobError
from app.engine.metrics import JobMetrics
from app.engine.pipeline import Pipeline, pipelines
from app.engine.plugin import Plugin, RunContext, Split
from app.engine.realtime import BLOCKED, BUSY, ROWS_IN, ROWS_OUT, SourceClock, route_cell
from app.engine.thread_pool import PooledThread

if TYPE_CHECKING:
    from app.engine.plan import JobPlan

_CONTROL_POLL = 0.05  # seconds between control() polls
CANCEL_GRACE = 1.5  # seconds a force cancel waits for plugins before abandoning their threads
DEFAULT_CHECKPOINT_MS = 10_000  # STREAMING without checkpoint.interval (SeaTunnel's default)
IDLE_SLICE = 0.25  # seconds: an idle subtask counts its idle time at least this often

# What control() may answer, and the outcome run() returns for it.
STOP, SAVEPOINT, CANCEL, RELEASE = "stop", "savepoint", "cancel", "release"
OUTCOMES = {
    None: "FINISHED",  # every source exhausted
    STOP: "CANCELED",  # graceful: drain, checkpoint, end
    SAVEPOINT: "SAVEPOINT_DONE",  # drain, savepoint, end
    CANCEL: "CANCELED",  # at once, no new state
    RELEASE: "RELEASED",  # this process is going away: checkpoint, hand the job back
}
_FINAL_KIND = {
    None: "checkpoint",
    STOP: "checkpoint",
    SAVEPOINT: "savepoint",
    RELEASE: "checkpoint",
}

# Fault-injection points (see crash_at): around the store of checkpoint n.
FAULT_POINTS = ("after_prepare", "after_store", "after_commit")


class CheckpointStore(Protocol):
    """Where a runner persists its checkpoints (the database, for the server)."""

    def save(
        self, checkpoint_id: int, kind: str, state: dict, trigger_ms: int | None = None
    ) -> None:
        """Store `state` durably before returning; raise to fail the checkpoint. `trigger_ms`
        is the wall-clock time (epoch ms) the checkpoint began: its duration is now minus it."""


class InjectedCrash(BaseException):  # a simulated process death, not an error
    """Raised by a fault hook: the runner stops its threads and re-raises it without aborting,
    committing or closing anything, as if the process had died at that point."""


def crash_at(point: str, checkpoint_id: int) -> Callable[[str, int], None]:
    """A fault hook for JobRunner(fault=...): crash at `point` of checkpoint `checkpoint_id`."""
    if point not in FAULT_POINTS:
        raise ValueError(f"unknown fault point {point!r}; expected one of {FAULT_POINTS}")

    def hook(at: str, number: int) -> None:
        if at == point and number == checkpoint_id:
            raise InjectedCrash(f"injected crash {point} checkpoint {number}")

    return hook


class _Cancelled(Exception):  # control flow inside the job thread
    """The job thread stops waiting because the job is cancelled or failed."""


def plugin_failure(plugin: Plugin, exc: BaseException) -> JobError:
    """A JobError for an exception raised inside `plugin`: "<PluginName>: <exception text>"."""
    if isinstance(exc, JobError):
        return exc
    text = exc.message if isinstance(exc, ConfigError) else str(exc)
    text = " ".join(text.split()) or type(exc).__name__
    return JobError(f"{plugin.plugin_name}: {text}")


def _guard(plugin: Plugin, call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    except (JobError, InjectedCrash, _Cancelled):
        raise
    except Exception as exc:  # reported as the plugin's failure
        raise plugin_failure(plugin, exc) from exc


class _Barrier:
    """Checkpoint n as the subtasks see it: each answers once, then waits for `resume`."""

    def __init__(self, number: int, final: bool, expected: int) -> None:
        self.number = number
        self.final = final
        self.expected = expected
        self.answers: dict[tuple[int, int], dict] = {}  # (pipeline, subtask) -> answer
        self.lock = threading.Lock()
        self.all_answered = threading.Event()
        self.resume = threading.Event()
        if expected == 0:
            self.all_answered.set()

    def answer(self, key: tuple[int, int], answer: dict) -> None:
        with self.lock:
            self.answers[key] = answer
            if len(self.answers) >= self.expected:
                self.all_answered.set()


class _SourceRuntime:
    """One source's enumerator (called under `lock`) and its restored split positions."""

    def __init__(self, pipeline: Pipeline, enumerator: Any) -> None:
        self.pipeline = pipeline
        self.enumerator = enumerator
        self.lock = threading.Lock()
        self.positions: dict[str, Any] = {}  # split id -> restored position

    def next_split(self, subtask: int) -> Split | float | None:
        with self.lock:
            return _guard(self.pipeline.source.plugin, self.enumerator.next_split, subtask)


class _End:
    pass


_END = _End()


class Subtask:
    """One thread of a pipeline: reads splits, transforms, writes; answers checkpoint barriers."""

    def __init__(self, runner: JobRunner, source: _SourceRuntime, index: int) -> None:
        self.runner = runner
        self.source = source
        self.pipeline = source.pipeline
        self.index = index
        self.key = (self.pipeline.number, index)
        self.counters = runner.metrics.subtask()
        self.wake = threading.Event()
        self.barrier: _Barrier | None = None
        self.answered = 0
        self.notifications: deque[int] = deque()
        self.reader: Any = None
        self.writers: dict[int, Any] = {}  # sink vertex id -> writer (this pipeline's copy)
        self.routes: dict[int, list[tuple[Any, Any, list[int]]]] = {}
        self.clock = SourceClock()  # realtime counters (realtime.py), this thread's only
        self.cells: dict[tuple[int, int], list[int]] = {}  # (producer, target) -> route cell
        self.split: Split | None = None
        self.position: Any = None
        self.iterator: Any = None
        self.exhausted = False  # the enumerator has no more splits for this subtask
        self.pending: dict[int, dict[str, list[int]]] = {}  # sink id -> rows since last prepare
        self.thread = PooledThread(
            self._main, name=f"job-{runner.job_id}-p{self.pipeline.number}-{index}"
        )

    # -- opening --------------------------------------------------------------------------
    def open(self, ctx: RunContext) -> None:
        """Create this subtask's reader, processors and writers (in the job thread)."""
        pipeline = self.pipeline
        sub_ctx = ctx.for_subtask(self.index, pipeline.parallelism)
        source = pipeline.source.plugin
        self.reader = _guard(source, source.reader, sub_ctx)
        _guard(source, self.reader.open)
        for vertex in pipeline.vertices[1:]:
            plugin = vertex.plugin
            if vertex.kind == "transform":
                fns = {
                    (producer, table.path): _guard(plugin, plugin.processor, table.schema)
                    for producer, table in pipeline.tables_in[vertex.id]
                }
                target: Any = (vertex, fns)
            else:
                tables = list({t.path: t for _, t in pipeline.tables_in[vertex.id]}.values())
                sink_ctx = ctx.for_subtask(self.index, pipeline.parallelism)
                self.writers[vertex.id] = _guard(plugin, plugin.writer, tables, sink_ctx)
                self.pending[vertex.id] = {}
                target = (vertex, None)
            for producer in pipeline.inputs[vertex.id]:
                cell = self.cells.setdefault((producer, vertex.id), route_cell())
                self.routes.setdefault(producer, []).append((*target, cell))

    # -- the thread -----------------------------------------------------------------------
    def _main(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # handed to the job thread
            self.runner._subtask_failed(self, exc)

    def _loop(self) -> None:
        from app.engine.sizes import batch_bytes

        runner = self.runner
        cancel = runner.cancel_event
        source = self.pipeline.source
        counters = self.counters
        clock = self.clock
        now_ns = time.perf_counter_ns
        while True:
            if cancel.is_set():
                return
            barrier = self.barrier
            if barrier is not None and barrier.number > self.answered:
                self._answer(barrier)
                if barrier.final:
                    return
                continue
            while self.notifications:
                _guard(
                    source.plugin,
                    self.reader.notify_checkpoint_complete,
                    self.notifications.popleft(),
                )
            if self.iterator is None:
                if self.exhausted:
                    self._idle(None)
                    continue
                got = self.source.next_split(self.index)
                if got is None:
                    self.exhausted = True
                    runner._subtask_exhausted(self)
                    continue
                if isinstance(got, (int, float)):
                    self._idle(float(got))
                    continue
                self.split = got
                self.position = self.source.positions.pop(got.id, None)
                self.iterator = iter(_guard(source.plugin, self.reader.read, got, self.position))
                continue
            started = now_ns()
            item = _guard(source.plugin, next, self.iterator, _END)
            clock.read_ns += now_ns() - started
            if item is _END:
                self.split, self.position, self.iterator = None, None, None
                continue
            if isinstance(item, (int, float)):
                self._idle(float(item))
                continue
            if isinstance(item, tuple):
                batch, self.position = item
            else:
                batch = item
                if self.position is None or isinstance(self.position, int):
                    self.position = (self.position or 0) + batch.num_rows
            counters.add_source(batch.table, batch.num_rows, batch_bytes(batch.data))
            clock.rows += batch.num_rows
            self._push(source.id, batch, batch_bytes)

    def _idle(self, seconds: float | None) -> None:
        """Wait up to `seconds` (None: a while, the loop asks again) for a barrier, a
        notification or a cancel; the wait is counted as source idle time, slice by slice."""
        deadline = None if seconds is None else time.monotonic() + max(0.0, seconds)
        while True:
            left = IDLE_SLICE if deadline is None else min(IDLE_SLICE, deadline - time.monotonic())
            started = time.perf_counter_ns()
            woken = self.wake.wait(max(0.0, left))
            self.clock.idle_ns += time.perf_counter_ns() - started
            if woken:
                self.wake.clear()
                return
            if deadline is None or time.monotonic() >= deadline:
                return

    def _push(self, producer: int, batch: Any, batch_bytes: Callable[[Any], int]) -> None:
        now_ns = time.perf_counter_ns
        for vertex, fns, cell in self.routes.get(producer, ()):
            started = now_ns()
            rows = batch.num_rows
            if fns is None:
                _guard(vertex.plugin, self.writers[vertex.id].write, batch)
                spent = now_ns() - started
                cell[BUSY] += spent
                cell[BLOCKED] += spent
                cell[ROWS_IN] += rows
                size = batch_bytes(batch.data)
                self.counters.add_sink(batch.table, rows, size)
                entry = self.pending[vertex.id].setdefault(batch.table, [0, 0])
                entry[0] += rows
                entry[1] += size
                continue
            out = _guard(vertex.plugin, fns[(producer, batch.table)], batch)
            cell[BUSY] += now_ns() - started
            cell[ROWS_IN] += rows
            if out is not None and out.num_rows:
                cell[ROWS_OUT] += out.num_rows
                self._push(vertex.id, out, batch_bytes)
            cell[BLOCKED] += now_ns() - started

    def _answer(self, barrier: _Barrier) -> None:
        """At a batch boundary: note the split position, prepare every writer, wait to resume."""
        infos = {}
        prepare_ns = self.clock.prepare_ns
        for vertex in self.pipeline.sinks:
            writer = self.writers[vertex.id]
            started = time.perf_counter_ns()
            infos[vertex.id] = _guard(vertex.plugin, writer.prepare_commit, barrier.number)
            spent = time.perf_counter_ns() - started
            prepare_ns[vertex.id] = prepare_ns.get(vertex.id, 0) + spent
        split = None
        if self.split is not None:
            split = {**self.split.to_json(), "position": self.position}
        pending, self.pending = self.pending, {sink_id: {} for sink_id in self.pending}
        barrier.answer(self.key, {"split": split, "infos": infos, "written": pending})
        self.answered = barrier.number
        if barrier.final:
            return
        while not barrier.resume.wait(0.1):
            if self.runner.cancel_event.is_set():
                return


class JobRunner:
    """Runs one execution of a plan; `metrics` is live while run() runs.

    `control()` is polled every 50 ms and answers None or one of STOP, SAVEPOINT, CANCEL,
    RELEASE. A checkpoint (every `checkpoint.interval` ms, at a graceful stop, and at the end
    of a BATCH job) pauses every subtask at a batch boundary, notes its split positions and
    prepares its writers, snapshots the enumerators, stores the snapshot through
    `checkpoints`, and only then lets the committers commit, so committed output and stored
    positions always agree. `restore` is a stored snapshot to resume from. `fault(point, n)`
    is called at each of FAULT_POINTS of checkpoint n (tests inject crashes with crash_at).
    """

    def __init__(
        self,
        plan: JobPlan,
        log: Callable[[str], None],
        control: Callable[[], str | None] | None = None,
        checkpoints: CheckpointStore | None = None,
        restore: dict | None = None,
        job_id: str = "0",
        fault: Callable[[str, int], None] | None = None,
    ) -> None:
        self.plan = plan
        self.log = log
        self.control = control or (lambda: None)
        self.store = checkpoints
        self.restored = restore
        self.job_id = str(job_id)
        self.fault = fault or (lambda point, number: None)
        self.metrics = JobMetrics()
        self.checkpoint_id = 0
        if restore:
            self.checkpoint_id = int(restore.get("checkpoint_id", 0))
            self.metrics.restore(restore.get("metrics") or {})
        interval = plan.checkpoint_interval_ms
        if interval is None and plan.mode == "STREAMING":
            interval = DEFAULT_CHECKPOINT_MS
        self.interval = interval / 1000.0 if interval else None
        self.cancel_event = threading.Event()
        self.pipelines = pipelines(plan)
        self._sources: list[_SourceRuntime] = []
        self._subtasks: list[Subtask] = []
        self._committers: dict[int, tuple[Any, Any]] = {}  # sink vertex id -> (vertex, committer)
        self._wake = threading.Event()
        self._command: str | None = None
        self._failure: BaseException | None = None
        self._exhausted = 0
        self._lock = threading.Lock()
        self._commit_ns: dict[int, int] = {}  # sink plan id -> committer time (realtime)
        self._dag_ids: dict[tuple[int, int], int] | None = None

    # -- the calling thread -----------------------------------------------------------------
    def run(self) -> str:
        """Run to the end; returns FINISHED, CANCELED, SAVEPOINT_DONE or RELEASED (JobError on failure)."""
        import app.engine.sizes  # noqa: F401 - load pyarrow/numpy before the rate clock starts

        self.metrics.start()
        result: dict[str, Any] = {}
        self._command = self.control()
        job = PooledThread(self._job, (result,), name=f"job-{self.job_id}")
        try:
            job.start()
            while True:
                job.join(_CONTROL_POLL)
                if not job.is_alive():
                    break
                command = self.control()
                if command and command != self._command and self._command != CANCEL:
                    self._command = command
                    if command == CANCEL:
                        self._cancel()
                        job.join(CANCEL_GRACE)
                        if job.is_alive():
                            self.log(
                                "force cancel: plugins did not stop within "
                                f"{CANCEL_GRACE}s; their threads are abandoned"
                            )
                            return OUTCOMES[CANCEL]
                        break
                    self._wake.set()
        finally:
            self.metrics.stop()
        if "error" in result:
            raise result["error"]
        return result["outcome"]

    def realtime(self) -> dict:
        """Cumulative busyness counters by jobDag vertex and edge (realtime.totals); read from
        any thread while the job runs, without stopping it (counters are plain ints)."""
        from app.engine.dag import runtime_ids
        from app.engine.realtime import totals

        if self._dag_ids is None:
            self._dag_ids = runtime_ids(self.plan.vertices)
        kinds = {v.id: v.kind for v in self.plan.vertices}
        subtasks = [(s.pipeline.source.id, s.clock, s.cells) for s in list(self._subtasks)]
        return totals(self._dag_ids, subtasks, kinds, dict(self._commit_ns))

    def _cancel(self) -> None:
        self.cancel_event.set()
        self._wake.set()
        for subtask in self._subtasks:
            subtask.wake.set()

    # -- the job thread ---------------------------------------------------------------------
    def _job(self, result: dict) -> None:
        crashed = False
        try:
            result["outcome"] = self._execute()
        except InjectedCrash as exc:
            crashed = True
            result["error"] = exc
        except BaseException as exc:  # reported by run()
            result.update(self._failure_result(exc))
            crashed = isinstance(result.get("error"), InjectedCrash)
        finally:
            failed = "outcome" not in result or self._command == CANCEL
            if failed:
                self._cancel()
            for subtask in self._subtasks:
                if subtask.thread.is_alive():
                    subtask.thread.join(CANCEL_GRACE)
            if failed and not crashed:  # a simulated crash leaves its transactions as they are
                self._abort()
            error = self._close()  # releases handles only: nothing is committed or dropped
            if error is not None and "error" not in result:
                result["error"] = error

    def _failure_result(self, exc: BaseException) -> dict:
        """What run() reports when the job thread stopped on `exc`."""
        failure = self._failure
        if failure is None and self._command == CANCEL:
            return {"outcome": OUTCOMES[CANCEL]}  # a force cancel interrupted a checkpoint
        failure = failure or exc
        if isinstance(failure, _Cancelled):
            failure = JobError("JobRunner: cancelled")
        if not isinstance(failure, (JobError, InjectedCrash)):
            failure = JobError(f"JobRunner: {failure}")
        return {"error": failure}

    def _execute(self) -> str:
        self._open()
        if self._command is None:
            for subtask in self._subtasks:
                subtask.thread.start()
        next_checkpoint = time.monotonic() + self.interval if self.interval else None
        while True:
            if self._failure is not None:
                raise self._failure
            command = self._command
            if command == CANCEL:
                return OUTCOMES[CANCEL]
            if command is not None or self._all_exhausted():
                self._checkpoint(_FINAL_KIND[command], final=True, ending=command is None)
                return OUTCOMES[command]
            if next_checkpoint is not None and time.monotonic() >= next_checkpoint:
                self._checkpoint("checkpoint", final=False)
                next_checkpoint = time.monotonic() + self.interval  # type: ignore[operator]
                continue
            timeout = 0.5 if next_checkpoint is None else next_checkpoint - time.monotonic()
            if self._wake.wait(max(0.0, min(timeout, 0.5))):
                self._wake.clear()

    def _all_exhausted(self) -> bool:
        if self.plan.mode == "STREAMING":
            return False
        with self._lock:
            return self._exhausted >= len(self._subtasks)

    def _subtask_exhausted(self, subtask: Subtask) -> None:
        with self._lock:
            self._exhausted += 1
        self._wake.set()

    def _subtask_failed(self, subtask: Subtask, exc: BaseException) -> None:
        with self._lock:
            if self._failure is None and not isinstance(exc, _Cancelled):
                self._failure = exc
        self._cancel()

    def _context(self, parallelism: int) -> RunContext:
        return RunContext(
            self.plan.mode,
            parallelism,
            self.log,
            self.job_id,
            restored_checkpoint_id=self.checkpoint_id if self.restored else 0,
            cancel_event=self.cancel_event,
        )

    def _open(self) -> None:
        state = self.restored or {}
        sources_state = state.get("sources") or {}
        prepared = state.get("sinks") or {}
        for vertex in self.plan.order:
            if vertex.kind != "sink":
                continue
            plugin = vertex.plugin
            committer = _guard(plugin, plugin.committer, self._context(plugin.parallelism))
            if committer is None:
                continue
            self._committers[vertex.id] = (vertex, committer)
            if self.restored:
                infos = prepared.get(str(vertex.id)) or []
                _guard(plugin, committer.restore, self.checkpoint_id, list(infos))
        for pipeline in self.pipelines:
            plugin = pipeline.source.plugin
            ctx = self._context(pipeline.parallelism)
            enumerator = _guard(plugin, plugin.enumerator, ctx)
            runtime = _SourceRuntime(pipeline, enumerator)
            saved = sources_state.get(str(pipeline.source.id))
            if isinstance(saved, dict) and "splits" in saved:
                _guard(plugin, enumerator.restore, saved.get("enumerator"))
                back = []
                runtime.positions.update(saved.get("positions") or {})
                for item in saved.get("splits") or []:
                    split = Split.from_json(item)
                    runtime.positions[split.id] = item.get("position")
                    back.append(split)
                if back:
                    _guard(plugin, enumerator.add_splits_back, back)
            _guard(plugin, enumerator.open)
            self._sources.append(runtime)
            for index in range(pipeline.parallelism):
                subtask = Subtask(self, runtime, index)
                self._subtasks.append(subtask)
                subtask.open(ctx)

    def _checkpoint(self, kind: str, final: bool, ending: bool = False) -> None:
        """Checkpoint n: pause, position, prepare; snapshot enumerators; store; commit; notify.

        At a job's natural end (`ending`: it will be FINISHED) the checkpoint is stored only if
        a sink has something to commit: FINISHED drops the job's checkpoints in the write that
        records it, so otherwise the store would cost a write whose row the next one deletes.
        """
        number = self.checkpoint_id + 1
        trigger_ms = time.time_ns() // 1_000_000  # before any source is asked to pause
        live = [s for s in self._subtasks if s.thread.is_alive()]
        barrier = _Barrier(number, final, len(live))
        for subtask in live:
            subtask.barrier = barrier
            subtask.wake.set()
        while not barrier.all_answered.wait(0.05):
            if self._failure is not None:
                raise self._failure
            if self.cancel_event.is_set() or self._command == CANCEL:
                raise _Cancelled()
            if any(not s.thread.is_alive() and s.key not in barrier.answers for s in live):
                if self._failure is not None:
                    raise self._failure
                raise _Cancelled()
        for subtask in self._subtasks:  # never started (stopped before the start) or gone
            if subtask.key not in barrier.answers and not subtask.thread.is_alive():
                barrier.answers[subtask.key] = self._answer_inline(subtask, barrier)
        sources: dict[str, Any] = {}
        for runtime in self._sources:
            with runtime.lock:
                enum_state = _guard(
                    runtime.pipeline.source.plugin, runtime.enumerator.snapshot, number
                )
            splits = [
                barrier.answers[s.key]["split"]
                for s in self._subtasks
                if s.source is runtime and barrier.answers[s.key]["split"] is not None
            ]
            sources[str(runtime.pipeline.source.id)] = {
                "enumerator": enum_state,
                "splits": splits,
                # restored splits given back to the enumerator, not handed out again yet
                "positions": dict(runtime.positions),
            }
        infos: dict[int, list[Any]] = {}
        written: dict[int, dict[str, list[int]]] = {}
        for subtask in self._subtasks:
            answer = barrier.answers[subtask.key]
            for sink_id, info in answer["infos"].items():
                if info is not None:
                    infos.setdefault(sink_id, []).append(info)
            for sink_id, counts in answer["written"].items():
                into = written.setdefault(sink_id, {})
                for table, (rows, size) in counts.items():
                    entry = into.setdefault(table, [0, 0])
                    entry[0] += rows
                    entry[1] += size
        state = {
            "checkpoint_id": number,
            "sources": sources,
            "sinks": {str(k): v for k, v in infos.items()},
            "metrics": self.metrics.snapshot(),  # every subtask is paused: exact
        }
        barrier.resume.set()
        self.fault("after_prepare", number)
        if self.store is not None and not (ending and not infos):
            self.store.save(number, kind, state, trigger_ms=trigger_ms)
        self.checkpoint_id = number
        self.fault("after_store", number)
        for sink_id, (vertex, committer) in self._committers.items():
            started = time.perf_counter_ns()
            _guard(vertex.plugin, committer.commit, number, infos.get(sink_id, []))
            spent = time.perf_counter_ns() - started
            self._commit_ns[sink_id] = self._commit_ns.get(sink_id, 0) + spent
        for counts in written.values():
            self.metrics.add_committed(counts)
        self.fault("after_commit", number)
        for runtime in self._sources:
            with runtime.lock:
                _guard(
                    runtime.pipeline.source.plugin,
                    runtime.enumerator.notify_checkpoint_complete,
                    number,
                )
        for subtask in self._subtasks:
            if final or not subtask.thread.is_alive():
                if subtask.reader is not None:
                    _guard(
                        subtask.pipeline.source.plugin,
                        subtask.reader.notify_checkpoint_complete,
                        number,
                    )
            else:
                subtask.notifications.append(number)
                subtask.wake.set()

    def _answer_inline(self, subtask: Subtask, barrier: _Barrier) -> dict:
        """A subtask whose thread is not running answers from the job thread."""
        captured: dict = {}

        class _Capture(_Barrier):
            def answer(self, key: tuple[int, int], answer: dict) -> None:
                captured.update(answer)

        probe = _Capture(barrier.number, True, 1)
        subtask._answer(probe)
        return captured

    def _abort(self) -> None:
        for subtask in self._subtasks:
            for sink_id, writer in subtask.writers.items():
                try:
                    writer.abort()
                except Exception:  # best effort: restore discards leftovers too
                    self.log(f"abort of sink vertex {sink_id} failed")

    def _close(self) -> JobError | None:
        first: JobError | None = None
        closables: list[tuple[Plugin, Any]] = []
        for subtask in self._subtasks:
            if subtask.thread.is_alive():
                continue  # abandoned by a force cancel: never touch a plugin a thread still uses
            if subtask.reader is not None:
                closables.append((subtask.pipeline.source.plugin, subtask.reader))
            for vertex in subtask.pipeline.sinks:
                if vertex.id in subtask.writers:
                    closables.append((vertex.plugin, subtask.writers[vertex.id]))
        for runtime in self._sources:
            closables.append((runtime.pipeline.source.plugin, runtime.enumerator))
        for vertex, committer in self._committers.values():
            closables.append((vertex.plugin, committer))
        for plugin, closable in closables:
            error = _safe_close(plugin, closable)
            first = first or error
        return first


def _safe_close(plugin: Plugin, closable: Any) -> JobError | None:
    try:
        closable.close()
    except Exception as exc:  # close every plugin even when one fails
        return plugin_failure(plugin, exc)
    return None
