"""Our job endpoints beyond SeaTunnel's (the console uses them): a filtered job list, a job's
metric samples, checkpoints, masked config and log, and restoring an ended job."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from app.api.common import json_response, state
from app.api.jobs import _job_id
from app.errors import BadRequest
from app.schemas import load
from app.schemas.console import (
    JobListQuerySchema,
    LogQuerySchema,
    RestoreRequestSchema,
    SamplesQuerySchema,
)
from app.services import jobviews, samples

bp = Blueprint("jobviews", __name__)

_list_query = JobListQuerySchema()
_samples_query = SamplesQuerySchema()
_log_query = LogQuerySchema()
_restore = RestoreRequestSchema()


@bp.get("/job-list", strict_slashes=False)
def job_list() -> Response:
    """Jobs of any status, newest first, filtered by state and name, always paged.
    ---
    get:
      tags: [console]
      summary: Jobs, newest first, filtered and paged
      parameters:
      - in: query
        schema: JobListQuerySchema
      responses:
        200:
          description: One page of job summaries and the number of matching jobs.
          content:
            application/json:
              schema: JobListSchema
        400:
          $ref: '#/components/responses/BadRequest'
    """
    loaded = load(_list_query, request.args.to_dict())
    where = jobviews.JobFilter(loaded["state"], loaded["name"], loaded["page"], loaded["rows"])
    return json_response(jobviews.list_jobs(state().db, where))


@bp.get("/jobs/<raw>/metric-samples")
def metric_samples(raw: str) -> Response:
    """A job's metric samples (rows and bytes read and written over its life, with rates).
    ---
    get:
      tags: [console]
      summary: Metric samples of a job, oldest first
      description: >
        Taken every `worker.metric-sample-interval-ms` while the job runs, and once when it
        ends; kept as long as the job's history. Long jobs are thinned to about 720 samples.
      parameters:
      - in: query
        schema: SamplesQuerySchema
      responses:
        200:
          description: The samples.
          content:
            application/json:
              schema: MetricSamplesSchema
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
    """
    loaded = load(_samples_query, request.args.to_dict())
    return json_response(samples.job_samples(state().db, _job_id(raw), loaded["since"]))


@bp.get("/jobs/<raw>/checkpoints")
def checkpoint_list(raw: str) -> Response:
    """A job's stored checkpoints and savepoints.
    ---
    get:
      tags: [console]
      summary: Checkpoints and savepoints of a job, newest first
      responses:
        200:
          description: The checkpoints (id, kind, time, size in bytes).
          content:
            application/json:
              schema: CheckpointListSchema
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
    """
    return json_response(jobviews.checkpoint_list(state().db, _job_id(raw)))


@bp.get("/jobs/<raw>/config")
def job_config(raw: str) -> Response:
    """A job's config with every secret masked.
    ---
    get:
      tags: [console]
      summary: The job's config, secrets masked
      responses:
        200:
          description: The config as submitted (parsed), every sensitive option shown as ******.
          content:
            application/json:
              schema: JobConfigSchema
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
    """
    return json_response(jobviews.masked_config(state().db, _job_id(raw)))


@bp.get("/jobs/<raw>/log")
def job_log(raw: str) -> Response:
    """The job's log on this node from a byte offset (the console tails it).
    ---
    get:
      tags: [console]
      summary: The job's log on this node, from an offset
      parameters:
      - in: query
        schema: LogQuerySchema
      responses:
        200:
          description: Up to 256 KiB of the log; ask again from `size` to follow it.
          content:
            application/json:
              schema: JobLogSchema
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
    """
    loaded = load(_log_query, request.args.to_dict())
    job_id = _job_id(raw)
    return json_response(jobviews.job_log(state().settings.log_dir, job_id, loaded["offset"]))


@bp.post("/jobs/<raw>/restore")
def restore(raw: str) -> Response:
    """Run an ended job again from its latest checkpoint or a chosen savepoint.
    ---
    post:
      tags: [console]
      summary: Restore an ended job from a checkpoint or savepoint
      requestBody:
        required: false
        content:
          application/json:
            schema: RestoreRequestSchema
      responses:
        200:
          description: The job is PENDING again under the same id.
          content:
            application/json:
              schema: SubmitResponseSchema
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
        409:
          $ref: '#/components/responses/Conflict'
    """
    job_id = _job_id(raw)
    body = request.get_data(cache=True)
    payload: object = {}
    if body.strip():
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadRequest("Invalid JSON format in request body.") from exc
    if not isinstance(payload, dict):
        raise BadRequest("Invalid JSON format in request body: expected an object.")
    loaded = load(_restore, payload)
    app_state = state()
    submitted = jobviews.restore_job(
        app_state.db, app_state.ids, job_id, loaded["checkpointId"], wake=app_state.wake_executor
    )
    return json_response(submitted.to_json())
