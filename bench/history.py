"""History scaling: GET /finished-jobs/FINISHED?page=1&rows=10 and GET /job-info/:id with 100 and
with 100,000 finished jobs in history, in the same run (target: the large history at most 1.5x
slower). Requests go through the Flask app in-process, so only our code and the database count.

    python -m bench.history [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import orjson
import sqlalchemy as sa

from app import create_app
from app.config import Settings
from app.migrate import upgrade
from app.models import Base, Job, JobCount
from bench.common import small_job

SIZES = (100, 100_000)
REQUESTS = 2000


def fill(url: str, count: int) -> int:
    """Empty the database and store `count` finished jobs; returns one job id from the middle."""
    from app.engine import JobMetrics, build_plan

    plan = build_plan(small_job())
    engine = sa.create_engine(url)
    base_ms = 1_700_000_000_000
    metrics = orjson.dumps(JobMetrics.empty_rest()).decode()
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "job_counts":
                conn.execute(table.delete())
        rows = []
        for i in range(count):
            job_id = 900_000_000_000_000_000 + i
            dag = orjson.dumps(plan.dag(str(job_id))).decode()
            info = orjson.dumps(
                {
                    "jobId": str(job_id),
                    "jobName": f"job-{i}",
                    "jobStatus": "FINISHED",
                    "errorMsg": None,
                    "createTime": "2026-01-01 00:00:00",
                    "finishTime": "2026-01-01 00:00:01",
                    "finishedTime": "2026-01-01 00:00:01",
                    "jobDag": orjson.Fragment(dag),
                    "pluginJarsUrls": [],
                    "metrics": orjson.Fragment(metrics),
                }
            ).decode()
            rows.append(
                {
                    "id": job_id,
                    "name": f"job-{i}",
                    "status": "FINISHED",
                    "mode": "BATCH",
                    "config": "{}",
                    "dag": dag,
                    "env_options": "{}",
                    "start_with_savepoint": False,
                    "create_ms": base_ms + i,
                    "finish_ms": base_ms + i + 1,
                    "metrics": metrics,
                    "info": info,
                }
            )
            if len(rows) == 5000:
                conn.execute(sa.insert(Job), rows)
                rows = []
        if rows:
            conn.execute(sa.insert(Job), rows)
        conn.execute(sa.update(JobCount).values(count=0))
        conn.execute(sa.update(JobCount).where(JobCount.status == "FINISHED").values(count=count))
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE jobs")
    engine.dispose()
    return 900_000_000_000_000_000 + count // 2


def measure(url: str, log_dir: str, job_id: int) -> dict[str, float]:
    """Median latency (microseconds) of the two requests through the app."""
    app = create_app(Settings(database_url=url, log_dir=log_dir, start_executor=False))
    client = app.test_client()
    results = {}
    for name, path in (
        ("finished-jobs page", "/finished-jobs/FINISHED?page=1&rows=10"),
        ("job-info", f"/job-info/{job_id}"),
    ):
        assert client.get(path).status_code == 200
        samples = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1e6)
        results[name] = statistics.median(samples)
    app.extensions["seatunnel"].db.dispose()
    return results


def main() -> None:
    """Fill, measure, refill larger, measure, print the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="seatunnel-history-"))
    url = args.database_url or f"sqlite:///{directory / 'history.db'}"
    upgrade(url)
    figures = {}
    for size in SIZES:
        job_id = fill(url, size)
        figures[size] = measure(url, str(directory / "logs"), job_id)
    small, large = figures[SIZES[0]], figures[SIZES[1]]
    print(f"database: {sa.make_url(url).get_backend_name()}, median of {REQUESTS} requests each")
    for name in small:
        ratio = large[name] / small[name]
        print(
            f"{name:20} {SIZES[0]:>7,} jobs: {small[name]:7.0f} us   {SIZES[1]:>7,} jobs: "
            f"{large[name]:7.0f} us   ratio {ratio:.2f} (target <= 1.5: {'ok' if ratio <= 1.5 else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
