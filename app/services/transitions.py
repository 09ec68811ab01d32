"""The one way a job enters a final status: render its job object once, count it, stamp it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Checkpoint, Job
from app.models.driver_sql import DriverStatement
from app.models.status import JobStatus
from app.services import counts, render, samples
from app.timefmt import now_ms

_JOBS = Job.__table__
# built once (their compiled forms are cached): a job's end is on every job's path
_SELECT_ENDING = (
    sa.select(
        _JOBS.c.id,
        _JOBS.c.name,
        _JOBS.c.create_ms,
        _JOBS.c.dag,
        _JOBS.c.last_checkpoint,
        _JOBS.c.owner,
        _JOBS.c.stop_request,
    )
    .where(_JOBS.c.id == sa.bindparam("job_id"))
    .with_for_update()  # PostgreSQL: the reaper cannot take the job in between
)
_UPDATE_ENDING = (
    sa.update(_JOBS)
    .where(_JOBS.c.id == sa.bindparam("job_id"), _JOBS.c.owner == sa.bindparam("worker_id"))
    .values(
        {
            name: sa.bindparam(f"v_{name}")
            for name in (
                "info",
                "status",
                "finish_ms",
                "error_msg",
                "metrics",
                "owner",
                "heartbeat_ms",
                "restore_checkpoint_id",
                "last_checkpoint",
            )
        }
    )
)
_UPDATE_ENDING_WITH_SAMPLE = DriverStatement(samples.insert_after(_UPDATE_ENDING))
_UPDATE_ENDING_RENDERED = DriverStatement(_UPDATE_ENDING)  # the hot path's form of it
_DROP_CHECKPOINTS = sa.delete(Checkpoint.__table__).where(
    Checkpoint.__table__.c.job_id == sa.bindparam("job_id"),
    Checkpoint.__table__.c.kind == "checkpoint",
)


def finish(
    session: Session, job: Job, status: str, error_msg: str | None, metrics: str | None
) -> None:
    """Move `job` (loaded in `session`) to final `status`, in the caller's transaction."""
    values = _final_values(job, status, error_msg, metrics)
    if status == JobStatus.FINISHED.value:
        session.execute(_DROP_CHECKPOINTS, {"job_id": job.id})
    for column, value in values.items():
        setattr(job, column, value)
    counts.bump(session, status, +1)


def finish_owned(
    session: Session,
    job_id: int,
    worker_id: str,
    status: str,
    error_msg: str | None,
    metrics: str | None,
) -> bool:
    """`finish` for a job this worker owns, in Core statements (the end of every job runs in a
    shared transaction, so it must be quick); False if the job is not this worker's any more.

    A force stop that arrived while the savepoint was being taken wins: the job ends CANCELED,
    as in SeaTunnel 3.0 (its savepoint may be stored all the same).
    """
    from app.services.stops import FORCE  # stops ends jobs through this module

    row = session.execute(_SELECT_ENDING, {"job_id": job_id}).first()
    if row is None or row.owner != worker_id:
        return False
    if status == JobStatus.SAVEPOINT_DONE.value and row.stop_request == FORCE:
        status = JobStatus.CANCELED.value
    values = _final_values(row, status, error_msg, metrics)
    params = {f"v_{column}": value for column, value in values.items()}
    ended = session.execute(_UPDATE_ENDING, {"job_id": job_id, "worker_id": worker_id, **params})
    if ended.rowcount != 1:
        return False
    if status == JobStatus.FINISHED.value:
        session.execute(_DROP_CHECKPOINTS, {"job_id": job_id})
    counts.bump(session, status, +1)
    return True


@dataclass(frozen=True)
class Ending:
    """A job's end rendered before its transaction, by the worker that ran it: what the
    claim returned (name, creation, jobDag) is all FINISHED's job object needs, so the shared
    transaction only writes (no read of the row, no rendering inside it)."""

    job_id: int
    worker_id: str
    values: dict
    # whether checkpoints of this job may be stored (restored, or this run stored one)
    drop_checkpoints: bool

    @classmethod
    def finished(
        cls, row: Any, worker_id: str, metrics: str | None, drop_checkpoints: bool
    ) -> Ending:
        """A FINISHED end of job `row` (id, name, create_ms, dag; as claimed)."""
        row = _Rendered(row, None)
        values = _final_values(row, JobStatus.FINISHED.value, None, metrics)
        return cls(row.id, worker_id, values, drop_checkpoints)


def finish_rendered(session: Session, ending: Ending, sample: samples.Sample | None = None) -> bool:
    """Record a FINISHED end rendered beforehand (`Ending`) and the job's last metric `sample`,
    in the caller's transaction; False if the job is not this worker's any more (the UPDATE's
    owner guard locks and checks it at once, so another worker that took the job over keeps
    it, and no sample is added)."""
    if sample is not None and sample.job_id != ending.job_id:
        raise ValueError("the sample is of another job than the end")
    now = now_ms()
    params = {f"v_{column}": value for column, value in ending.values.items()}
    params.update(job_id=ending.job_id, worker_id=ending.worker_id)
    conn = session.connection()  # Core statements: no ORM execute path
    if sample is not None and conn.dialect.name == "postgresql":
        # one round trip: the end, and the sample only if the end was ours
        values = {**params, **samples.params(sample, now)}
        ended = len(_UPDATE_ENDING_WITH_SAMPLE.execute(conn, values).all())
    else:
        if sample is not None:  # first: it is added only while the job is still ours
            samples.insert(session, ending.worker_id, [sample], now)
        ended = _UPDATE_ENDING_RENDERED.execute(conn, params).rowcount
    if ended != 1:
        return False
    if ending.drop_checkpoints:
        conn.execute(_DROP_CHECKPOINTS, {"job_id": ending.job_id})
    counts.bump(session, JobStatus.FINISHED.value, +1)
    return True


def _final_values(row: Any, status: str, error_msg: str | None, metrics: str | None) -> dict:
    """The columns a job's end sets, its job object rendered once for job-info."""
    error_msg = storable_text(error_msg)
    finished = now_ms()
    last_checkpoint = row.last_checkpoint
    if status == JobStatus.FINISHED.value:
        # as SeaTunnel does: a completed job's checkpoints are dropped (its final checkpoint
        # only guarded the last commit until this status was recorded); savepoints stay
        last_checkpoint = None
    info = render.finished_job(
        _Rendered(row, last_checkpoint),
        status=status,
        finish_ms=finished,
        error_msg=error_msg,
        metrics=metrics,
    ).decode()
    return {
        "info": info,
        "status": status,
        "finish_ms": finished,
        "error_msg": error_msg,
        "metrics": metrics,
        "owner": None,
        "heartbeat_ms": finished,
        "restore_checkpoint_id": None,
        "last_checkpoint": last_checkpoint,
    }


class _Rendered:
    """A job row as the renderer sees it at its end (the checkpoint reference as it will be)."""

    def __init__(self, row: Any, last_checkpoint: str | None) -> None:
        self.id, self.name, self.create_ms, self.dag = row.id, row.name, row.create_ms, row.dag
        self.last_checkpoint = last_checkpoint


def storable_text(text: str | None) -> str | None:
    """`text` as every database stores it: no NUL (PostgreSQL refuses it in text), valid UTF-8
    (a lone surrogate from user data would fail the write, and the job could never end)."""
    if text is None:
        return None
    return text.replace("\x00", "\\x00").encode("utf-8", "replace").decode("utf-8")
