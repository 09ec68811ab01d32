"""Log endpoints: /logs (all nodes), /logs/:jobId, /logs/<file>.log, /log and /log/<file> (this node)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from app.api.common import json_response, state
from app.services import cluster, logs

bp = Blueprint("logs", __name__)


def _cluster_entries(job_id: str | None) -> list[logs.LogEntry]:
    app_state = state()
    settings = app_state.settings
    auth = (
        (settings.basic_auth_username, settings.basic_auth_password)
        if settings.enable_basic_auth
        else None
    )
    nodes = [node.id for node in cluster.live_nodes(app_state.db)] or [app_state.node_id]
    return logs.cluster_logs(
        nodes, app_state.node_id, settings.log_dir, settings.context_path, auth, job_id
    )


def _listing(job_id: str | None) -> Response:
    entries = _cluster_entries(job_id)
    if request.args.get("format", "").lower() == "json":
        return json_response([entry.to_json() for entry in entries])
    page = logs.html_list([(e.link, e.name) for e in entries])
    return Response(page, mimetype="text/html")


def _file(name: str) -> Response:
    """The file, or its last log-response-max-size-mb MiB from a line start (whole lines)."""
    from app.services import log_tail

    settings = state().settings
    path = logs.log_file(settings.log_dir, name)
    limit = settings.log_response_max_size_mb
    start = log_tail.tail_start(path, limit * 1024 * 1024 if limit > 0 else None)
    return Response(log_tail.read_from(path, start), mimetype="text/plain")


@bp.get("/logs", strict_slashes=False)
def all_logs() -> Response:
    """Every node's log files: HTML, or JSON with ?format=json.
    ---
    get:
      tags: [logs]
      summary: Every live node's log files
      parameters:
      - in: query
        name: format
        required: false
        schema: {type: string, enum: [html, json]}
        description: json for a JSON list; anything else gives HTML.
      responses:
        200:
          description: The list, as HTML or (format=json) JSON.
          content:
            text/html:
              schema: {type: string}
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/LogEntry'
    """
    return _listing(None)


@bp.get("/logs/<path:name>")
def logs_of(name: str) -> Response:
    """A name with `.log` is a file of this node; anything else is a job id to filter by.
    ---
    get:
      tags: [logs]
      summary: A log file of this node (a name with .log), or the log files of one job
      parameters:
      - in: query
        name: format
        required: false
        schema: {type: string, enum: [html, json]}
        description: json for a JSON list; anything else gives HTML.
      responses:
        200:
          description: The list, as HTML or (format=json) JSON.
          content:
            text/html:
              schema: {type: string}
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/LogEntry'
            text/plain:
              schema: {type: string}
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
    """
    if ".log" in name:
        return _file(name)
    return _listing(name)


@bp.get("/log", strict_slashes=False)
def node_logs() -> Response:
    """This node's log files as an HTML list with relative links.
    ---
    get:
      tags: [logs]
      summary: This node's log files
      parameters:
      - in: query
        name: format
        required: false
        schema: {type: string, enum: [html, json]}
      responses:
        200:
          description: HTML links, or (format=json) the file names.
          content:
            text/html:
              schema: {type: string}
            application/json:
              schema:
                type: array
                items: {type: string}
    """
    names = logs.local_log_names(state().settings.log_dir)
    if request.args.get("format", "").lower() == "json":
        return json_response(names)
    return Response(logs.html_list([(f"log/{n}", n) for n in names]), mimetype="text/html")


@bp.get("/log/<path:name>")
def node_log_file(name: str) -> Response:
    """One log file of this node.
    ---
    get:
      tags: [logs]
      summary: One log file of this node
      responses:
        200:
          description: The file.
          content:
            text/plain:
              schema: {type: string}
        400:
          $ref: '#/components/responses/BadRequest'
        404:
          $ref: '#/components/responses/NotFound'
    """
    return _file(name)


@bp.get("/get-all-log-name", strict_slashes=False)
def all_log_names() -> Response:
    """This node's log file names (what other nodes ask when gathering /logs).
    ---
    get:
      tags: [logs]
      summary: This node's log file names
      responses:
        200:
          description: The names.
          content:
            application/json:
              schema:
                type: array
                items: {type: string}
    """
    return json_response(logs.local_log_names(state().settings.log_dir))
