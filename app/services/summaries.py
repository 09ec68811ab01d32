"""The light running-jobs list of SeaTunnel 3.0's UI (`/running-jobs/summary`): id, name,
status and create time only, paged in SQL like `/running-jobs`."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from app.models import RUNNING_STATUSES, Job
from app.models.db import Database
from app.services import counts
from app.services.jobs import Page
from app.timefmt import format_ms


def running_summary(db: Database, page: Page | None = None) -> bytes:
    """`[{jobId, jobName, jobStatus, createTime}]` oldest first, or `{data, total}` when paged."""
    query = (
        sa.select(Job.id, Job.name, Job.status, Job.create_ms)
        .where(Job.status.in_(RUNNING_STATUSES))
        .order_by(Job.create_ms, Job.id)
    )
    total = None
    if page is not None:
        total = sum(counts.job_counts(db).get(s, 0) for s in RUNNING_STATUSES)
        page.check(total)
        query = query.limit(page.rows).offset((page.page - 1) * page.rows)
    with db.read() as conn:
        rows = conn.execute(query).all()
    items = [
        {
            "jobId": str(row.id),
            "jobName": row.name,
            "jobStatus": row.status,
            "createTime": format_ms(row.create_ms),
        }
        for row in rows
    ]
    if page is None:
        return orjson.dumps(items)
    return orjson.dumps({"data": items, "total": total})
