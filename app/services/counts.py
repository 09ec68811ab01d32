"""Job counts per status: final statuses from the job_counts table (kept in step with every change
into or out of a final status), live statuses counted on the status index (there are few)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import FINAL_STATUSES, RUNNING_STATUSES, Job, JobCount
from app.models.db import Database
from app.models.group_commit import defer_increment


def bump(session: Session, status: str, delta: int) -> None:
    """Count `delta` more (or fewer) jobs in final status `status`, in the caller's transaction
    (written once per transaction and status when it commits: the rows every job's end touches)."""
    if status in FINAL_STATUSES and delta:
        defer_increment(session, JobCount.__table__.c.count, status, delta)


def job_counts(db: Database) -> dict[str, int]:
    """Number of jobs per status (missing statuses have none)."""
    with db.read() as conn:
        counts = dict(conn.execute(sa.select(JobCount.status, JobCount.count)).all())
        live = conn.execute(
            sa.select(Job.status, sa.func.count())
            .where(Job.status.in_(RUNNING_STATUSES))
            .group_by(Job.status)
        ).all()
    counts.update(dict(live))
    return counts


def final_total(db: Database, status: str | None) -> int:
    """Jobs in one final status, or in any."""
    query = sa.select(sa.func.coalesce(sa.func.sum(JobCount.count), 0))
    if status is not None:
        query = query.where(JobCount.status == status)
    with db.read() as conn:
        return int(conn.execute(query).scalar_one())
