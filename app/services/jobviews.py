"""What the console reads and does beyond SeaTunnel's endpoints: a filtered job list, a job's
checkpoints, its config with secrets masked, its log from an offset, and restoring it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from app.errors import BadRequest, Conflict, NotFound
from app.ids import IdGenerator
from app.models import FINAL_STATUSES, RUNNING_STATUSES, Checkpoint, Job, JobStatus
from app.models.db import Database
from app.services import checkpoints, jobs, shade
from app.timefmt import format_ms

MASK = "******"
LOG_CHUNK_BYTES = 256 * 1024
STATE_GROUPS = {"running": RUNNING_STATUSES, "finished": FINAL_STATUSES}


@dataclass(frozen=True)
class JobFilter:
    """Which jobs a listing shows: a status, 'running' or 'finished' (None: all) and a name part."""

    state: str | None = None
    name: str | None = None
    page: int = 1
    rows: int = 20


def _statuses(state: str | None) -> tuple[str, ...] | None:
    if not state:
        return None
    lowered = state.strip().lower()
    if lowered in STATE_GROUPS:
        return STATE_GROUPS[lowered]
    upper = state.strip().upper()
    if upper in JobStatus.__members__:
        return (upper,)
    known = ", ".join(["running", "finished", *JobStatus.__members__])
    raise BadRequest(f"Unknown job state: {state}. Use one of {known}.")


def _counts(metrics: str | None) -> dict[str, str]:
    data = orjson.loads(metrics) if metrics else {}
    return {
        key: str(data.get(key, "0"))
        for key in ("SourceReceivedCount", "SinkWriteCount", "SourceReceivedQPS", "SinkWriteQPS")
    }


def list_jobs(db: Database, where: JobFilter) -> dict:
    """One page of jobs, newest first: {"data": [summary...], "total": n}."""
    if where.page < 1:
        raise BadRequest("Page number must be greater than 0")
    if not 1 <= where.rows <= 1000:
        raise BadRequest("Rows must be between 1 and 1000")
    conditions = []
    statuses = _statuses(where.state)
    if statuses is not None:
        conditions.append(Job.status.in_(statuses))
    if where.name:
        conditions.append(sa.func.lower(Job.name).contains(where.name.lower(), autoescape=True))
    query = sa.select(
        Job.id, Job.name, Job.status, Job.create_ms, Job.start_ms, Job.finish_ms, Job.metrics
    ).where(*conditions)
    with db.read() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(Job).where(*conditions)
        ).scalar_one()
        rows = conn.execute(
            query.order_by(Job.create_ms.desc(), Job.id.desc())
            .limit(where.rows)
            .offset((where.page - 1) * where.rows)
        ).all()
    data = [
        {
            "jobId": str(row.id),
            "jobName": row.name,
            "jobStatus": row.status,
            "createTime": format_ms(row.create_ms),
            "startTime": format_ms(row.start_ms),
            "finishTime": format_ms(row.finish_ms),
            "metrics": _counts(row.metrics),
        }
        for row in rows
    ]
    return {"data": data, "total": int(total)}


def _job(db: Database, job_id: int, *columns: Any) -> Any:
    with db.read() as conn:
        row = conn.execute(sa.select(*columns).where(Job.id == job_id)).first()
    if row is None:
        raise NotFound(f"Job {job_id} not found.")
    return row


def mask_config(value: Any, keys: tuple[str, ...]) -> Any:
    """`value` with the value of every option named in `keys`, at any depth, replaced by ******."""
    if isinstance(value, dict):
        return {
            k: (MASK if v not in (None, "") else v)
            if str(k).lower() in keys
            else mask_config(v, keys)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_config(v, keys) for v in value]
    return value


def masked_config(db: Database, job_id: int) -> dict:
    """The job's config as submitted, with every sensitive option (the shade's keys, plus any
    key named like a password, token or secret) masked, and any secret echoed elsewhere too."""
    row = _job(db, job_id, Job.config)
    config = orjson.loads(row.config)
    try:
        keys = tuple(k.lower() for k in shade.sensitive_keys(config))
        decoded = shade.decrypt_config(config)
    except BadRequest:
        keys, decoded = tuple(k.lower() for k in shade.SENSITIVE_KEYS), config
    keys = (*keys, "passwd", "secret", "credential", "private_key", "access_token")
    masked = mask_config(config, keys)
    text = shade.mask_secrets(orjson.dumps(masked).decode(), decoded)
    return {"jobId": str(job_id), "config": orjson.loads(text)}


def checkpoint_list(db: Database, job_id: int) -> dict:
    """A job's stored checkpoints and savepoints, newest first: id, kind, time, size in bytes."""
    _job(db, job_id, Job.id)
    with db.read() as conn:
        rows = conn.execute(
            sa.select(
                Checkpoint.checkpoint_id,
                Checkpoint.kind,
                Checkpoint.created_ms,
                sa.func.length(Checkpoint.state).label("size"),
            )
            .where(Checkpoint.job_id == job_id)
            .order_by(Checkpoint.created_ms.desc(), Checkpoint.id.desc())
        ).all()
    items = []
    for row in rows:
        item = {
            "checkpointId": str(row.checkpoint_id),
            "kind": row.kind,
            "time": format_ms(row.created_ms),
            "size": int(row.size or 0),
        }
        if row.kind == "savepoint":
            item["savepointPath"] = checkpoints.savepoint_path(job_id, row.checkpoint_id)
        items.append(item)
    return {"jobId": str(job_id), "checkpoints": items}


