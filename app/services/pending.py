"""Why each PENDING job waits (SeaTunnel 2.3.13 `/pending-jobs`), measured from our queue (the
jobs table) and the live nodes' slots.

A job of ours takes one slot for all its pipelines, so each pending job shows one lacking task
group (pipeline 1, task group 1): the slot it waits for. Its reason is, in SeaTunnel's words:
- RESOURCE_NOT_ENOUGH "No live node matches tag_filter ...", when no live node carries its tags;
- RESOURCE_NOT_ENOUGH "All N slots of the matching nodes are busy", when they are all running jobs
  (the jobs running there are its `blockingJobIds`);
- WAITING_SLOT_ASSIGNMENT "Waiting for a free slot to claim the job", when a slot is free (an
  executor claims it within its poll interval).
`checkCount` is 0: our executors do not count their claim attempts per job.
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from app.models import Job, JobStatus
from app.models.db import Database
from app.services import resources
from app.timefmt import now_ms

WAITING = "WAITING_SLOT_ASSIGNMENT"
NOT_ENOUGH = "RESOURCE_NOT_ENOUGH"


def _reason(job_tags: dict, nodes: list[resources.NodeResources]) -> tuple[str, str, list[int]]:
    matching = [n for n in nodes if n.matches(job_tags)]
    if not matching:
        wanted = orjson.dumps(job_tags).decode() if job_tags else "{}"
        return NOT_ENOUGH, f"No live node matches tag_filter {wanted}", []
    blocking = sorted(j for n in matching for j in n.running_job_ids)
    total = sum(n.total_slots for n in matching)
    if not any(n.free_slots for n in matching):
        return NOT_ENOUGH, f"All {total} slots of the matching nodes are busy", blocking
    return WAITING, "Waiting for a free slot to claim the job", blocking


def pending_jobs(
    db: Database, worker_tags: dict[str, str], job_id: int | None = None, limit: int = 0
) -> dict:
    """SeaTunnel's PendingJobsResponse: queueSummary, clusterSnapshot, pendingJobs (oldest first).

    `worker_tags` filters the nodes of the cluster snapshot (SeaTunnel passes the remaining query
    parameters as a tag filter); `limit` > 0 caps the listed jobs, not the summary.
    """
    now = now_ms()
    nodes = resources.live_nodes(db)
    query = (
        sa.select(Job.id, Job.name, Job.create_ms, Job.tag_filter, Job.start_with_savepoint)
        .where(Job.status == JobStatus.PENDING.value)
        .order_by(Job.create_ms, Job.id)
    )
    with db.read() as conn:
        summary_row = conn.execute(
            sa.select(
                sa.func.count(), sa.func.min(Job.create_ms), sa.func.max(Job.create_ms)
            ).where(Job.status == JobStatus.PENDING.value)
        ).one()
        if job_id is not None:
            query = query.where(Job.id == job_id)
        if limit > 0:
            query = query.limit(limit)
        rows = conn.execute(query).all()
    size = int(summary_row[0] or 0)
    jobs = []
    for row in rows:
        tags = orjson.loads(row.tag_filter) if row.tag_filter else {}
        tags = {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}
        reason, message, blocking = _reason(tags, nodes)
        task = {
            "taskGroupLocation": {"jobId": row.id, "pipelineId": 1, "taskGroupId": 1},
            "taskFullName": f"Job {row.name} ({row.id}), slot request",
            "allocated": False,
            "failureReason": reason,
            "failureMessage": message,
        }
        jobs.append(
            {
                "jobId": row.id,
                "jobName": row.name,
                "pendingSourceState": "RESTORE" if row.start_with_savepoint else "NORMAL",
                "jobStatus": JobStatus.PENDING.value,
                "enqueueTimestamp": row.create_ms,
                "checkTime": now,
                "waitDurationMs": max(now - row.create_ms, 0),
                "checkCount": 0,
                "totalTaskGroups": 1,
                "allocatedTaskGroups": 0,
                "lackingTaskGroups": 1,
                "failureReason": reason,
                "failureMessage": message,
                "tagFilter": tags,
                "blockingJobIds": blocking,
                "pipelines": [
                    {
                        "pipelineId": 1,
                        "pipelineName": f"Job {row.name} ({row.id})",
                        "totalTaskGroups": 1,
                        "allocatedTaskGroups": 0,
                        "lackingTaskGroups": 1,
                        "taskGroupDiagnostics": [task],
                    }
                ],
                "lackingTaskGroupDiagnostics": [task],
            }
        )
    chosen = [n for n in nodes if n.matches(worker_tags)]
    total = sum(n.total_slots for n in chosen)
    free = sum(n.free_slots for n in chosen)
    return {
        "queueSummary": {
            "size": size,
            "scheduleStrategy": "WAIT",
            "oldestEnqueueTimestamp": int(summary_row[1] or 0),
            "newestEnqueueTimestamp": int(summary_row[2] or 0),
            "lackingTaskGroups": size,
        },
        "clusterSnapshot": {
            "totalSlots": total,
            "freeSlots": free,
            "assignedSlots": total - free,
            "workerCount": len(chosen),
            "workers": [n.to_json() for n in nodes],
        },
        "pendingJobs": jobs,
    }


_TIMESTAMPS = {"oldestEnqueueTimestamp", "newestEnqueueTimestamp", "enqueueTimestamp", "checkTime"}


def prettify(document: object) -> object:
    """`pretty=true`: the four timestamp fields as `yyyy-MM-dd HH:mm:ss` (as SeaTunnel does)."""
    from app.timefmt import format_ms

    if isinstance(document, dict):
        return {
            k: format_ms(v) if k in _TIMESTAMPS and isinstance(v, int) else prettify(v)
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [prettify(v) for v in document]
    return document
