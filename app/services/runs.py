"""Worker-side job writes: claim a PENDING job, flush metrics, finish it; worker registration."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Job, JobStatus, Worker
from app.models.db import Database
from app.services import samples as sample_store
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


CLAIM_CANDIDATES = 256
MAX_TAGGED_SCAN = 8192


def tags_match(tag_filter: str | None, node_tags: dict[str, str]) -> bool:
    """A job's env tag_filter matches a node carrying every one of its tags."""
    if not tag_filter:
        return True
    wanted = orjson.loads(tag_filter)
    if not isinstance(wanted, dict):
        return True
    return all(node_tags.get(str(k)) == str(v) for k, v in wanted.items())


def claim_next(
    db: Database, worker_id: str, node_tags: dict[str, str] | None = None
) -> ClaimedJob | None:
    """Atomically move the oldest PENDING job this node may run to RUNNING under this worker.

    PostgreSQL: the candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent claimers
    each get different jobs. SQLite has no row locks (SQLAlchemy drops FOR UPDATE there); the
    write transaction starts with BEGIN IMMEDIATE, so claims are serialized. The final update is
    guarded by `status = 'PENDING'` either way. Jobs whose tag_filter this node does not match
    stay PENDING for another node, and never hold up the others.
    """
    now = now_ms()
    pending = (
        sa.select(Job.id, Job.tag_filter, Job.create_ms)
        .where(Job.status == JobStatus.PENDING.value)
        .order_by(Job.create_ms, Job.id)
        .with_for_update(skip_locked=True)
    )
    with db.write() as session:
        # the oldest job any node may run, and the oldest tagged ones: tagged jobs that no live
        # node matches never hold up the rest of the queue
        rows = session.execute(pending.where(Job.tag_filter.is_(None)).limit(1)).all()
        rows += _matching_tagged(session, pending, node_tags or {})
        rows.sort(key=lambda r: (r.create_ms, r.id))
        chosen = rows[0].id if rows else None
        if chosen is None:
            return None
        row = session.execute(
            sa.update(Job)
            .where(Job.id == chosen, Job.status == JobStatus.PENDING.value)
            .values(status=JobStatus.RUNNING.value, owner=worker_id, start_ms=now, heartbeat_ms=now)
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


def _matching_tagged(session: Session, pending: sa.Select, node_tags: dict[str, str]) -> list:
    """The oldest PENDING job with a tag_filter this node matches (a list of 0 or 1 rows),
    paging through tagged jobs by (create_ms, id), at most MAX_TAGGED_SCAN of them."""
    tagged = pending.where(Job.tag_filter.is_not(None)).limit(CLAIM_CANDIDATES)
    after: tuple[int, int] | None = None
    for _ in range(MAX_TAGGED_SCAN // CLAIM_CANDIDATES):
        query = tagged if after is None else tagged.where(sa.tuple_(Job.create_ms, Job.id) > after)
        page = session.execute(query).all()
        for row in page:
            if tags_match(row.tag_filter, node_tags):
                return [row]
        if len(page) < CLAIM_CANDIDATES:
            break
        after = (page[-1].create_ms, page[-1].id)
    return []


def flush_metrics(
    db: Database,
    worker_id: str,
    metrics: dict[int, str],
    samples: list[sample_store.Sample] | None = None,
) -> None:
    """Store the live metrics of this worker's running jobs and heart-beat them; `samples`, when
    due, are added in the same transaction (no write of their own)."""
    if not metrics:
        return
    now = now_ms()
    with db.write() as session:
        sample_store.insert(session, worker_id, samples or [], now)
        # a Core executemany: an ORM update with a list of parameters means "bulk update by
        # primary key" to SQLAlchemy, which this WHERE (owner too) is not
        jobs = Job.__table__
        session.execute(
            sa.update(jobs)
            .where(jobs.c.id == sa.bindparam("job_id"), jobs.c.owner == worker_id)
            .values(metrics=sa.bindparam("metrics_json"), heartbeat_ms=now),
            [{"job_id": job_id, "metrics_json": text} for job_id, text in metrics.items()],
        )


def finish_job(
    db: Database,
    job_id: int,
    worker_id: str,
    status: str,
    error_msg: str | None,
    metrics: str | None,
    sample: sample_store.Sample | None = None,
) -> bool:
    """Record a job's final status, metrics and rendered job object (and its last metric
    sample); False if it is not ours."""
    with db.write() as session:
        job = session.get(Job, job_id)
        if job is None or job.owner != worker_id:
            return False
        if sample is not None:
            sample_store.insert(session, worker_id, [sample], now_ms())
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
    now = now_ms()
    with db.write() as session:
        session.merge(
            Worker(
                id=worker_id,
                node_id=node_id,
                pid=os.getpid(),
                slots=slots,
                started_ms=now,
                heartbeat_ms=now,
            )
        )


def heartbeat_worker(db: Database, worker_id: str) -> None:
    """Tell the cluster this worker is alive."""
    with db.write() as session:
        session.execute(
            sa.update(Worker).where(Worker.id == worker_id).values(heartbeat_ms=now_ms())
        )


def deregister_worker(db: Database, worker_id: str) -> None:
    """Remove this worker at a clean exit."""
    with db.write() as session:
        session.execute(sa.delete(Worker).where(Worker.id == worker_id))
