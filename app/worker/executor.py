"""The Executor: a pool of job threads in one worker process that claims PENDING jobs from the database."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import traceback

import orjson

from app import engine
from app.config import Settings
from app.models.db import Database
from app.services import (
    checkpoints,
    cluster,
    loggers,
    monitoring,
    realtime,
    recovery,
    resources,
    runs,
    secrets,
    shade,
    stops,
    transitions,
)
from app.services.samples import Sample
from app.worker.console_mirror import ConsoleMirror
from app.worker.joblog import JobLog, JobLogError, one_line

log = logging.getLogger(__name__)

CONTROL_POLL_SECONDS = 0.2
METRICS_FLUSH_SECONDS = 1.0
HEARTBEAT_SECONDS = cluster.HEARTBEAT_MS / 1000
REAP_SECONDS = 5.0
RECORD_ATTEMPTS = 10
SWEEP_SECONDS = 60.0
TAGS_REFRESH_SECONDS = 1.0
LOGGERS_SYNC_SECONDS = 1.0


class Executor:
    """One dispatcher thread claims jobs while a slot is free (as many as are free, in one
    transaction); `slots` threads run them.

    Only the dispatcher polls the database (every `poll_interval_ms` when idle), so an idle
    process costs one query per interval whatever its slot count. Submissions to this process
    call `wake()` and are claimed at once; jobs stored by other processes or nodes are found by
    the poll. A heartbeat thread stamps this worker and its jobs with the database's clock; a
    housekeeping thread flushes metrics every second and does the chores.
    """

    def __init__(self, db: Database, settings: Settings, node_id: str) -> None:
        self.db = db
        self.settings = settings
        self.node_id = node_id
        self.worker_id = runs.new_worker_id(node_id)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._free_slots = threading.Semaphore(settings.slots)
        self._claimed: queue.Queue[runs.ClaimedJob | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._running: dict[int, engine.JobRunner] = {}
        self._logs: dict[int, JobLog] = {}  # job id -> its log, flushed by housekeeping
        self._running_lock = threading.Lock()
        self._poll = settings.poll_interval_ms / 1000
        self._tags: dict[str, str] = {}
        self._tags_read_at = 0.0
        self._stop_kinds: dict[int, str] = {}  # job id -> stop_request, refreshed by housekeeping
        # jobs claimed and not yet recorded as ended: the heartbeat thread stamps them
        self._held: set[int] = set()
        self._held_lock = threading.Lock()
        self.record_attempts = RECORD_ATTEMPTS
        self._completed = 0  # jobs this process's slots have run to an end (telemetry)
        self._realtime = realtime.Tracker()  # housekeeping thread only

    def start(self) -> None:
        """Register this worker and start the dispatcher, slot and housekeeping threads."""
        runs.register_worker(self.db, self.worker_id, self.node_id, self.settings.slots)
        self._publish_node_info()
        for i in range(self.settings.slots):
            self._spawn(self._slot_loop, f"job-slot-{i}")
        self._spawn(self._dispatch_loop, "job-dispatcher")
        self._spawn(self._heartbeat_loop, "job-heartbeat")
        self._spawn(self._housekeeping_loop, "job-housekeeping")

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def wake(self) -> None:
        """A job was just stored by this process: claim it now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 8.0) -> None:
        """Stop claiming; running jobs checkpoint and go back to PENDING; deregister.

        Within `timeout` overall (gunicorn's graceful timeout is 10 s); a job that cannot stop
        in time is adopted by another worker once this one's heartbeat is stale.
        """
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._wake.set()
        for _ in range(self.settings.slots):
            self._claimed.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        try:
            runs.deregister_worker(self.db, self.worker_id)
        except Exception:  # best effort at exit
            log.warning("could not deregister worker %s", self.worker_id, exc_info=True)

    @property
    def stopping(self) -> bool:
        """Whether this executor is shutting down (the node then reports SHUT_DOWN)."""
        return self._stopping.is_set()

    def pool_stats(self) -> dict[str, int]:
        """The slot pool's figures for job_thread_pool_* (published with the heartbeat)."""
        with self._running_lock:
            active, completed = len(self._running), self._completed
        alive = sum(1 for t in self._threads if t.name.startswith("job-slot-") and t.is_alive())
        return {
            "slots": self.settings.slots,
            "poolSize": alive,
            "active": active,
            "completed": completed,
            "queued": self._claimed.qsize(),
        }

    @property
    def running_job_ids(self) -> list[int]:
        """Ids of the jobs this process runs now."""
        with self._running_lock:
            return list(self._running)

    def _node_tags(self) -> dict[str, str]:
        """This node's tags (update-tags may change them through any process), cached briefly."""
        now = time.monotonic()
        if now - self._tags_read_at >= TAGS_REFRESH_SECONDS:
            self._tags = cluster.node_tags(self.db, self.node_id)
            self._tags_read_at = now
        return self._tags

    def _dispatch_loop(self) -> None:
        known_pending = True  # jobs may wait from before this worker started
        while not self._stopping.is_set():
            if not self._free_slots.acquire(timeout=self._poll):
                continue
            free = 1
            while free < self.settings.slots and self._free_slots.acquire(blocking=False):
                free += 1
            if self._wake.is_set():  # a job was just submitted here: no need to look first
                self._wake.clear()
                known_pending = True
            try:
                jobs = runs.claim_jobs(
                    self.db, self.worker_id, self._node_tags(), free, known_pending
                )
            except Exception:  # the database may be briefly unavailable
                log.exception("claiming a job failed")
                jobs = []
                self._stopping.wait(1.0)
            # as many as asked for: more may wait, the next claim need not look first
            known_pending = len(jobs) == free
            for _ in range(free - len(jobs)):
                self._free_slots.release()
            if not jobs:
                if self._wake.wait(self._poll):
                    self._wake.clear()
                    known_pending = True
                continue
            with self._held_lock:
                self._held.update(job.id for job in jobs)
            for job in jobs:
                self._claimed.put(job)

    def _slot_loop(self) -> None:
        """Run claimed jobs until told to stop. Nothing a job does can end this loop: whatever
        escapes `_run` fails the job (or leaves it to be adopted) and the slot goes on."""
        while (job := self._claimed.get()) is not None:
            try:
                self._run(job)
            except BaseException as exc:  # the slot must outlive any job
                log.exception("job %s ended abnormally", job.id)
                self._record_failure(job, f"{type(exc).__name__}: {exc}")
            finally:
                with self._held_lock:
                    self._held.discard(job.id)
                with self._running_lock:
                    self._completed += 1
                self._free_slots.release()

    def _record_failure(self, job: runs.ClaimedJob, message: str) -> None:
        """Best effort: end `job` FAILED with `message` (masked); if even that cannot be stored,
        the job stops being heart-beaten and another worker adopts it."""
        try:
            masked = secrets.masker_for(orjson.loads(job.config)).text(message)
        except Exception:  # an unreadable config: show no detail at all
            masked = "the job failed and its error could not be shown safely"
        self._record(runs.finish_job, job.id, self.worker_id, "FAILED", masked, None)

    def _control(self, job_id: int) -> str | None:
        """What the runner of `job_id` is told to do now (polled between batches)."""
        if self._stopping.is_set():
            return "release"  # this process is going away: checkpoint and hand the job back
        return stops.RUNNER_CONTROL.get(self._stop_kinds.get(job_id, ""))

    def _run(self, job: runs.ClaimedJob) -> None:
        name = one_line(job.name)
        masker = secrets.Masker()
        job_log: JobLog | None = None
        runner: engine.JobRunner | None = None
        store: _CheckpointStore | None = None
        outcome, error = "FAILED", None
        try:
            stored = orjson.loads(job.config)
            masker = secrets.masker_for(stored)
            console = ConsoleMirror(job.id) if self.settings.job_log_console else None
            job_log = JobLog(
                self.settings.log_dir,
                job.id,
                mask=masker.text if masker else None,
                console=console,
            )
            with self._running_lock:
                self._logs[job.id] = job_log
            job_log.write(f"Init JobMaster for Job {name} ({job.id})")
            runnable = shade.decrypt_config(stored)
            plan = engine.build_plan(runnable, self.settings.limits)
            state = (
                checkpoints.load(self.db, job.id, job.restore_checkpoint_id)
                if job.has_state
                or job.start_with_savepoint
                or job.restore_checkpoint_id is not None
                else None
            )
            if state is None and job.restore_checkpoint_id is not None:
                raise engine.JobError(
                    f"Savepoint {job.restore_checkpoint_id} of job {job.id} not found."
                )
            if state is not None:
                job_log.write(
                    f"Restoring job {job.id} from checkpoint {state.get('checkpoint_id')}"
                )
            store = _CheckpointStore(self.db, job.id, self.worker_id, job_log)
            runner = plan.runner(
                log=job_log.write,
                control=lambda: self._control(job.id),
                checkpoints=store,
                restore=state,
                job_id=str(job.id),
            )
            with self._running_lock:
                self._running[job.id] = runner
            job_log.write(
                f"Job {name} ({job.id}) turned from state PENDING to RUNNING.",
                logger="org.apache.seatunnel.engine.server.dag.physical.PhysicalPlan",
            )
            outcome = runner.run()
        except engine.JobError as exc:
            error = str(exc)
        except engine.ConfigError as exc:
            error = exc.message
        except JobLogError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in a plugin must not kill the slot
            error = f"{type(exc).__name__}: {exc}"
            _quietly(job_log, masker.text(traceback.format_exc()), "ERROR")
        finally:
            with self._running_lock:
                self._running.pop(job.id, None)
                self._logs.pop(job.id, None)
                self._stop_kinds.pop(job.id, None)
        if error:
            error = masker.text(error)
            _quietly(job_log, f"Job {name} ({job.id}) failed: {error}", "ERROR")
        metrics = None
        sample = None
        if runner is not None:
            try:
                metrics = orjson.dumps(runner.metrics.to_rest()).decode()
                sample = Sample.from_counts(job.id, runner.metrics.counts())
            except Exception:  # the outcome matters more than its figures
                log.exception("rendering the metrics of job %s failed", job.id)
        if outcome == "RELEASED":
            _quietly(
                job_log, f"Job {name} ({job.id}) checkpointed and released by a stopping worker"
            )
            _quietly_close(job_log)
            self._record(runs.release_job, job.id, self.worker_id, metrics)
            return
        _quietly(job_log, f"Job {name} ({job.id}) end with state {outcome}")
        log_error = _quietly_close(job_log)
        if log_error is not None and outcome != "FAILED":
            # the job's own work is done, but what it logged is lost: say so, do not hide it
            outcome, error = "FAILED", masker.text(str(log_error))
        if outcome == "FINISHED" and store is not None:
            # the common end: rendered here, so the shared transaction only writes
            earlier_state = (
                job.has_state or job.start_with_savepoint or job.restore_checkpoint_id is not None
            )
            ending = transitions.Ending.finished(
                job, self.worker_id, metrics, drop_checkpoints=earlier_state or store.stored
            )
            self._record(lambda db, _job_id: runs.finish_rendered(db, ending, sample), job.id)
            return
        self._record(runs.finish_job, job.id, self.worker_id, outcome, error, metrics, sample)

    def _record(self, write, job_id: int, *args) -> bool:
        """Write a job's outcome, retrying: losing a final status is worse than waiting. After
        the last attempt the job is left to be adopted (its heartbeat stops with this call)."""
        for attempt in range(self.record_attempts):
            try:
                write(self.db, job_id, *args)
                return True
            except Exception:  # the database may be briefly unavailable
                log.exception(
                    "recording the end of job %s failed (attempt %d)", job_id, attempt + 1
                )
                if self._stopping.wait(min(2**attempt * 0.1, 2.0)):
                    break
        return False

    def _publish_node_info(self) -> None:
        """Measure this node and publish the figures for /system-monitoring-information."""
        try:
            info = monitoring.measure()
            info.update(resources.measure())  # raw CPU / memory for /resource/workers
            cluster.publish_node_info(self.db, self.node_id, info)
        except Exception:  # monitoring must never stop the executor
            log.warning("publishing node figures failed", exc_info=True)

    def _heartbeat_loop(self) -> None:
        """Stamp this worker and every job it holds with the database's clock, every
        HEARTBEAT_MS, from a thread that does nothing else: no chore can delay it."""
        while not self._stopping.wait(HEARTBEAT_SECONDS):
            with self._held_lock:
                held = sorted(self._held)
            try:
                runs.heartbeat(self.db, self.worker_id, held, self.pool_stats())
            except Exception:  # try again at the next beat
                log.exception("heartbeat failed")

    def _housekeeping_loop(self) -> None:
        """Stop requests every tick; metrics every second (with a metric sample of each running
        job every metric-sample-interval-ms, in the same write); node figures and orphan adoption
        every few seconds; history expiry every minute (one process at a time)."""
        last = {"metrics": 0.0, "reap": time.monotonic(), "sweep": 0.0, "loggers": 0.0}
        last["sample"] = 0.0
        sample_every = self.settings.metric_sample_interval_ms / 1000
        while not self._stopping.wait(CONTROL_POLL_SECONDS):
            now = time.monotonic()
            try:
                self._flush_logs()
                with self._running_lock:
                    live = dict(self._running)
                if live:
                    self._stop_kinds = stops.stop_requests(self.db, self.worker_id)
                sample_due = bool(live) and now - last["sample"] >= sample_every
                if sample_due or now - last["metrics"] >= METRICS_FLUSH_SECONDS:
                    last["metrics"] = now
                    metrics = {
                        i: orjson.dumps(r.metrics.to_rest()).decode() for i, r in live.items()
                    }
                    due: list[Sample] = []
                    points: dict[int, dict] = {}
                    if sample_due:
                        last["sample"] = now
                        due = [Sample.from_counts(i, r.metrics.counts()) for i, r in live.items()]
                        points = self._realtime_points(live)
                    runs.flush_metrics(self.db, self.worker_id, metrics, due, points)
                if now - last["loggers"] >= LOGGERS_SYNC_SECONDS:
                    last["loggers"] = now
                    loggers.sync(self.db, self.node_id)  # /loggers overrides of this node
                if now - last["reap"] >= REAP_SECONDS:
                    last["reap"] = now
                    self._publish_node_info()
                    if recovery.reap_orphans(self.db):
                        self.wake()
                if now - last["sweep"] >= SWEEP_SECONDS:
                    last["sweep"] = now
                    self._sweep()
            except Exception:  # keep going after a transient database error
                log.exception("housekeeping failed")

    def _realtime_points(self, live: dict[int, engine.JobRunner]) -> dict[int, dict]:
        """Each running job's realtime busyness since its previous sample (none when off)."""
        self._realtime.retain(set(live))
        if not self.settings.realtime_metrics_enabled:
            return {}
        points = {}
        for job_id, runner in live.items():
            try:
                points[job_id] = self._realtime.point(job_id, runner.realtime())
            except Exception:  # a figure must never stop the metrics flush
                log.warning("realtime figures of job %s failed", job_id, exc_info=True)
        return points

    def _flush_logs(self) -> None:
        """Flush the running jobs' logs that are due (in its own frame: the loop variable must
        not keep the last job's log alive after the job ended)."""
        with self._running_lock:
            logs = list(self._logs.values())
        for job_log in logs:
            with contextlib.suppress(JobLogError):  # the job's own write reports it
                job_log.flush_due()

    def _sweep(self) -> None:
        """Expire old history (one process cluster-wide per minute) and this node's old logs."""
        expire = self.settings.history_job_expire_minutes
        if recovery.take_lease(self.db, "history-sweeper", self.worker_id, SWEEP_SECONDS):
            deleted = recovery.sweep_history(self.db, expire)
            if deleted:
                log.info("expired %d finished jobs from history", len(deleted))
        recovery.sweep_logs(self.db, self.settings.log_dir, expire)


