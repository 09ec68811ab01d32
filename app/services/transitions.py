"""The one way a job enters a final status: render its job object once, count it, stamp it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Checkpoint, Job
from app.models.status import JobStatus
from app.services import counts, render
from app.timefmt import now_ms


def finish(
    session: Session, job: Job, status: str, error_msg: str | None, metrics: str | None
) -> None:
    """Move `job` (loaded in `session`) to final `status`, in the caller's transaction."""
    finished = now_ms()
    if status == JobStatus.FINISHED.value:
        # as SeaTunnel does: a completed job's checkpoints are dropped (its final checkpoint
        # only guarded the last commit until this status was recorded); savepoints stay
        job.last_checkpoint = None
        session.execute(
            sa.delete(Checkpoint).where(
                Checkpoint.job_id == job.id, Checkpoint.kind == "checkpoint"
            )
        )
    job.info = render.finished_job(
        job, status=status, finish_ms=finished, error_msg=error_msg, metrics=metrics
    ).decode()
    job.status = status
    counts.bump(session, status, +1)
    job.finish_ms = finished
    job.error_msg = error_msg
    job.metrics = metrics
    job.owner = None
    job.heartbeat_ms = finished
    job.restore_checkpoint_id = None
