"""Render job rows into SeaTunnel's job objects (API.md): stored JSON documents are spliced in as-is."""

from __future__ import annotations

from typing import Any

import orjson

from app.timefmt import format_ms

_EMPTY_METRICS: bytes | None = None


def empty_metrics() -> bytes:
    """The metrics object of a job that has not produced any yet ("0", "0.0", empty maps)."""
    global _EMPTY_METRICS
    if _EMPTY_METRICS is None:
        from app.engine import JobMetrics

        _EMPTY_METRICS = orjson.dumps(JobMetrics.empty_rest())
    return _EMPTY_METRICS


def _fragment(text: str | bytes | None, default: bytes = b"{}") -> orjson.Fragment:
    return orjson.Fragment(text if text else default)


def _checkpoint_keys(obj: dict, last_checkpoint: str | None, status: str) -> dict:
    """Our additions after SeaTunnel's keys: the latest checkpoint, and the savepoint reference
    of a job stopped with a savepoint (top-level `savepointPath`, where the cookbook reads it)."""
    if last_checkpoint:
        reference = orjson.loads(last_checkpoint)
        obj["latestCheckpoint"] = reference
        if status == "SAVEPOINT_DONE" and reference.get("savepointPath"):
            obj["savepointPath"] = reference["savepointPath"]
    return obj


def running_job(row: Any) -> dict:
    """The running job object: jobId, jobName, jobStatus, envOptions, createTime, jobDag, ..."""
    obj = {
        "jobId": str(row.id),
        "jobName": row.name,
        "jobStatus": row.status,
        "envOptions": _fragment(row.env_options),
        "createTime": format_ms(row.create_ms),
        "jobDag": _fragment(row.dag),
        "pluginJarsUrls": [],
        "isStartWithSavePoint": bool(row.start_with_savepoint),
        "metrics": _fragment(row.metrics, empty_metrics()),
    }
    return _checkpoint_keys(obj, row.last_checkpoint, row.status)


def finished_job(
    row: Any, *, status: str, finish_ms: int, error_msg: str | None, metrics: str | None
) -> bytes:
    """The finished job object, rendered once when the job ends and stored in `jobs.info`."""
    finish_time = format_ms(finish_ms)
    obj = {
        "jobId": str(row.id),
        "jobName": row.name,
        "jobStatus": status,
        "errorMsg": error_msg,
        "createTime": format_ms(row.create_ms),
        "finishTime": finish_time,
        "finishedTime": finish_time,  # the docs' spelling, same value
        "jobDag": _fragment(row.dag),
        "pluginJarsUrls": [],
        "metrics": _fragment(metrics, empty_metrics()),
    }
    return orjson.dumps(_checkpoint_keys(obj, row.last_checkpoint, status))


def job_object(row: Any) -> bytes:
    """job-info's body for any stored job."""
    if row.info:
        return row.info.encode() if isinstance(row.info, str) else row.info
    return orjson.dumps(running_job(row))


def json_array(items: list[bytes]) -> bytes:
    """Join pre-serialized JSON objects into an array without parsing them again."""
    return b"[" + b",".join(items) + b"]"
