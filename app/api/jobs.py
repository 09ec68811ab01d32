"""Job endpoints: submit (body, upload, batch), job-info, running-jobs, finished-jobs."""

from __future__ import annotations

from flask import Blueprint, Response, request
from marshmallow import ValidationError

from app.api import limits
from app.api.common import json_body, json_response, request_body, state
from app.errors import BadRequest
from app.schemas import first_message, load
from app.schemas.fields import parse_java_long
from app.schemas.jobs import BatchParamsSchema, PageSchema, SubmitParamsSchema
from app.services import jobs as job_service

bp = Blueprint("jobs", __name__)

_submit_params = SubmitParamsSchema()
_batch_params = BatchParamsSchema()
_page = PageSchema()


def _params(args: dict) -> job_service.SubmitParams:
    return _submit_params_of(load(_submit_params, args))


def _submit_params_of(loaded: dict) -> job_service.SubmitParams:
    # Built (and so checked) before the body is read, as SeaTunnel does.
    return job_service.SubmitParams(
        job_id=loaded["jobId"],
        job_name=loaded["jobName"],
        start_with_savepoint=loaded["isStartWithSavePoint"],
    )


def _submit(config: dict, params: job_service.SubmitParams) -> job_service.Submitted:
    app_state = state()
    return job_service.submit_job(
        app_state.db,
        app_state.ids,
        config,
        params,
        wake=app_state.wake_executor,
        limits=app_state.settings.limits,
    )


@bp.post("/submit-job")
def submit_job() -> Response:
    """Submit one job; the body is JSON or, with format=hocon / format=sql, HOCON / SeaTunnel SQL.
    ---
    post:
      tags: [jobs]
      summary: Submit a job (JSON, HOCON with format=hocon, SeaTunnel SQL with format=sql)
      description: >-
        Stores the job PENDING; a free slot of a node whose tags match env.tag_filter runs it.
        Resubmitting the id of a job that has not ended answers that job (a safe retry), unless
        it is a restore (isStartWithSavePoint=true) while the job is still saving its savepoint:
        that is a 409, submit again once it is SAVEPOINT_DONE. Job names are at most 512
        characters, without NUL.
      parameters:
      - in: query
        schema: SubmitParamsSchema
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              description: A SeaTunnel job config (env, source, transform, sink).
          text/plain:
            schema:
              type: string
              description: The config as JSON text, or HOCON with format=hocon.
      responses:
        200:
          description: The stored job.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/SubmitResponse'
        400:
          $ref: '#/components/responses/BadRequest'
        409:
          $ref: '#/components/responses/Conflict'
    """
    loaded = load(_submit_params, request.args.to_dict())
    params = _submit_params_of(loaded)
    config = job_service.parse_job_config(request_body(), loaded["format"], state().settings.limits)
    return json_response(_submit(config, params).to_json())


@bp.post("/submit-job/upload")
def submit_job_upload() -> Response:
    """Submit the multipart file `config_file`: .json as JSON, .sql as SeaTunnel SQL, else HOCON.

    Bounded by upload-max-request-size-mb and upload-max-file-size-mb (413 beyond them).
    ---
    post:
      tags: [jobs]
      summary: Submit a job from an uploaded file (.json as JSON, .sql as SeaTunnel SQL, else HOCON)
      parameters:
      - in: query
        schema: SubmitParamsSchema
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [config_file]
              properties:
                config_file:
                  type: string
                  format: binary
      responses:
        200:
          description: The stored job.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/SubmitResponse'
        400:
          $ref: '#/components/responses/BadRequest'
        409:
          $ref: '#/components/responses/Conflict'
        413:
          description: The upload exceeds upload-max-file-size-mb or upload-max-request-size-mb.
    """
    limits.apply_upload_request_limit()
    args = {**request.form.to_dict(), **request.args.to_dict()}
    params = _params(args)
    upload = request.files.get("config_file")
    if upload is None:
        raise BadRequest("Missing multipart file part 'config_file'.")
    limits.check_upload_file(upload)
    filename = (upload.filename or "").lower()
    fmt = "json" if filename.endswith(".json") else "sql" if filename.endswith(".sql") else "hocon"
    body = upload.read()
    if not body.strip():
        raise BadRequest("Request body is empty.")
    config = job_service.parse_job_config(body, fmt, state().settings.limits)
    return json_response(_submit(config, params).to_json())


