"""Checkpoint monitoring (SeaTunnel 2.3.13 `/jobs/checkpoints/:jobId` and
`/jobs/checkpoints/history/:jobId`) from our checkpoints table.

A checkpoint of ours covers the whole job, every pipeline at once: each pipeline of the job's DAG
shows the same checkpoints. What the table cannot tell is said so, not invented:
- we store only completed checkpoints (a checkpoint that cannot be stored fails the job), so
  `failed` and `inProgress` are 0, `latestFailed` is `{}`;
- `triggered` and `completed` are the id of the newest stored checkpoint (ids count every
  checkpoint the job has taken, restores included); history lists what is kept (the last 3
  periodic checkpoints and every savepoint);
- `restored` is 1 when the job was started from stored state, else 0;
- `durationMillis` is given when the runner told the store when the checkpoint began.
"""

from __future__ import annotations

import re

import orjson
import sqlalchemy as sa

from app.errors import BadRequest
from app.models import Checkpoint, Job
from app.models.db import Database

DEFAULT_HISTORY_LIMIT = 20
STATUSES = ("COMPLETED", "FAILED", "CANCELED")
# our kinds -> SeaTunnel's CheckpointType.getName()
_TYPES = {"checkpoint": "checkpoint", "savepoint": "savepoint", "final": "completed-point"}
_PIPELINE = re.compile(r"^pipeline-(\d+) ")


def _info(row) -> dict:  # a Row of _COLUMNS
    info: dict = {
        "checkpointId": row.checkpoint_id,
        "checkpointType": _TYPES.get(row.kind, row.kind),
        "status": "COMPLETED",
        "triggerTimestamp": row.trigger_ms if row.trigger_ms is not None else row.created_ms,
        "completedTimestamp": row.created_ms,
    }
    if row.trigger_ms is not None:
        info["durationMillis"] = max(row.created_ms - row.trigger_ms, 0)
    info["stateSize"] = row.size
    return info


def _pipelines(dag_text: str | None) -> list[int]:
    dag = orjson.loads(dag_text) if dag_text else {}
    ids = set()
    for vertex in dag.get("vertexInfoMap") or []:
        match = _PIPELINE.match(str(vertex.get("vertexName", "")))
        if match:
            ids.add(int(match.group(1)))
    return sorted(ids) or [1]


_COLUMNS = (
    Checkpoint.checkpoint_id,
    Checkpoint.kind,
    Checkpoint.created_ms,
    Checkpoint.trigger_ms,
    sa.func.length(Checkpoint.state).label("size"),
)


def _job_and_rows(db: Database, job_id: int, limit: int | None) -> tuple:
    with db.read() as conn:
        job = conn.execute(
            sa.select(Job.dag, Job.start_with_savepoint).where(Job.id == job_id)
        ).first()
        if job is None:
            return None, []
        query = (
            sa.select(*_COLUMNS)
            .where(Checkpoint.job_id == job_id)
            .order_by(Checkpoint.checkpoint_id.desc(), Checkpoint.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        return job, conn.execute(query).all()


def overview(db: Database, job_id: int) -> dict:
    """`{jobId, updatedAt, pipelines[...]}`; just `{jobId}` for a job without checkpoints."""
    job, rows = _job_and_rows(db, job_id, None)
    result: dict = {"jobId": str(job_id)}
    if job is None or not rows:
        return result
    latest = rows[0]
    savepoint = next((r for r in rows if r.kind == "savepoint"), None)
    result["updatedAt"] = max(r.created_ms for r in rows)
    pipelines = []
    for pipeline_id in _pipelines(job.dag):
        pipelines.append(
            {
                "pipelineId": pipeline_id,
                "counts": {
                    "triggered": latest.checkpoint_id,
                    "completed": latest.checkpoint_id,
                    "failed": 0,
                    "inProgress": 0,
                    "restored": 1 if job.start_with_savepoint else 0,
                },
                "latestCompleted": _info(latest),
                "latestFailed": {},
                "latestSavepoint": _info(savepoint) if savepoint is not None else {},
                "inProgress": [],
                "history": [
                    {"pipelineId": pipeline_id, "checkpoint": _info(r)}
                    for r in rows[:DEFAULT_HISTORY_LIMIT]
                ],
            }
        )
    result["pipelines"] = pipelines
    return result


def history(
    db: Database,
    job_id: int,
    pipeline_id: int | None = None,
    limit: int = DEFAULT_HISTORY_LIMIT,
    status: str | None = None,
) -> list[dict]:
    """`[{pipelineId, checkpoint{...}}]`, newest first, at most `limit` per pipeline."""
    if status is not None:
        status = status.upper()
        if status not in STATUSES:
            raise BadRequest(
                "No enum constant org.apache.seatunnel.engine.core.checkpoint.CheckpointStatus."
                + status
            )
    if limit <= 0 or status in ("FAILED", "CANCELED"):
        return []
    job, rows = _job_and_rows(db, job_id, limit)
    if job is None:
        return []
    pipelines = _pipelines(job.dag)
    if pipeline_id is not None:
        pipelines = [p for p in pipelines if p == pipeline_id]
    return [{"pipelineId": p, "checkpoint": _info(r)} for p in pipelines for r in rows]
