"""Stop endpoints: /stop-job and /stop-jobs (answer once the request is recorded)."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import json_body, json_response, state
from app.errors import BadRequest
from app.schemas import load
from app.schemas.jobs import StopRequestSchema
from app.services import stops

bp = Blueprint("stops", __name__)

_stop = StopRequestSchema()


def _request(body: object) -> stops.StopRequest:
    if not isinstance(body, dict):
        raise BadRequest("Invalid JSON format in request body: expected an object.")
    loaded = load(_stop, body)
    return stops.StopRequest(loaded["jobId"], loaded["isStopWithSavePoint"], loaded["force"])


@bp.post("/stop-job", strict_slashes=False)
def stop_job() -> Response:
    """Stop one job: with a savepoint (SAVEPOINT_DONE), gracefully or by force (CANCELED).
    ---
    post:
      tags: [jobs]
      summary: Stop a job (with a savepoint, gracefully, or by force)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/StopRequest'
      responses:
        200:
          description: The stop is recorded.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/StopResponse'
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
        409:
          $ref: '#/components/responses/Conflict'
    """
    request = _request(json_body())
    stops.request_stop(state().db, request)
    return json_response({"jobId": str(request.job_id)})


@bp.post("/stop-jobs", strict_slashes=False)
def stop_jobs() -> Response:
    """Stop several jobs; the answer lists their ids as numbers, as SeaTunnel does.
    ---
    post:
      tags: [jobs]
      summary: Stop several jobs
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: array
              items:
                $ref: '#/components/schemas/StopRequest'
      responses:
        200:
          description: The stops are recorded.
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/StopManyItem'
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
        409:
          $ref: '#/components/responses/Conflict'
    """
    body = json_body()
    if not isinstance(body, list):
        raise BadRequest("Json parse list exception!")
    requests = [_request(element) for element in body]
    stops.request_stops(state().db, requests)
    return json_response([{"jobId": r.job_id} for r in requests])
