"""Worker-side job writes: claim a PENDING job, flush metrics, finish it; worker registration."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from app.models import Job, JobStatus, Worker
from app.models.clock import db_now_ms
from app.models.db import Database
from app.services import transitions
from app.timefmt import now_ms


@dataclass(frozen=True)
class ClaimedJob:
    """What a runner needs to start a job it has claimed."""

    id: int
    name: str
    config: str
    mode: str
    start_with_savepoint: bool
    restore_checkpoint_id: int | None = None


_SQLITE_TAGS_MATCH = (
    "NOT EXISTS (SELECT 1 FROM json_each(jobs.tag_filter) AS wanted WHERE NOT EXISTS ("
    "SELECT 1 FROM json_each(:node_tags) AS held"
    " WHERE held.key = wanted.key AND held.value = CAST(wanted.value AS TEXT)))"
)
_POSTGRES_TAGS_MATCH = "CAST(jobs.tag_filter AS jsonb) <@ CAST(:node_tags AS jsonb)"


def _runnable_here(db: Database, node_tags: dict[str, str]) -> sa.ColumnElement[bool]:
    """SQL: the job has no tag_filter, or every tag of it is one of `node_tags` (a stored
    tag_filter is a JSON object of strings). Evaluated by the database row by row in queue
    order, so unmatched tagged jobs cost a predicate each, never a round trip."""
    tags_json = orjson.dumps({str(k): str(v) for k, v in node_tags.items()}).decode()
    match = _SQLITE_TAGS_MATCH if db.is_sqlite else _POSTGRES_TAGS_MATCH
    return sa.or_(Job.tag_filter.is_(None), sa.text(match).bindparams(node_tags=tags_json))


def claim_next(
    db: Database, worker_id: str, node_tags: dict[str, str] | None = None
) -> ClaimedJob | None:
    """Atomically move the oldest PENDING job this node may run to RUNNING under this worker.

    PostgreSQL: the candidate is locked with FOR UPDATE SKIP LOCKED, so concurrent claimers
    each get different jobs. SQLite has no row locks (SQLAlchemy drops FOR UPDATE there); the
    write transaction starts with BEGIN IMMEDIATE, so claims are serialized. The final update is
    guarded by `status = 'PENDING'` either way. Tags are matched in SQL: jobs whose tag_filter
    this node does not match stay PENDING for another node and never hold up the others,
    however many of them are queued.
    """
    now = now_ms()
    candidate = (
        sa.select(Job.id)
        .where(Job.status == JobStatus.PENDING.value, _runnable_here(db, node_tags or {}))
        .order_by(Job.create_ms, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    with db.write() as session:
        chosen = session.execute(candidate).scalar()
        if chosen is None:
            return None
        row = session.execute(
            sa.update(Job)
            .where(Job.id == chosen, Job.status == JobStatus.PENDING.value)
            .values(
                status=JobStatus.RUNNING.value,
                owner=worker_id,
                start_ms=now,
                heartbeat_ms=db_now_ms(),
            )
            .returning(
                Job.id,
                Job.name,
                Job.config,
                Job.mode,
                Job.start_with_savepoint,
                Job.restore_checkpoint_id,
            )
            .execution_options(synchronize_session=False)
        ).first()
    if row is None:
        return None
    return ClaimedJob(
        row.id,
        row.name,
        row.config,
        row.mode,
        bool(row.start_with_savepoint),
        row.restore_checkpoint_id,
    )


def flush_metrics(db: Database, worker_id: str, metrics: dict[int, str]) -> None:
    """Store the live metrics of this worker's running jobs and heart-beat them."""
    if not metrics:
        return
    with db.write() as session:
        # a Core executemany: an ORM update with a list of parameters means "bulk update by
        # primary key" to SQLAlchemy, which this WHERE (owner too) is not
        jobs = Job.__table__
        session.execute(
            sa.update(jobs)
            .where(jobs.c.id == sa.bindparam("job_id"), jobs.c.owner == worker_id)
            .values(metrics=sa.bindparam("metrics_json"), heartbeat_ms=db_now_ms()),
            [{"job_id": job_id, "metrics_json": text} for job_id, text in metrics.items()],
        )


def finish_job(
    db: Database,
    job_id: int,
    worker_id: str,
    status: str,
    error_msg: str | None,
    metrics: str | None,
) -> bool:
    """Record a job's final status, metrics and rendered job object; False if it is not ours."""
    with db.write() as session:
        job = session.get(Job, job_id)
        if job is None or job.owner != worker_id:
            return False
        transitions.finish(session, job, status, error_msg, metrics)
    return True


def release_job(db: Database, job_id: int, worker_id: str, metrics: str | None) -> bool:
    """Hand a job this worker can no longer run (shutdown) back to PENDING for another worker."""
    with db.write() as session:
        result = session.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.owner == worker_id)
            .values(
                status=JobStatus.PENDING.value,
                owner=None,
                metrics=metrics,
                restore_checkpoint_id=None,
            )
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def new_worker_id(node_id: str) -> str:
    """A name for this process that is unique across nodes and restarts."""
    return f"{node_id}/{socket.gethostname()}/{os.getpid()}/{now_ms()}"


def register_worker(db: Database, worker_id: str, node_id: str, slots: int) -> None:
    """Announce this worker process (its slots count towards the cluster's)."""
    with db.write() as session:
        session.execute(
            sa.insert(Worker).values(
                id=worker_id,
                node_id=node_id,
                pid=os.getpid(),
                slots=slots,
                started_ms=now_ms(),
                heartbeat_ms=db_now_ms(),
            )
        )


def heartbeat(db: Database, worker_id: str, job_ids: list[int] | None = None) -> None:
    """Tell the cluster this worker, and each job it holds, is alive (the database's clock)."""
    with db.write() as session:
        session.execute(
            sa.update(Worker).where(Worker.id == worker_id).values(heartbeat_ms=db_now_ms())
        )
        if job_ids:
            session.execute(
                sa.update(Job)
                .where(Job.id.in_(job_ids), Job.owner == worker_id)
                .values(heartbeat_ms=db_now_ms())
                .execution_options(synchronize_session=False)
            )


def heartbeat_worker(db: Database, worker_id: str) -> None:
    """Tell the cluster this worker is alive."""
    heartbeat(db, worker_id)


def deregister_worker(db: Database, worker_id: str) -> None:
    """Remove this worker at a clean exit."""
    with db.write() as session:
        session.execute(sa.delete(Worker).where(Worker.id == worker_id))
