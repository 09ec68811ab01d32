"""Realtime observability (SeaTunnel 3.0 `/metrics/realtime/*`): busyness of each jobDag vertex
and back-pressure of each edge of running jobs, in time buckets.

Write side: with each metric sample of a running job (worker.metric-sample-interval-ms), the
owning worker stores the difference of the runner's cumulative counters (engine/realtime.py)
since its previous sample as one `realtime_points` row, in the samples' transaction, and prunes
the job's rows older than its retention. Read side: any process sums the points of a window
into buckets of the job's `bucketMs` (a point belongs to the bucket its time falls in, as
SeaTunnel adds each poll's delta to the bucket of its time) and renders SeaTunnel's points.

Per job, from env as in SeaTunnel's ObservabilityConfig: `engine.observability.enabled`
(default true here: measuring costs nothing worth saving; SeaTunnel's default is false),
`engine.observability.bucket_ms` (default 5000, at least 1000), `.retention_minutes`
(default 3, 1..10).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.engine.realtime import VERTEX_FIELDS
from app.errors import NotFound
from app.models import RUNNING_STATUSES, Job, RealtimePoint
from app.models.db import Database
from app.timefmt import now_ms

DEFAULT_WINDOW_MS = 3 * 60_000
MAX_WINDOW_MS = 10 * 60_000
DEFAULT_BUCKET_MS = 5000
MIN_BUCKET_MS = 1000
DEFAULT_RETENTION_MINUTES = 3
MAX_RETENTION_MINUTES = 10
_PREFIX = "engine.observability."


@dataclass(frozen=True)
class JobSettings:
    """A job's realtime settings, read from its env."""

    enabled: bool = True
    bucket_ms: int = DEFAULT_BUCKET_MS
    retention_minutes: int = DEFAULT_RETENTION_MINUTES

    @classmethod
    def from_env(cls, env: dict) -> JobSettings:
        """SeaTunnel's parsing: unparsable numbers fall back to the default, then clamp."""
        enabled = env.get(_PREFIX + "enabled")
        return cls(
            enabled=True if enabled is None else str(enabled).strip().lower() == "true",
            bucket_ms=max(MIN_BUCKET_MS, _long(env.get(_PREFIX + "bucket_ms"), DEFAULT_BUCKET_MS)),
            retention_minutes=min(
                MAX_RETENTION_MINUTES,
                max(1, _long(env.get(_PREFIX + "retention_minutes"), DEFAULT_RETENTION_MINUTES)),
            ),
        )

    @property
    def retention_ms(self) -> int:
        """How long points are kept."""
        return self.retention_minutes * 60_000


def _long(value: object, default: int) -> int:
    try:
        return int(str(value).strip()) if value is not None else default
    except ValueError:
        return default


def _flat_env(text: str | None) -> dict:
    """The job's env_options column, with nested `engine { observability {...} }` flattened."""
    env = orjson.loads(text) if text else {}
    flat: dict = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}{key}.", inner)
        else:
            flat[prefix[:-1]] = value

    walk("", env)
    return flat


class Tracker:
    """The owning worker's memory of each job's last cumulative counters: the next point is the
    difference. A job that ends is forgotten by `retain`."""

    def __init__(self) -> None:
        self._last: dict[int, dict] = {}

    def point(self, job_id: int, totals: dict) -> dict:
        """The change since the previous call for this job (all of it the first time)."""
        last = self._last.get(job_id, {"vertices": {}, "edges": {}})
        self._last[job_id] = totals
        vertices = {}
        for vid, row in totals["vertices"].items():
            before = last["vertices"].get(vid, {})
            delta = {k: max(0, row[k] - before.get(k, 0)) for k in VERTEX_FIELDS}
            vertices[vid] = {"subtaskCount": row["subtaskCount"], **delta}
        edges = {}
        for key, row in totals["edges"].items():
            before = last["edges"].get(key, {})
            blocked = max(0, row["emitBlockedNs"] - before.get("emitBlockedNs", 0))
            edges[key] = {"subtaskCount": row["subtaskCount"], "emitBlockedNs": blocked}
        return {"vertices": vertices, "edges": edges}

    def retain(self, job_ids: set[int]) -> None:
        """Forget jobs that no longer run here."""
        for job_id in set(self._last) - job_ids:
            del self._last[job_id]


def insert(session: Session, worker_id: str, points: dict[int, dict], now: int) -> None:
    """Store one point per job in the caller's transaction (only for jobs `worker_id` still
    owns and that have realtime metrics enabled), and prune each job's points past retention."""
    if not points:
        return
    rows = session.execute(
        sa.select(Job.id, Job.env_options).where(Job.id.in_(points), Job.owner == worker_id)
    ).all()
    values, prunes = [], []
    for row in rows:
        settings = JobSettings.from_env(_flat_env(row.env_options))
        prunes.append({"p_job_id": row.id, "p_cutoff": now - settings.retention_ms})
        if settings.enabled:
            data = orjson.dumps(points[row.id]).decode()
            values.append({"job_id": row.id, "point_ms": now, "data": data})
    if values:
        session.execute(sa.insert(RealtimePoint), values)
    if prunes:
        table = RealtimePoint.__table__
        session.execute(
            table.delete().where(
                table.c.job_id == sa.bindparam("p_job_id"),
                table.c.point_ms < sa.bindparam("p_cutoff"),
            ),
            prunes,
        )


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
        settings = JobSettings.from_env(_flat_env(job.env_options))
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
        settings = JobSettings.from_env(_flat_env(row.env_options))
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
