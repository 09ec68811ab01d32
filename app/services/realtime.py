"""Realtime observability (SeaTunnel 3.0 `/metrics/realtime/*`): busyness of each jobDag vertex
and back-pressure of each edge of running jobs, in time buckets.

This module is the write side and the settings; realtime_views.py reads and renders.
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
from app.models import Job, RealtimePoint

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


def flat_env(text: str | None) -> dict:
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
        settings = JobSettings.from_env(flat_env(row.env_options))
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
