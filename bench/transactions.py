"""Write transactions one small job costs from submit to FINISHED (issue 12), counted for real.

The app runs in this process with its executor (SQLite unless --database-url), and every commit
of the database engine is counted while N small FakeSource -> Console jobs are submitted and run:
once one job after the other (nothing to share a transaction with), once from 16 threads at a
time (what group commit is for). Read-only requests commit nothing and are not counted.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app import create_app
from app.config import Settings
from app.migrate import upgrade
from bench.common import small_job

FINAL = ("FINISHED", "FAILED", "CANCELED")


def _wait_finished(client, job_ids: list[str]) -> None:
    for job_id in job_ids:
        while client.get(f"/job-info/{job_id}").get_json()["jobStatus"] not in FINAL:
            time.sleep(0.005)


def main() -> None:
    """Count commits per job, sequential and concurrent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="seatunnel-tx-")
    url = args.database_url or f"sqlite:///{directory}/seatunnel.db"
    upgrade(url)
    settings = Settings(
        database_url=url,
        log_dir=f"{directory}/logs",
        slots=4,
        port=18080,
        telemetry_enabled=True,
    )
    app = create_app(settings)
    state = app.extensions["seatunnel"]
    commits = [0]
    lock = threading.Lock()

    def on_commit(_conn) -> None:
        with lock:
            commits[0] += 1

    client = app.test_client()
    _wait_finished(client, [client.post("/submit-job", json=small_job()).get_json()["jobId"]])
    time.sleep(1.0)  # registration and the first heartbeats are not the jobs' writes
    sa.event.listen(state.db.engine, "commit", on_commit)
    try:
        for label, threads in (("one job at a time", 1), ("16 threads at a time", 16)):
            start = commits[0]

            def submit(_: int) -> str:
                response = app.test_client().post("/submit-job", json=small_job())
                return response.get_json()["jobId"]

            with ThreadPoolExecutor(threads) as pool:
                ids = list(pool.map(submit, range(args.jobs)))
            _wait_finished(client, ids)
            counted = commits[0] - start
            print(
                f"{label:22} {args.jobs} jobs: {counted} write transactions,"
                f" {counted / args.jobs:.2f} per job (heartbeats and metric flushes included)"
            )
    finally:
        sa.event.remove(state.db.engine, "commit", on_commit)
        state.executor.stop()
        state.db.dispose()


if __name__ == "__main__":
    main()
