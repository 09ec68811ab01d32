"""The Executor: a pool of job threads in one worker process that claims PENDING jobs from the database."""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback

import orjson

from app import engine
from app.config import Settings
from app.models.db import Database
from app.services import checkpoints, cluster, monitoring, recovery, runs, shade, stops
from app.services.samples import Sample
from app.worker.joblog import JobLog

log = logging.getLogger(__name__)

CONTROL_POLL_SECONDS = 0.2
METRICS_FLUSH_SECONDS = 1.0
HEARTBEAT_SECONDS = 5.0
SWEEP_SECONDS = 60.0
TAGS_REFRESH_SECONDS = 1.0


class Executor:
    """One dispatcher thread claims jobs while a slot is free; `slots` threads run them.

    Only the dispatcher polls the database (every `poll_interval_ms` when idle), so an idle
    process costs one query per interval whatever its slot count. Submissions to this process
    call `wake()` and are claimed at once; jobs stored by other processes or nodes are found by
    the poll. A housekeeping thread flushes metrics every second and heart-beats.
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
        self._running_lock = threading.Lock()
        self._poll = settings.poll_interval_ms / 1000
        self._tags: dict[str, str] = {}
        self._tags_read_at = 0.0
        self._stop_kinds: dict[int, str] = {}  # job id -> stop_request, refreshed by housekeeping

    def start(self) -> None:
        """Register this worker and start the dispatcher, slot and housekeeping threads."""
        runs.register_worker(self.db, self.worker_id, self.node_id, self.settings.slots)
        self._publish_node_info()
        for i in range(self.settings.slots):
            self._spawn(self._slot_loop, f"job-slot-{i}")
        self._spawn(self._dispatch_loop, "job-dispatcher")
        self._spawn(self._housekeeping_loop, "job-housekeeping")

    def _spawn(self, target, name: str) -> None:  # noqa: ANN001
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
        except Exception:  # noqa: BLE001 - best effort at exit
            log.warning("could not deregister worker %s", self.worker_id, exc_info=True)

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
        while not self._stopping.is_set():
            if not self._free_slots.acquire(timeout=self._poll):
                continue
            try:
                job = runs.claim_next(self.db, self.worker_id, self._node_tags())
            except Exception:  # noqa: BLE001 - the database may be briefly unavailable
                log.exception("claiming a job failed")
                job = None
                self._stopping.wait(1.0)
            if job is None:
                self._free_slots.release()
                if self._wake.wait(self._poll):
                    self._wake.clear()
                continue
            self._claimed.put(job)

    def _slot_loop(self) -> None:
        while (job := self._claimed.get()) is not None:
            try:
                self._run(job)
            finally:
                self._free_slots.release()

    def _control(self, job_id: int) -> str | None:
        """What the runner of `job_id` is told to do now (polled between batches)."""
        if self._stopping.is_set():
            return "release"  # this process is going away: checkpoint and hand the job back
        return stops.RUNNER_CONTROL.get(self._stop_kinds.get(job_id, ""))

    def _run(self, job: runs.ClaimedJob) -> None:
        job_log = JobLog(self.settings.log_dir, job.id)
        job_log.write(f"Init JobMaster for Job {job.name} ({job.id})")
        runner: engine.JobRunner | None = None
        runnable: dict = {}
        outcome, error = "FAILED", None
        try:
            runnable = shade.decrypt_config(orjson.loads(job.config))
            plan = engine.build_plan(runnable)
            state = checkpoints.load(self.db, job.id, job.restore_checkpoint_id)
            if state is None and job.restore_checkpoint_id is not None:
                raise engine.JobError(
                    f"Savepoint {job.restore_checkpoint_id} of job {job.id} not found."
                )
            if state is not None:
                job_log.write(
                    f"Restoring job {job.id} from checkpoint {state.get('checkpoint_id')}"
                )
            runner = plan.runner(
                log=job_log.write,
                control=lambda: self._control(job.id),
                checkpoints=_CheckpointStore(self.db, job.id, self.worker_id, job_log),
                restore=state,
                job_id=str(job.id),
            )
            with self._running_lock:
                self._running[job.id] = runner
            job_log.write(f"Job {job.name} ({job.id}) turned from state PENDING to RUNNING.")
            outcome = runner.run()
        except engine.JobError as exc:
            error = str(exc)
        except engine.ConfigError as exc:
            error = exc.message
        except Exception as exc:  # noqa: BLE001 - a bug in a plugin must not kill the slot
            error = f"{type(exc).__name__}: {exc}"
            job_log.write(shade.mask_secrets(traceback.format_exc(), runnable), level="ERROR")
        finally:
            with self._running_lock:
                self._running.pop(job.id, None)
                self._stop_kinds.pop(job.id, None)
        if error:
            error = shade.mask_secrets(error, runnable)
            job_log.write(f"Job {job.name} ({job.id}) failed: {error}", level="ERROR")
        metrics = orjson.dumps(runner.metrics.to_rest()).decode() if runner is not None else None
        sample = Sample.from_counts(job.id, runner.metrics.counts()) if runner is not None else None
        if outcome == "RELEASED":
            job_log.write(
                f"Job {job.name} ({job.id}) checkpointed and released by a stopping worker"
            )
            job_log.close()
            self._record(runs.release_job, job.id, self.worker_id, metrics)
            return
        job_log.write(f"Job {job.name} ({job.id}) end with state {outcome}")
        job_log.close()
        self._record(runs.finish_job, job.id, self.worker_id, outcome, error, metrics, sample)

    def _record(self, write, job_id: int, *args) -> None:  # noqa: ANN001, ANN002
        """Write a job's outcome, retrying: losing a final status is worse than waiting."""
        for attempt in range(10):
            try:
                write(self.db, job_id, *args)
                return
            except Exception:  # noqa: BLE001 - the database may be briefly unavailable
                log.exception(
                    "recording the end of job %s failed (attempt %d)", job_id, attempt + 1
                )
                time.sleep(min(2**attempt * 0.1, 5.0))

    def _publish_node_info(self) -> None:
        """Measure this node and publish the figures for /system-monitoring-information."""
        try:
            cluster.publish_node_info(self.db, self.node_id, monitoring.measure())
        except Exception:  # noqa: BLE001 - monitoring must never stop the executor
            log.warning("publishing node figures failed", exc_info=True)

    def _housekeeping_loop(self) -> None:
        """Stop requests every tick; metrics every second (with a metric sample of each running
        job every metric-sample-interval-ms, in the same write); heartbeat, node figures and
        orphan adoption every few seconds; history expiry every minute (one process at a time)."""
        last = {"metrics": 0.0, "heartbeat": time.monotonic(), "sweep": 0.0, "sample": 0.0}
        sample_every = self.settings.metric_sample_interval_ms / 1000
        while not self._stopping.wait(CONTROL_POLL_SECONDS):
            now = time.monotonic()
            try:
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
                    if sample_due:
                        last["sample"] = now
                        due = [Sample.from_counts(i, r.metrics.counts()) for i, r in live.items()]
                    runs.flush_metrics(self.db, self.worker_id, metrics, due)
                if now - last["heartbeat"] >= HEARTBEAT_SECONDS:
                    last["heartbeat"] = now
                    runs.heartbeat_worker(self.db, self.worker_id)
                    self._publish_node_info()
                    if recovery.reap_orphans(self.db):
                        self.wake()
                if now - last["sweep"] >= SWEEP_SECONDS:
                    last["sweep"] = now
                    self._sweep()
            except Exception:  # noqa: BLE001 - keep going after a transient database error
                log.exception("housekeeping failed")

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

    def save(self, checkpoint_id: int, kind: str, state: dict) -> None:
        """Store it (raises if another worker has taken the job over)."""
        checkpoints.save(self.db, self.job_id, self.worker_id, checkpoint_id, kind, state)
        self.job_log.write(f"{kind} {checkpoint_id} of job {self.job_id} stored")
