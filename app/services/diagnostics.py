"""job-info's `diagnostics` block (SeaTunnel 3.0, JobRuntimeDiagnostics): when the job entered
each state, and its pipelines while it runs.

From our jobs row: PENDING (stored), RUNNING (claimed by a slot) and the final status, in epoch
milliseconds. Our runner does not restart a pipeline on its own (a failed job fails; an orphaned
job is resumed whole from its checkpoint), so `restoreCount` and `maxRestoreCount` are 0.
"""

from __future__ import annotations

import re
import time

import orjson

from app.models import FINAL_STATUSES, RUNNING_STATUSES

_PIPELINE = re.compile(rb'"vertexName":"pipeline-(\d+) ')


def build(
    job_id: int,
    status: str,
    dag: str | bytes | None,
    create_ms: int,
    start_ms: int | None,
    finish_ms: int | None,
) -> dict:
    """`{jobId, generatedAt, stateTimestamps, pipelines, totalPipelineRestoreCount}`."""
    stamps: dict[str, int] = {"PENDING": create_ms}
    if start_ms is not None:
        stamps["RUNNING"] = start_ms
    if status in FINAL_STATUSES and finish_ms is not None:
        stamps[status] = finish_ms
    pipelines = []
    if status in RUNNING_STATUSES and start_ms is not None:
        text = dag.encode() if isinstance(dag, str) else dag or b""
        for pipeline_id in sorted({int(m) for m in _PIPELINE.findall(text)} or {1}):
            pipelines.append(
                {
                    "pipelineId": pipeline_id,
                    "pipelineStatus": status,
                    "restoreCount": 0,
                    "maxRestoreCount": 0,
                    "stateTimestamps": {"RUNNING": start_ms},
                }
            )
    return {
        "jobId": str(job_id),
        "generatedAt": int(time.time() * 1000),
        "stateTimestamps": stamps,
        "pipelines": pipelines,
        "totalPipelineRestoreCount": 0,
    }


def append(body: bytes, block: dict) -> bytes:
    """Splice `"diagnostics": block` at the end of a serialized job object."""
    return body[:-1] + b',"diagnostics":' + orjson.dumps(block) + b"}"
