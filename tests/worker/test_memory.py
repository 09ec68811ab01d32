"""Memory (issue 12): a finished job leaves nothing behind in its worker process, and a FakeSource
job does not load pandas through pyarrow. Counts, never absolute RSS or times."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from app.engine.metrics import JobMetrics
from app.engine.plan import JobPlan
from app.engine.runner import JobRunner, Subtask
from app.engine.thread_pool import IDLE_NAME
from app.worker.joblog import JobLog
from tests.helpers import sample_config, wait_for_status

ROOT = Path(__file__).resolve().parents[2]
FINAL = ("FINISHED", "FAILED", "CANCELED")
PER_JOB = (JobRunner, Subtask, JobPlan, JobMetrics, JobLog)


def _run_jobs(client, count: int) -> None:
    config = sample_config()
    config["sink"][0]["log.print.data"] = False
    ids = []
    for _ in range(count):
        response = client.post("/submit-job", json=config)
        assert response.status_code == 200, response.get_data(as_text=True)
        ids.append(response.get_json()["jobId"])
    for job_id in ids:
        assert wait_for_status(client, job_id, FINAL)["jobStatus"] == "FINISHED"


def _per_job_objects() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, PER_JOB))


def _footprint(app) -> dict:
    """What would grow with every job if a job left something behind, once the slots are idle
    (a job reads FINISHED a moment before its slot drops the runner)."""
    deadline = time.monotonic() + 10
    while _per_job_objects() and time.monotonic() < deadline:
        time.sleep(0.05)
    executor = app.extensions["seatunnel"].executor
    return {
        "loggers": len(logging.Logger.manager.loggerDict),
        # idle pooled runner threads are not per job: the pool holds as many as ran at once
        # (one more when a thread is handed back a moment after the next job asked), and they
        # end after IDLE_SECONDS
        "threads": sum(1 for t in threading.enumerate() if t.name != IDLE_NAME),
        "per-job objects": _per_job_objects(),
        "running": len(executor._running),
        "stop kinds": len(executor._stop_kinds),
        "held": len(executor._held),
    }


def test_finished_jobs_leave_nothing_behind(app, client) -> None:
    _run_jobs(client, 4)  # warm up: plugin modules, their loggers, the pools
    before = _footprint(app)
    _run_jobs(client, 16)
    after = _footprint(app)
    assert after == before
    assert after["per-job objects"] == 0


def test_a_fake_source_job_does_not_load_pandas() -> None:
    pytest.importorskip("pandas")  # without pandas installed there is nothing to keep out
    script = textwrap.dedent(
        """
        import sys
        from app import engine
        from tests.helpers import sample_config

        config = sample_config(rows=7)
        types = ["tinyint", "smallint", "int", "bigint", "float", "double", "boolean", "date",
                 "time", "timestamp", "string", "bytes", "decimal(10, 2)", "array<int>",
                 "map<string, int>"]
        config["source"][0]["schema"] = {"fields": {f"c{i}": t for i, t in enumerate(types)}}
        config["sink"][0]["log.print.data"] = False
        runner = engine.build_plan(config).runner(log=lambda *a, **k: None)
        assert runner.run() == "FINISHED"
        assert "pandas" not in sys.modules, "the job loaded pandas"
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_a_thread_that_ends_closes_its_own_read_connection(settings) -> None:
    from app.models.db import Database

    db = Database(settings.database_url)
    try:
        threads = [threading.Thread(target=db.fetch_one, args=("SELECT 1", ())) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        assert len(db._raw_connections) == 0  # each closed with its thread, none leaked
    finally:
        db.dispose()
