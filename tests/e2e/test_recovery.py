"""End to end: a killed worker's streaming job resumes elsewhere with no gap at the sink; a
SIGTERM'd server hands its jobs back and a restarted one runs them again."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.e2e.conftest import start_server
from tests.helpers import delivered_rows, streaming_config, uninterrupted_rows

pytestmark = pytest.mark.e2e

FINAL = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")


def _info(url: str, job_id: str) -> dict:
    return requests.get(f"{url}/job-info/{job_id}", timeout=5).json()


def _wait(url: str, job_id: str, predicate, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    info: dict = {}
    while time.monotonic() < deadline:
        info = _info(url, job_id)
        if predicate(info):
            return info
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not as expected after {timeout}s: {info}")


def _owner(database_url: str, job_id: str) -> str | None:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("select owner from jobs where id = :i"), {"i": int(job_id)}
            ).scalar()
    finally:
        engine.dispose()


def _count(info: dict) -> int:
    return int(info["metrics"]["SourceReceivedCount"])


def test_killed_worker_job_resumes_without_gap(server, database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = streaming_config(out_dir=out, interval_ms=200)
    job_id = requests.post(f"{server.url}/submit-job", json=config, timeout=10).json()["jobId"]
    _wait(
        server.url,
        job_id,
        lambda i: i.get("jobStatus") == "RUNNING" and "latestCheckpoint" in i and _count(i) >= 100,
        30,
    )
    owner = _owner(database_url, job_id)
    pid = int(owner.split("/")[2])
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    _wait(
        server.url,
        job_id,
        lambda i: (
            i.get("jobStatus") == "RUNNING" and _owner(database_url, job_id) not in (None, owner)
        ),
        30,
    )
    assert time.monotonic() - killed_at <= 30
    resumed = _wait(server.url, job_id, lambda i: _count(i) >= 200, 30)
    assert resumed["jobStatus"] == "RUNNING"
    requests.post(
        f"{server.url}/stop-job", json={"jobId": job_id, "isStopWithSavePoint": True}, timeout=10
    )
    final = _wait(server.url, job_id, lambda i: i.get("jobStatus") in FINAL, 20)
    assert final["jobStatus"] == "SAVEPOINT_DONE"
    delivered = delivered_rows(out)
    assert len(delivered) == int(final["metrics"]["SinkWriteCount"])
    reference = uninterrupted_rows(config, len(delivered))
    assert sorted(map(json.dumps, delivered)) == sorted(map(json.dumps, reference))


def test_sigterm_hands_jobs_back_and_restart_runs_them(server, database_url: str) -> None:
    config = streaming_config(interval_ms=200)
    job_id = requests.post(f"{server.url}/submit-job", json=config, timeout=10).json()["jobId"]
    before = _wait(
        server.url, job_id, lambda i: i.get("jobStatus") == "RUNNING" and _count(i) >= 60, 30
    )
    server.stop()
    assert server.process.returncode == 0
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        status, owner = conn.execute(
            sa.text("select status, owner from jobs where id = :i"), {"i": int(job_id)}
        ).one()
    engine.dispose()
    assert (status, owner) == ("PENDING", None)
    again = start_server(server.config_path)
    try:
        info = _wait(again.url, job_id, lambda i: i.get("jobStatus") == "RUNNING", 30)
        assert _count(info) >= _count(before)  # metrics continue from the stored values
    finally:
        again.stop()
