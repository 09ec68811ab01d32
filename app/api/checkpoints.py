"""Checkpoint monitoring (SeaTunnel 2.3.13): `/jobs/checkpoints/:jobId` and
`/jobs/checkpoints/history/:jobId?pipelineId&limit&status`, from our checkpoints table."""

from __future__ import annotations

from flask import Blueprint, Response, request
from marshmallow import ValidationError

from app.api.common import json_response, state
from app.errors import BadRequest
from app.schemas import first_message, load
from app.schemas.fields import parse_java_long
from app.schemas.observe import CheckpointHistoryQuery
from app.services import checkpoint_stats

bp = Blueprint("checkpoints", __name__)

_history = CheckpointHistoryQuery()


def _job_id(raw: str) -> int:
    try:
        return parse_java_long(raw)
    except ValidationError as exc:
        raise BadRequest(first_message(exc.messages)) from exc


@bp.get("/jobs/checkpoints/history/<path:raw>")
def checkpoint_history(raw: str) -> Response:
    """A job's stored checkpoints, newest first.
    ---
    get:
      summary: Checkpoint history of a job
      parameters:
        - {name: pipelineId, in: query, required: false, schema: {type: integer}}
        - {name: limit, in: query, required: false, schema: {type: integer, default: 20}}
        - {name: status, in: query, required: false, schema: {type: string, enum: [COMPLETED, FAILED, CANCELED]}}
      responses:
        200:
          description: '[{"pipelineId": 1, "checkpoint": {checkpointId, checkpointType, status,
            triggerTimestamp, completedTimestamp, durationMillis?, stateSize}}]'
        400: {description: "bad job id, number or status"}
    """
    params = load(_history, request.args.to_dict())
    return json_response(
        checkpoint_stats.history(
            state().db, _job_id(raw), params["pipelineId"], params["limit"], params["status"]
        )
    )


@bp.get("/jobs/checkpoints/<path:raw>")
def checkpoint_overview(raw: str) -> Response:
    """Counts and latest checkpoints of a job, per pipeline.
    ---
    get:
      summary: Checkpoint overview of a job
      parameters:
      responses:
        200:
          description: '{"jobId": "...", "updatedAt", "pipelines": [{pipelineId, counts{triggered,
            completed, failed, inProgress, restored}, latestCompleted, latestFailed,
            latestSavepoint, inProgress[], history[]}]}; just {"jobId"} without checkpoints'
        400: {description: bad job id}
    """
    return json_response(checkpoint_stats.overview(state().db, _job_id(raw)))


@bp.get("/jobs/checkpoints", strict_slashes=False)
@bp.get("/jobs/checkpoints/history", strict_slashes=False)
def checkpoints_without_id() -> Response:
    """SeaTunnel answers a missing id with 400.
    ---
    get:
      summary: Missing job id
      responses:
        400: {description: '{"status": "fail", "message": "The jobId must not be empty."}'}
    """
    raise BadRequest("The jobId must not be empty.")
