"""Realtime observability, read side: a job's realtime points summed into buckets and rendered
as SeaTunnel 3.0's `/metrics/realtime` answers (RealtimeMetricsService's keys); any process
answers from the database. Settings and the write side are in realtime.py."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from app.errors import NotFound
from app.models import RUNNING_STATUSES, Job, RealtimePoint
from app.models.db import Database
from app.services.realtime import JobSettings, flat_env
from app.timefmt import now_ms

DEFAULT_WINDOW_MS = 3 * 60_000
MAX_WINDOW_MS = 10 * 60_000


def _buckets(rows: list, bucket_ms: int, from_ms: int) -> list[tuple[int, dict]]:
    """Points summed into (bucket start, {"vertices", "edges"}) from `from_ms` on, oldest first."""
    buckets: dict[int, dict] = {}
    for row in rows:
        start = row.point_ms // bucket_ms * bucket_ms
        if start < from_ms:
            continue
        into = buckets.setdefault(start, {"vertices": {}, "edges": {}})
        data = orjson.loads(row.data)
        for kind in ("vertices", "edges"):
            for key, values in data.get(kind, {}).items():
                acc = into[kind].setdefault(key, {})
                for name, value in values.items():
                    if name == "subtaskCount":
                        acc[name] = max(acc.get(name, 0), value)
                    else:
                        acc[name] = acc.get(name, 0) + value
    return sorted(buckets.items())


def _ratio(numerator: int, denominator: int) -> float:
    if denominator <= 0 or numerator <= 0:
        return 0.0
    return min(1.0, numerator / denominator)


def _per_record(ns: int, records: int) -> float:
    return ns / records if records > 0 else 0.0


def _vertex_point(ts: int, bucket_ms: int, v: dict) -> dict:
    """SeaTunnel's vertex point (RealtimeMetricsService.vertexPoint), plus sourceRecordsOut."""
    subtasks = v.get("subtaskCount", 0)
    denominator = bucket_ms * 1_000_000 * max(1, subtasks)
    get = v.get
    return {
        "ts": ts,
        "subtaskCount": subtasks,
        "sourceReadNs": get("sourceReadNs", 0),
        "sourceIdleNs": get("sourceIdleNs", 0),
        "sourceReadRatio": _ratio(get("sourceReadNs", 0), denominator),
        "sourceIdleRatio": _ratio(get("sourceIdleNs", 0), denominator),
        "sourceRecordsOut": get("sourceRecordsOut", 0),
        "transformProcessNs": get("transformProcessNs", 0),
        "transformRecordsIn": get("transformRecordsIn", 0),
        "transformRecordsOut": get("transformRecordsOut", 0),
        "transformBusyRatio": _ratio(get("transformProcessNs", 0), denominator),
        "transformProcessNsPerRecord": _per_record(
            get("transformProcessNs", 0), get("transformRecordsIn", 0)
        ),
        "sinkWriteNs": get("sinkWriteNs", 0),
        "sinkRecordsIn": get("sinkRecordsIn", 0),
        "sinkPrepareCommitNs": get("sinkPrepareCommitNs", 0),
        "sinkCommitNs": get("sinkCommitNs", 0),
        "sinkAbortNs": get("sinkAbortNs", 0),
        "sinkBusyRatio": _ratio(get("sinkWriteNs", 0), denominator),
        "sinkWriteNsPerRecord": _per_record(get("sinkWriteNs", 0), get("sinkRecordsIn", 0)),
    }


def _edge_point(ts: int, bucket_ms: int, e: dict) -> dict:
    """SeaTunnel's edge point: no queue between our operators, so size and capacity are 0."""
    subtasks = e.get("subtaskCount", 0)
    blocked = e.get("emitBlockedNs", 0)
    return {
        "ts": ts,
        "emitBlockedNs": blocked,
        "subtaskCount": subtasks,
        "bpRatio": _ratio(blocked, bucket_ms * 1_000_000 * subtasks) if subtasks else 0.0,
        "queueCapacity": 0,
        "queueSize": 0,
        "queueFillRatio": 0.0,
    }


