"""Cluster endpoints: overview, update-tags, system-monitoring-information, thread-dump."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from app.api.common import json_body, json_response, state
from app.errors import BadRequest
from app.services import cluster, monitoring

bp = Blueprint("cluster", __name__)

_VERSION = cluster.project_version()
_COMMIT = cluster.git_commit_abbrev()


@bp.get("/overview", strict_slashes=False)
@bp.get("/overview/<path:_rest>")
def overview(_rest: str | None = None) -> Response:
    """Slots and workers of live nodes (every query parameter is a tag filter), job counts.

    `/overview/<anything>` answers the same (SeaTunnel maps its servlets as `<path>/*`).
    ---
    get:
      summary: Cluster overview (any query parameter filters workers by tag)
      responses:
        200:
          description: 'projectVersion, gitCommitAbbrev, totalSlot, unassignedSlot, runningJobs,
            pendingJobs, finishedJobs, failedJobs, cancelledJobs, workers, works (all strings)'
    """
    tags = request.args.to_dict()
    return json_response(cluster.overview(state().db, tags, _VERSION, _COMMIT))


@bp.post("/update-tags", strict_slashes=False)
def update_tags() -> Response:
    """Replace the receiving node's tags with the body's object ({} clears them).
    ---
    post:
      summary: Replace this node's tags
      description: >-
        The body is an object of tag names to values ({} clears them); non-string values are
        stored as their text. Jobs whose env.tag_filter is a subset of a node's tags may run on
        it. A NUL character in a name or value is a 400.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: {type: string}
      responses:
        "200":
          description: Tags replaced
          content:
            application/json:
              schema:
                type: object
                properties:
                  status: {type: string, example: success}
                  message: {type: string, example: update node tags done.}
        "400": {description: Not a JSON object, nested too deeply, or a NUL character}
    """
    body = json_body()
    if not isinstance(body, dict):
        raise BadRequest("Invalid JSON format in request body.")
    tags = {
        str(k): "" if v is None else v if isinstance(v, str) else _text(v) for k, v in body.items()
    }
    if any("\x00" in k or "\x00" in v for k, v in tags.items()):
        # tags are matched in SQL; PostgreSQL's JSON refuses NUL
        raise BadRequest("Tags must not contain a NUL character.")
    app_state = state()
    cluster.update_tags(app_state.db, app_state.node_id, tags)
    return json_response({"status": "success", "message": "update node tags done."})


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


@bp.get("/system-monitoring-information", strict_slashes=False)
def system_monitoring() -> Response:
    """Health figures of every live node, as each node last published them, with the executor
    and operation figures SeaTunnel's UI reads (docs/compatibility.md says what each one is)."""
    from app.services import node_figures

    return json_response(node_figures.monitoring(state().db))


@bp.get("/thread-dump", strict_slashes=False)
def thread_dump() -> Response:
    """The receiving process's threads and their stacks."""
    return json_response(monitoring.thread_dump())
