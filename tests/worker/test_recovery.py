"""Orphan adoption, history expiry, log expiry and leases, against the real database."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.models import Checkpoint, Job, JobCount, MetricSample, Worker
from app.models.db import Database
from app.services import counts, recovery
from app.timefmt import now_ms


def _job(job_id: int, status: str, **extra) -> Job:
    values = dict(
        id=job_id,
        name=f"j{job_id}",
        status=status,
        mode="STREAMING",
        config="{}",
        dag="{}",
        env_options="{}",
        start_with_savepoint=False,
        create_ms=now_ms(),
    )
    values.update(extra)
    return Job(**values)


def test_jobs_nobody_heart_beats_are_adopted(db: Database) -> None:
    """Dead owner, or a live owner that no longer stamps the job (it lost track of it)."""
    old = now_ms() - 60_000
    with db.write() as session:
        session.add(
            Worker(id="alive", node_id="n:1", pid=1, slots=1, started_ms=old, heartbeat_ms=now_ms())
        )
        session.add(_job(1, "RUNNING", owner="dead", heartbeat_ms=old))
        session.add(_job(2, "RUNNING", owner="alive", heartbeat_ms=old))  # lost by its owner
        session.add(_job(6, "RUNNING", owner="alive", heartbeat_ms=now_ms()))
        session.add(_job(3, "CANCELING", owner="dead", heartbeat_ms=old, stop_request="cancel"))
        session.add(
            _job(4, "DOING_SAVEPOINT", owner="dead", heartbeat_ms=old, stop_request="savepoint")
        )
        session.add(_job(5, "RUNNING", owner="dead", heartbeat_ms=now_ms()))  # heart-beat just now
    assert sorted(recovery.reap_orphans(db)) == [1, 2, 3, 4]
    with db.read() as conn:
        rows = dict(conn.exec_driver_sql("select id, status from jobs").all())
        owners = dict(conn.exec_driver_sql("select id, owner from jobs").all())
    assert rows == {
        1: "PENDING",
        2: "PENDING",
        3: "CANCELED",
        4: "PENDING",
        5: "RUNNING",
        6: "RUNNING",
    }
    assert owners[1] is None and owners[2] is None and owners[6] == "alive"
    assert counts.job_counts(db)["CANCELED"] == 1


def test_history_expiry_deletes_old_jobs_with_their_checkpoints_and_samples(db: Database) -> None:
    old, recent = now_ms() - 3 * 60_000, now_ms()
    with db.write() as session:
        session.add_all(
            [
                _job(1, "FINISHED", finish_ms=old),
                _job(2, "FAILED", finish_ms=old),
                _job(3, "FINISHED", finish_ms=recent),
                _job(4, "RUNNING"),
            ]
        )
        session.flush()
        session.add(
            Checkpoint(job_id=1, checkpoint_id=1, kind="savepoint", created_ms=old, state="{}")
        )
        for job_id in (1, 3):
            session.add(
                MetricSample(
                    job_id=job_id,
                    sample_ms=old,
                    read_rows=5,
                    write_rows=5,
                    read_bytes=50,
                    write_bytes=50,
                )
            )
        session.query(JobCount).filter(JobCount.status == "FINISHED").update({"count": 2})
        session.query(JobCount).filter(JobCount.status == "FAILED").update({"count": 1})
    assert sorted(recovery.sweep_history(db, expire_minutes=2)) == [1, 2]
    with db.read() as conn:
        assert sorted(r[0] for r in conn.exec_driver_sql("select id from jobs")) == [3, 4]
        assert conn.exec_driver_sql("select count(*) from checkpoints").scalar() == 0
        assert [r[0] for r in conn.exec_driver_sql("select job_id from metric_samples")] == [3]
    totals = counts.job_counts(db)
    assert totals["FINISHED"] == 1 and totals["FAILED"] == 0


def test_log_expiry_only_removes_logs_of_deleted_jobs(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        session.add(_job(7, "FINISHED", finish_ms=now_ms()))
    for job_id in (7, 8):
        path = tmp_path / f"job-{job_id}.log"
        path.write_text("x")
        past = time.time() - 600
        os.utime(path, (past, past))
    (tmp_path / "job-9.log").write_text("fresh")  # young: kept even though no job has it
    assert recovery.sweep_logs(db, str(tmp_path), expire_minutes=5) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job-7.log", "job-9.log"]


def test_leases_are_exclusive_until_they_expire(db: Database) -> None:
    assert recovery.take_lease(db, "sweeper", "a", 60)
    assert not recovery.take_lease(db, "sweeper", "b", 60)
    assert recovery.take_lease(db, "sweeper", "a", 60)  # the holder renews
    assert recovery.take_lease(db, "other", "b", 0.001)
    time.sleep(0.01)
    assert recovery.take_lease(db, "other", "a", 60)  # expired: taken over
