"""Keeping the cluster healthy: adopt jobs of dead workers, expire history, take leases."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.models import (
    FINAL_STATUSES,
    Checkpoint,
    Job,
    JobStatus,
    Lease,
    MetricSample,
    RealtimePoint,
    Worker,
)
from app.models.clock import db_now_ms
from app.models.db import Database
from app.services import counts, transitions
from app.services.cluster import WORKER_LIVE_MS
from app.services.stops import CANCEL, FORCE
from app.timefmt import now_ms

DEAD_WORKER_ROWS_MS = 24 * 3600 * 1000  # worker rows silent this long are deleted
SWEEP_BATCH = 1000


def take_lease(db: Database, name: str, holder: str, seconds: float) -> bool:
    """Hold lease `name` for `seconds` unless someone else holds an unexpired one."""
    expires = db_now_ms() + int(seconds * 1000)
    with db.write() as session:
        updated = session.execute(
            sa.update(Lease)
            .where(
                Lease.name == name,
                sa.or_(Lease.expires_ms < db_now_ms(), Lease.holder == holder),
            )
            .values(holder=holder, expires_ms=expires)
        )
        if updated.rowcount == 1:
            return True
    try:
        with db.write() as session:
            if session.get(Lease, name) is not None:
                return False
            session.execute(sa.insert(Lease).values(name=name, holder=holder, expires_ms=expires))
    except IntegrityError:
        return False
    return True


def reap_orphans(db: Database, live_ms: int = WORKER_LIVE_MS) -> list[int]:
    """Jobs nobody heart-beats any more go back to PENDING (to resume from their last checkpoint
    on whichever worker claims them); those that were being cancelled end CANCELED.

    A job is orphaned when its own heartbeat is stale, whether its owner died or is alive but
    lost track of it (a slot that failed to record the job's end): the owner stamps every job
    it holds from its heartbeat thread. Times are the database's clock.
    """
    stale_before = db_now_ms() - live_ms
    adopted: list[int] = []
    with db.write() as session:
        orphans = (
            session.execute(
                sa.select(Job)
                .where(
                    Job.owner.is_not(None),
                    Job.status.not_in(FINAL_STATUSES),
                    sa.or_(Job.heartbeat_ms.is_(None), Job.heartbeat_ms < stale_before),
                )
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        for job in orphans:
            adopted.append(job.id)
            if job.stop_request in (CANCEL, FORCE):
                transitions.finish(session, job, JobStatus.CANCELED.value, None, job.metrics)
            else:
                # a savepoint request survives: the next runner restores, then takes it
                job.status = JobStatus.PENDING.value
                job.owner = None
        session.execute(
            sa.delete(Worker).where(Worker.heartbeat_ms < db_now_ms() - DEAD_WORKER_ROWS_MS)
        )
    return adopted


def sweep_history(db: Database, expire_minutes: int) -> list[int]:
    """Delete finished jobs older than `expire_minutes` with their checkpoints and metric samples;
    returns their ids."""
    cutoff = now_ms() - expire_minutes * 60_000
    deleted: list[int] = []
    while True:
        with db.write() as session:
            rows = session.execute(
                sa.select(Job.id, Job.status)
                .where(Job.status.in_(FINAL_STATUSES), Job.finish_ms < cutoff)
                .order_by(Job.finish_ms)
                .limit(SWEEP_BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return deleted
            ids = [row.id for row in rows]
            session.execute(sa.delete(Checkpoint).where(Checkpoint.job_id.in_(ids)))
            session.execute(sa.delete(MetricSample).where(MetricSample.job_id.in_(ids)))
            session.execute(sa.delete(RealtimePoint).where(RealtimePoint.job_id.in_(ids)))
            session.execute(sa.delete(Job).where(Job.id.in_(ids)))
            per_status: dict[str, int] = {}
            for row in rows:
                per_status[row.status] = per_status.get(row.status, 0) + 1
            for status, number in per_status.items():
                counts.bump(session, status, -number)
        deleted.extend(ids)


_JOB_LOG = re.compile(r"^job-(\d+)\.log$")


def sweep_logs(db: Database, log_dir: str, expire_minutes: int) -> int:
    """Delete this node's job logs whose job is gone from the database and that are past expiry."""
    directory = Path(log_dir)
    if not directory.is_dir():
        return 0
    cutoff = now_ms() / 1000 - expire_minutes * 60
    candidates: dict[int, Path] = {}
    for path in directory.iterdir():
        match = _JOB_LOG.match(path.name)
        with contextlib.suppress(OSError):
            if match and path.stat().st_mtime < cutoff:
                candidates[int(match.group(1))] = path
    if not candidates:
        return 0
    with db.read() as conn:
        alive = set(conn.execute(sa.select(Job.id).where(Job.id.in_(list(candidates)))).scalars())
    removed = 0
    for job_id, path in candidates.items():
        if job_id not in alive:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