def _window(db: Database, job_id: int, window_ms: int) -> tuple[JobSettings, int, int, list]:
    """The job's settings, the window [from, to] and the points in it; NotFound if no such job."""
    with db.read() as conn:
        job = conn.execute(sa.select(Job.env_options).where(Job.id == job_id)).first()
        if job is None:
            raise NotFound(f"Job {job_id} not found.")
        settings = JobSettings.from_env(flat_env(job.env_options))
        to_ms = now_ms()
        from_ms = max(0, to_ms - min(max(0, window_ms), settings.retention_ms))
        rows = conn.execute(
            sa.select(RealtimePoint.point_ms, RealtimePoint.data)
            .where(
                RealtimePoint.job_id == job_id,
                RealtimePoint.point_ms >= from_ms // settings.bucket_ms * settings.bucket_ms,
            )
            .order_by(RealtimePoint.point_ms, RealtimePoint.id)
        ).all()
    return settings, from_ms, to_ms, rows


def vertices(db: Database, job_id: int, window_ms: int) -> dict:
    """`{enabled, bucketMs, fromMs, toMs, vertices[{vertexId, points[...]}]}`, ids ascending."""
    settings, from_ms, to_ms, rows = _window(db, job_id, window_ms)
    series: dict[int, list[dict]] = {}
    for start, bucket in _buckets(rows, settings.bucket_ms, from_ms):
        for vid, values in bucket["vertices"].items():
            series.setdefault(int(vid), []).append(_vertex_point(start, settings.bucket_ms, values))
    return {
        "enabled": settings.enabled,
        "bucketMs": settings.bucket_ms,
        "fromMs": from_ms,
        "toMs": to_ms,
        "vertices": [{"vertexId": v, "points": series[v]} for v in sorted(series)],
    }


def edges(db: Database, job_id: int, window_ms: int) -> dict:
    """`{enabled, bucketMs, fromMs, toMs, edges[{queueId, inputVertexId, targetVertexId,
    points[...]}]}`: one per jobDag pipeline edge; queueId is the target's id (SeaTunnel reads a
    non-negative queue id as its target vertex)."""
    settings, from_ms, to_ms, rows = _window(db, job_id, window_ms)
    series: dict[tuple[int, int], list[dict]] = {}
    for start, bucket in _buckets(rows, settings.bucket_ms, from_ms):
        for key, values in bucket["edges"].items():
            upstream, downstream = (int(part) for part in key.split("->"))
            series.setdefault((downstream, upstream), []).append(
                _edge_point(start, settings.bucket_ms, values)
            )
    return {
        "enabled": settings.enabled,
        "bucketMs": settings.bucket_ms,
        "fromMs": from_ms,
        "toMs": to_ms,
        "edges": [
            {
                "queueId": target,
                "inputVertexId": source,
                "targetVertexId": target,
                "points": series[(target, source)],
            }
            for target, source in sorted(series)
        ],
    }


def jobs(db: Database, poll_interval_ms: int) -> dict:
    """`{jobs[{jobId, enabled, bucketMs, retentionMinutes, latestBucketStartMs}], collector}`
    for every running job, ids ascending (SeaTunnel lists the running jobs it collects)."""
    with db.read() as conn:
        latest = (
            sa.select(RealtimePoint.job_id, sa.func.max(RealtimePoint.point_ms).label("latest"))
            .group_by(RealtimePoint.job_id)
            .subquery()
        )
        rows = conn.execute(
            sa.select(Job.id, Job.env_options, latest.c.latest)
            .outerjoin(latest, latest.c.job_id == Job.id)
            .where(Job.status.in_(RUNNING_STATUSES), Job.owner.is_not(None))
            .order_by(Job.id)
        ).all()
    out = []
    newest = -1
    for row in rows:
        settings = JobSettings.from_env(flat_env(row.env_options))
        start = -1 if row.latest is None else row.latest // settings.bucket_ms * settings.bucket_ms
        newest = max(newest, row.latest if row.latest is not None else -1)
        out.append(
            {
                "jobId": row.id,
                "enabled": settings.enabled,
                "bucketMs": settings.bucket_ms,
                "retentionMinutes": settings.retention_minutes,
                "latestBucketStartMs": start,
            }
        )
    collector = {
        "pollIntervalMs": poll_interval_ms,
        "lastCollectEndMs": newest,
        "collectFailureCount": 0,
    }
    return {"jobs": out, "collector": collector}
