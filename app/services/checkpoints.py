"""Checkpoint storage: save a runner's snapshot (only by the job's owner), prune old ones, load one."""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Checkpoint, Job
from app.models.clock import db_now_ms
from app.models.db import Database
from app.timefmt import format_ms, now_ms

MAX_JOB_ID = 2**63 - 1
MAX_CHECKPOINT_ID = 2**31 - 1
KEEP_CHECKPOINTS = 3  # the last few periodic checkpoints; savepoints are kept until the job expires


class NotOwner(RuntimeError):
    """The job was taken over by another worker: this runner must not store state any more."""


def savepoint_path(job_id: int, checkpoint_id: int) -> str:
    """The reference a client gives back as `savepoint.path` to restore from this savepoint."""
    return f"/seatunnel/checkpoint/savepoint/{job_id}/{checkpoint_id}"


def parse_savepoint_path(path: str) -> tuple[int, int | None]:
    """(job id, checkpoint id or None) from a savepoint path: its last one or two numeric parts."""
    numbers = [
        part for part in str(path).strip("/").split("/") if part.isascii() and part.isdigit()
    ]
    if not numbers:
        raise ValueError("not a savepoint path")
    job_text, checkpoint_text = (numbers[0], None) if len(numbers) == 1 else numbers[-2:]
    # range-checked before int(): ids are 64-bit, checkpoint ids 32-bit (database columns)
    job_text, checkpoint_text = (
        job_text.lstrip("0") or "0",
        None if checkpoint_text is None else checkpoint_text.lstrip("0") or "0",
    )
    if len(job_text) > 19 or int(job_text) > MAX_JOB_ID:
        raise ValueError("the job id in the path is out of range")
    if checkpoint_text is None:
        return int(job_text), None
    if len(checkpoint_text) > 10 or int(checkpoint_text) > MAX_CHECKPOINT_ID:
        raise ValueError("the checkpoint id in the path is out of range")
    return int(job_text), int(checkpoint_text)


def save(
    db: Database,
    job_id: int,
    worker_id: str,
    checkpoint_id: int,
    kind: str,
    state: dict,
    trigger_ms: int | None = None,
) -> None:
    """Store one checkpoint atomically with the job's reference to it, then prune old ones.

    `trigger_ms` (when the runner began the checkpoint) gives /jobs/checkpoints its durations.
    """
    created = now_ms()
    reference = {"checkpointId": str(checkpoint_id), "kind": kind, "time": format_ms(created)}
    if kind == "savepoint":
        reference["savepointPath"] = savepoint_path(job_id, checkpoint_id)

    def store(session: Session) -> None:
        updated = session.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.owner == worker_id)
            # from now on the latest checkpoint, not a requested savepoint, is where to resume
            .values(
                last_checkpoint=orjson.dumps(reference).decode(),
                heartbeat_ms=db_now_ms(),
                restore_checkpoint_id=None,
            )
            .execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:
            raise NotOwner(f"job {job_id} is no longer owned by {worker_id}")
        session.add(
            Checkpoint(
                job_id=job_id,
                checkpoint_id=checkpoint_id,
                kind=kind,
                created_ms=created,
                state=orjson.dumps(state).decode(),
                trigger_ms=trigger_ms,
            )
        )
        session.flush()
        keep = (
            sa.select(Checkpoint.id)
            .where(Checkpoint.job_id == job_id, Checkpoint.kind == "checkpoint")
            .order_by(Checkpoint.checkpoint_id.desc())
            .limit(KEEP_CHECKPOINTS)
        )
        session.execute(
            sa.delete(Checkpoint).where(
                Checkpoint.job_id == job_id,
                Checkpoint.kind == "checkpoint",
                Checkpoint.id.not_in(keep),
            )
        )

    db.transact(store)


def load(db: Database, job_id: int, checkpoint_id: int | None = None) -> dict | None:
    """The latest stored state of a job (or the one with `checkpoint_id`), None when there is none."""
    query = sa.select(Checkpoint.state).where(Checkpoint.job_id == job_id)
    if checkpoint_id is not None:
        query = query.where(Checkpoint.checkpoint_id == checkpoint_id)
    query = query.order_by(Checkpoint.checkpoint_id.desc(), Checkpoint.id.desc()).limit(1)
    with db.read() as conn:
        text = conn.execute(query).scalar()
    return orjson.loads(text) if text else None


def exists(db: Database, job_id: int, checkpoint_id: int | None = None) -> bool:
    """Whether a job has stored state (a given checkpoint, or any)."""
    query = sa.select(Checkpoint.id).where(Checkpoint.job_id == job_id)
    if checkpoint_id is not None:
        query = query.where(Checkpoint.checkpoint_id == checkpoint_id)
    with db.read() as conn:
        return conn.execute(query.limit(1)).first() is not None
