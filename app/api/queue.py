"""Queue views: `/pending-jobs` (2.3.13: why each PENDING job waits) and `/running-jobs/summary`
(3.0: the light list SeaTunnel's UI polls)."""

from __future__ import annotations

import time

import orjson
from flask import Blueprint, Response, request
from marshmallow import ValidationError

from app.api.common import json_response, state
from app.errors import BadRequest
from app.schemas import load
from app.schemas.observe import PendingJobsQuery, SummaryQuery
from app.services import jobs as job_service
from app.services import pending, summaries

bp = Blueprint("queue", __name__)

_pending = PendingJobsQuery()
_summary = SummaryQuery()


@bp.get("/pending-jobs", strict_slashes=False)
def pending_jobs() -> Response:
    """Why each PENDING job waits, the queue and the cluster's slots.
    ---
    get:
      summary: Pending jobs with the reason each one waits
      parameters:
        - {name: jobId, in: query, required: false, schema: {type: string}, description: only this job}
        - {name: limit, in: query, required: false, schema: {type: integer}, description: 'at most this many jobs (0: all)'}
        - {name: pretty, in: query, required: false, schema: {type: boolean}, description: 'timestamps as yyyy-MM-dd HH:mm:ss, indented'}
      responses:
        200:
          description: '{"queueSummary": {size, scheduleStrategy, oldestEnqueueTimestamp,
            newestEnqueueTimestamp, lackingTaskGroups}, "clusterSnapshot": {totalSlots, freeSlots,
            assignedSlots, workerCount, workers[]}, "pendingJobs": [{jobId, jobName,
            pendingSourceState, jobStatus, enqueueTimestamp, checkTime, waitDurationMs, checkCount,
            totalTaskGroups, allocatedTaskGroups, lackingTaskGroups, failureReason,
            failureMessage, tagFilter, blockingJobIds, pipelines, lackingTaskGroupDiagnostics}]}'
        400:
          description: '{"status": "fail", "message": "Invalid jobId"} (or "Invalid limit")'
    """
    args = request.args.to_dict()
    try:
        params = _pending.load(args)
    except ValidationError as exc:
        raise BadRequest("Invalid jobId" if "jobId" in exc.messages else "Invalid limit") from exc
    tags = {k: v for k, v in args.items() if k not in ("jobId", "limit", "pretty")}
    body = pending.pending_jobs(state().db, tags, params["jobId"], params["limit"])
    if params["pretty"]:
        text = orjson.dumps(pending.prettify(body), option=orjson.OPT_INDENT_2)
        return Response(text, mimetype="application/json")
    return json_response(body)


@bp.get("/running-jobs/summary", strict_slashes=False)
def running_jobs_summary() -> Response:
    """The light running-jobs list (`full=true`: the same items as /running-jobs).
    ---
    get:
      summary: Running jobs, id / name / status / create time only
      parameters:
        - {name: page, in: query, required: false, schema: {type: integer}}
        - {name: rows, in: query, required: false, schema: {type: integer, default: 10}}
        - {name: full, in: query, required: false, schema: {type: boolean}, description: full job objects}
      responses:
        200:
          description: '[{"jobId": "...", "jobName", "jobStatus", "createTime"}], or {"data", "total"} with page;
            headers X-Dispatch-Delay-Ms (-1: not known) and X-Handler-Cost-Ms'
        400: {description: "page < 1, a page past the end, or a bad number"}
    """
    started = time.perf_counter()
    params = load(_summary, request.args.to_dict())
    page = job_service.Page(params["page"], params["rows"]) if params["page"] is not None else None
    db = state().db
    if params["full"]:
        body = job_service.running_jobs(db, page)
    else:
        body = summaries.running_summary(db, page)
    response = json_response(body)
    response.headers["X-Dispatch-Delay-Ms"] = "-1"
    response.headers["X-Handler-Cost-Ms"] = str(int((time.perf_counter() - started) * 1000))
    return response