def restore_job(
    db: Database,
    ids: IdGenerator,
    job_id: int,
    checkpoint_id: int | None,
    wake: Callable[[], None] | None = None,
) -> jobs.Submitted:
    """Run an ended job again under its id with its stored config, from its latest checkpoint
    or from `checkpoint_id` (a savepoint or checkpoint it still has)."""
    row = _job(db, job_id, Job.config, Job.name, Job.status)
    if row.status not in FINAL_STATUSES:
        raise Conflict(f"Job {job_id} is {row.status}; only an ended job can be restored.")
    if checkpoint_id is not None and not checkpoints.exists(db, job_id, checkpoint_id):
        raise BadRequest(f"Checkpoint {checkpoint_id} of job {job_id} not found.")
    if checkpoint_id is None and not checkpoints.exists(db, job_id):
        raise BadRequest(f"Job {job_id} has no checkpoint to restore from.")
    config = orjson.loads(row.config)
    params = jobs.SubmitParams(job_id, row.name, True, checkpoint_id)
    env = config.get("env") if isinstance(config.get("env"), dict) else {}
    for key in ("savepoint.path", "restore.mode", "job.id"):  # the restore point is chosen here
        env.pop(key, None)
        head, _, tail = key.partition(".")
        if isinstance(env.get(head), dict):
            env[head].pop(tail, None)
    return jobs.submit_job(db, ids, config, params, wake=wake)


def job_log(log_dir: str, job_id: int, offset: int | None) -> dict:
    """This node's log of a job from byte `offset` (default: its last 256 KiB), at most 256 KiB.

    The console tails a running job by asking again from the returned `size`.
    """
    path = Path(log_dir) / f"job-{job_id}.log"
    if not path.is_file():
        raise NotFound(f"No log of job {job_id} on this node.")
    size = path.stat().st_size
    start = max(size - LOG_CHUNK_BYTES, 0) if offset is None else min(max(offset, 0), size)
    with path.open("rb") as handle:
        handle.seek(start)
        chunk = handle.read(LOG_CHUNK_BYTES)
    return {
        "jobId": str(job_id),
        "offset": start,
        "size": start + len(chunk),
        "text": chunk.decode("utf-8", errors="replace"),
    }
