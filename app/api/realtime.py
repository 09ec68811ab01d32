"""Realtime observability (SeaTunnel 3.0): `/metrics/realtime[/jobs]` and
`/metrics/realtime/jobs/{jobId}/vertices|edges?windowMs`, from the realtime points every
process can read (services/realtime_views.py)."""

from __future__ import annotations

from flask import Blueprint, Response, request
from marshmallow import ValidationError

from app.api.common import json_response, state
from app.errors import ApiError, BadRequest
from app.schemas import load
from app.schemas.fields import parse_java_long
from app.schemas.observe import RealtimeWindowQuery
from app.services import realtime_views as realtime

bp = Blueprint("realtime", __name__)

_window = RealtimeWindowQuery()


def _enabled() -> None:
    if not state().settings.realtime_metrics_enabled:
        raise ApiError("Realtime metrics disabled", 503)


def _job_id(raw: str) -> int:
    try:
        return parse_java_long(raw)
    except ValidationError as exc:
        raise BadRequest("Invalid jobId") from exc


def _window_ms() -> int:
    """windowMs: default 3 minutes, clamped to 10 (SeaTunnel); not a number or negative: 400."""
    value = load(_window, request.args.to_dict())["windowMs"]
    if value is None:
        return realtime.DEFAULT_WINDOW_MS
    if value < 0:
        raise BadRequest("windowMs must not be negative")
    return min(value, realtime.MAX_WINDOW_MS)


@bp.get("/metrics/realtime", strict_slashes=False)
@bp.get("/metrics/realtime/jobs", strict_slashes=False)
def realtime_jobs() -> Response:
    """The running jobs whose busyness is collected, and the collector.
    ---
    get:
      tags: [realtime]
      summary: Realtime observability of running jobs (SeaTunnel 3.0)
      responses:
        200:
          description: '{"jobs": [{jobId, enabled, bucketMs, retentionMinutes,
            latestBucketStartMs}], "collector": {pollIntervalMs, lastCollectEndMs,
            collectFailureCount}}'
        503: {description: '{"status": "fail", "message": "Realtime metrics disabled"}'}
    """
    _enabled()
    settings = state().settings
    return json_response(realtime.jobs(state().db, settings.metric_sample_interval_ms))


@bp.get("/metrics/realtime/jobs/<raw>/vertices")
def realtime_vertices(raw: str) -> Response:
    """Busyness of each jobDag vertex of a job, per time bucket.
    ---
    get:
      tags: [realtime]
      summary: Vertex busyness of a job (SeaTunnel 3.0)
      parameters:
        - {name: windowMs, in: query, required: false, description: 'default 180000, at most 600000', schema: {type: integer, minimum: 0}}
      responses:
        200:
          description: '{"enabled", "bucketMs", "fromMs", "toMs", "vertices": [{vertexId,
            points[{ts, subtaskCount, sourceReadNs, sourceIdleNs, sourceReadRatio,
            sourceIdleRatio, sourceRecordsOut, transformProcessNs, transformRecordsIn,
            transformRecordsOut, transformBusyRatio, transformProcessNsPerRecord, sinkWriteNs,
            sinkRecordsIn, sinkPrepareCommitNs, sinkCommitNs, sinkAbortNs, sinkBusyRatio,
            sinkWriteNsPerRecord}]}]}'
        400: {description: bad job id or windowMs}
        404: {description: unknown job}
        503: {description: realtime metrics disabled}
    """
    _enabled()
    job_id, window_ms = _job_id(raw), _window_ms()
    return json_response(realtime.vertices(state().db, job_id, window_ms))


@bp.get("/metrics/realtime/jobs/<raw>/edges")
def realtime_edges(raw: str) -> Response:
    """Back-pressure of each jobDag edge of a job, per time bucket.
    ---
    get:
      tags: [realtime]
      summary: Edge back-pressure of a job (SeaTunnel 3.0)
      description: Batches are handed downstream synchronously (no queue), so queueSize,
        queueCapacity and queueFillRatio are 0 and back-pressure shows as bpRatio, the share of
        the bucket the upstream spent waiting for the downstream.
      parameters:
        - {name: windowMs, in: query, required: false, description: 'default 180000, at most 600000', schema: {type: integer, minimum: 0}}
      responses:
        200:
          description: '{"enabled", "bucketMs", "fromMs", "toMs", "edges": [{queueId,
            inputVertexId, targetVertexId, points[{ts, emitBlockedNs, subtaskCount, bpRatio,
            queueCapacity, queueSize, queueFillRatio}]}]}'
        400: {description: bad job id or windowMs}
        404: {description: unknown job}
        503: {description: realtime metrics disabled}
    """
    _enabled()
    job_id, window_ms = _job_id(raw), _window_ms()
    return json_response(realtime.edges(state().db, job_id, window_ms))