class _CheckpointStore:
    """What the runner calls to persist a checkpoint: the database, as this job's owner."""

    def __init__(self, db: Database, job_id: int, worker_id: str, job_log: JobLog) -> None:
        self.db = db
        self.job_id = job_id
        self.worker_id = worker_id
        self.job_log = job_log
        self.stored = False  # whether this run stored a checkpoint (its end drops them)

    def save(
        self, checkpoint_id: int, kind: str, state: dict, trigger_ms: int | None = None
    ) -> None:
        """Store it (raises if another worker has taken the job over); `trigger_ms`, when the
        runner passes it, is when the checkpoint began (its duration in /jobs/checkpoints)."""
        self.stored = True  # before the write: a failed write may still have stored it
        checkpoints.save(
            self.db, self.job_id, self.worker_id, checkpoint_id, kind, state, trigger_ms
        )
        self.job_log.write(f"{kind} {checkpoint_id} of job {self.job_id} stored")


def _quietly(job_log: JobLog | None, message: str, level: str = "INFO") -> None:
    """Log a line about the job's end; a log that cannot be written must not stop the end
    from being recorded."""
    if job_log is None:
        return
    with contextlib.suppress(JobLogError):
        job_log.write(message, level=level)


def _quietly_close(job_log: JobLog | None) -> JobLogError | None:
    """Close the job log; the error, if its last lines could not be written."""
    if job_log is None:
        return None
    try:
        job_log.close()
    except JobLogError as exc:
        return exc
    return job_log.error
