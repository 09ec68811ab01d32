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
      tags: [cluster]
      summary: Slots, workers and job counts (query parameters filter workers by tag)
      parameters:
      - in: query
        name: tags
        required: false
        style: form
        explode: true
        schema:
          type: object
          additionalProperties: {type: string}
        description: Any `tag=value` pairs; only workers carrying all of them are counted.
      responses:
        200:
          description: The overview; every value is a string.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Overview'
    """
    tags = request.args.to_dict()
    return json_response(cluster.overview(state().db, tags, _VERSION, _COMMIT))


@bp.post("/update-tags", strict_slashes=False)
def update_tags() -> Response:
    """Replace the receiving node's tags with the body's object ({} clears them).
    ---
    post:
      tags: [cluster]
      summary: Replace the receiving node's tags ({} clears them)
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
              additionalProperties: true
      responses:
        200:
          description: The tags are stored.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Success'
        400:
          $ref: '#/components/responses/BadRequest'
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
    and operation figures SeaTunnel's UI reads (docs/compatibility.md says what each one is).
    ---
    get:
      tags: [cluster]
      summary: Health figures of every live node (values are strings)
      responses:
        200:
          description: One object per node, master first.
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  additionalProperties: {type: string}
    """
    from app.services import node_figures

    return json_response(node_figures.monitoring(state().db))


@bp.get("/thread-dump", strict_slashes=False)
def thread_dump() -> Response:
    """The receiving process's threads and their stacks.
    ---
    get:
      tags: [cluster]
      summary: The receiving process's threads and stacks
      responses:
        200:
          description: One entry per thread.
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Thread'
    """
    return json_response(monitoring.thread_dump())