@bp.post("/submit-jobs")
def submit_jobs() -> Response:
    """Submit an array of jobs, each with its `params`; all of them are stored, or none.
    ---
    post:
      tags: [jobs]
      summary: Submit several jobs at once (all or nothing)
      description: >-
        Every element is a job config with an optional `params` object (jobId, jobName,
        isStartWithSavePoint, as strings). Every check /submit-job makes (config, parameters,
        id conflicts, savepoints) runs for every element before any job is stored, in one
        transaction: a 400 or 409 stores none of them.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: array
              items:
                type: object
                description: A job config plus optional `params` (jobId, jobName, isStartWithSavePoint).
      responses:
        200:
          description: The stored jobs.
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/SubmitResponse'
        400:
          $ref: '#/components/responses/BadRequest'
        409:
          $ref: '#/components/responses/Conflict'
    """
    body = json_body()
    if not isinstance(body, list):
        raise BadRequest("Invalid JSON format in request body: expected an array of job configs.")
    batch: list[job_service.Prepared] = []
    for element in body:
        if not isinstance(element, dict):
            continue  # SeaTunnel skips elements that are not objects
        config = {k: v for k, v in element.items() if k != "params"}
        raw = element.get("params")
        if raw is not None and not isinstance(raw, dict):
            raise BadRequest("Invalid Params format in Params.")
        params = _params(load(_batch_params, raw) if raw is not None else {})
        batch.append(job_service.prepare_submission(config, params, state().settings.limits))
    app_state = state()
    submitted = job_service.submit_jobs(
        app_state.db, app_state.ids, batch, wake=app_state.wake_executor
    )
    return json_response([job.to_json() for job in submitted])


def _job_id(raw: str) -> int:
    try:
        return parse_java_long(raw)
    except ValidationError as exc:
        raise BadRequest(first_message(exc.messages)) from exc


@bp.get("/job-info/<path:raw>")
@bp.get("/running-job/<path:raw>")
def job_info(raw: str) -> Response:
    """One job, running or finished; `/running-job` is the deprecated alias.
    ---
    get:
      tags: [jobs]
      summary: One job, running or finished (an unknown id answers only jobId)
      responses:
        200:
          description: The job object.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Job'
        400:
          $ref: '#/components/responses/BadRequest'
    """
    return json_response(job_service.job_info(state().db, _job_id(raw)))


@bp.get("/job-info", strict_slashes=False)
@bp.get("/running-job", strict_slashes=False)
def job_info_without_id() -> Response:
    """SeaTunnel answers a missing id with 400.
    ---
    get:
      tags: [jobs]
      summary: A job lookup without an id (always 400)
      responses:
        400:
          $ref: '#/components/responses/BadRequest'
    """
    raise BadRequest("The jobId must not be empty.")


def _page_arg() -> job_service.Page | None:
    loaded = load(_page, request.args.to_dict())
    if loaded["page"] is None:
        return None
    return job_service.Page(loaded["page"], loaded["rows"])


@bp.get("/running-jobs", strict_slashes=False)
def running_jobs() -> Response:
    """Every job that has not ended; paged when `page` is given.
    ---
    get:
      tags: [jobs]
      summary: Jobs that have not ended, oldest first
      parameters:
      - in: query
        schema: PageSchema
      responses:
        200:
          description: All jobs (an array), or one page with the total when `page` is given.
          content:
            application/json:
              schema:
                oneOf:
                - type: array
                  items:
                    $ref: '#/components/schemas/Job'
                - $ref: '#/components/schemas/JobPage'
        400:
          $ref: '#/components/responses/BadRequest'
    """
    return json_response(job_service.running_jobs(state().db, _page_arg()))


@bp.get("/finished-jobs", defaults={"job_state": None}, strict_slashes=False)
@bp.get("/finished-jobs/<job_state>")
def finished_jobs(job_state: str | None) -> Response:
    """Ended jobs, newest first, optionally of one final status; paged when `page` is given.
    ---
    get:
      tags: [jobs]
      summary: Ended jobs, newest first, optionally of one final status
      parameters:
      - in: query
        schema: PageSchema
      responses:
        200:
          description: All jobs (an array), or one page with the total when `page` is given.
          content:
            application/json:
              schema:
                oneOf:
                - type: array
                  items:
                    $ref: '#/components/schemas/Job'
                - $ref: '#/components/schemas/JobPage'
        400:
          $ref: '#/components/responses/BadRequest'
    """
    return json_response(job_service.finished_jobs(state().db, job_state, _page_arg()))
