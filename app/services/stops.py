"""Stopping jobs: record the request (any process may receive it); the owning runner obeys it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.errors import NotFound
from app.models import FINAL_STATUSES, Job, JobStatus
from app.models.db import Database
from app.services import transitions

# stop_request column values, and what the runner is told
SAVEPOINT, CANCEL, FORCE = "savepoint", "cancel", "force"
RUNNER_CONTROL = {SAVEPOINT: "savepoint", CANCEL: "stop", FORCE: "cancel"}


@dataclass(frozen=True)
class StopRequest:
    """One stop: savepoint (ends SAVEPOINT_DONE), graceful cancel or force (both end CANCELED)."""

    job_id: int
    savepoint: bool = False
    force: bool = False

    @property
    def kind(self) -> str:
        """The stop_request value stored for the runner."""
        if self.force:
            return FORCE
        return SAVEPOINT if self.savepoint else CANCEL


def request_stop(db: Database, stop: StopRequest) -> None:
    """Record a stop. A finished job is a no-op; a job nobody runs yet ends CANCELED at once.

    A later, stronger request replaces an earlier one (force beats cancel beats savepoint).
    """
    with db.write() as session:
        job = session.get(Job, stop.job_id, with_for_update=True)  # a claim cannot slip in
        if job is None:
            raise NotFound(f"The job {stop.job_id} does not exist.")
        if job.status in FINAL_STATUSES:
            return
        if job.status == JobStatus.PENDING.value and job.owner is None:
            job.stop_request = stop.kind
            transitions.finish(session, job, JobStatus.CANCELED.value, None, job.metrics)
            return
        strength = [SAVEPOINT, CANCEL, FORCE]
        if job.stop_request and strength.index(job.stop_request) >= strength.index(stop.kind):
            return
        job.stop_request = stop.kind
        job.status = (
            JobStatus.DOING_SAVEPOINT.value if stop.kind == SAVEPOINT else JobStatus.CANCELING.value
        )


def stop_requests(db: Database, worker_id: str) -> dict[int, str]:
    """The stop requests for jobs this worker runs (polled by the executor)."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(Job.id, Job.stop_request).where(
                Job.owner == worker_id, Job.stop_request.is_not(None)
            )
        ).all()
    return {job_id: kind for job_id, kind in rows}


def request_stops(db: Database, stops: list[StopRequest]) -> None:
    """Record several stops; every id is checked first, so an unknown one stops none."""
    ids = {stop.job_id for stop in stops}
    with db.read() as conn:
        known = set(conn.execute(sa.select(Job.id).where(Job.id.in_(ids))).scalars())
    missing = sorted(ids - known)
    if missing:
        raise NotFound(f"The job {missing[0]} does not exist.")
    for stop in stops:
        request_stop(db, stop)
