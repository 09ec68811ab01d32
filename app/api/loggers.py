"""`/loggers[/:name]?scope=node|cluster&level=` (SeaTunnel 3.0): read and change log levels at
run time, on the receiving node or on every live node."""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from app.api.common import json_response, state
from app.errors import BadRequest
from app.services import cluster, loggers

bp = Blueprint("loggers", __name__)

_MISSING_NAME = "The logger name must not be empty, use /loggers/{name}."
_MISSING_LEVEL = 'The level is required, send it as ?level=DEBUG or as {"level":"DEBUG"}.'


def _requested_level() -> str | None:
    level = request.args.get("level")
    if level is not None:
        return level
    try:
        body = orjson.loads(request.get_data() or b"null")
    except orjson.JSONDecodeError:
        return None  # an unparsable body is a missing level, as SeaTunnel answers
    value = body.get("level") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _cluster(method: str, name: str | None, local, level: str | None = None) -> Response:
    app_state = state()
    settings = app_state.settings
    auth = (
        (settings.basic_auth_username, settings.basic_auth_password)
        if settings.enable_basic_auth
        else None
    )
    nodes = [node.id for node in cluster.live_nodes(app_state.db)] or [app_state.node_id]
    path = f"{settings.context_path}/loggers" + (f"/{name}" if name else "")
    return json_response(
        loggers.fan_out(nodes, app_state.node_id, local, method, path, auth, name, level)
    )


@bp.get("/loggers", strict_slashes=False)
def list_loggers() -> Response:
    """This node's loggers (or every node's with scope=cluster).
    ---
    get:
      summary: Loggers and their levels
      parameters:
        - {name: scope, in: query, required: false, schema: {type: string, enum: [node, cluster]}}
      responses:
        200:
          description: 'node: {"node", "loggers": [{name, level, origin: file|runtime-override,
            fileLevel?}]}; cluster: {"scope": "cluster", "status": SUCCESS|PARTIAL_FAILURE|FAILURE,
            "nodes": [...]}'
        400: {description: unknown scope}
    """
    app_state = state()
    local = lambda: loggers.node_loggers(app_state.db, app_state.node_id)  # noqa: E731
    if loggers.check_scope(request.args.get("scope")) == loggers.SCOPE_CLUSTER:
        return _cluster("GET", None, local)
    return json_response(local())


@bp.post("/loggers", strict_slashes=False)
@bp.delete("/loggers", strict_slashes=False)
def loggers_without_name() -> Response:
    """A change needs a logger name.
    ---
    post:
      summary: Missing logger name
      responses:
        400: {description: '"The logger name must not be empty, use /loggers/{name}."'}
    delete:
      summary: Missing logger name
      responses:
        400: {description: '"The logger name must not be empty, use /loggers/{name}."'}
    """
    raise BadRequest(_MISSING_NAME)


@bp.get("/loggers/<path:name>")
def get_logger(name: str) -> Response:
    """One logger's level.
    ---
    get:
      summary: One logger (resolved through its nearest configured ancestor)
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}, description: 'logger name, "root" for the root'}
        - {name: scope, in: query, required: false, schema: {type: string, enum: [node, cluster]}}
      responses:
        200: {description: '{"name", "level", "origin", "fileLevel"?, "node"}'}
        400: {description: bad name or scope}
    """
    app_state = state()
    local = lambda: loggers.node_logger(app_state.db, app_state.node_id, name)  # noqa: E731
    if loggers.check_scope(request.args.get("scope")) == loggers.SCOPE_CLUSTER:
        return _cluster("GET", loggers.check_name(name), local)
    return json_response(local())


@bp.post("/loggers/<path:name>")
def set_logger(name: str) -> Response:
    """Override a logger's level on this node (or every node with scope=cluster).
    ---
    post:
      summary: Set a logger's level at run time
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: level, in: query, required: false, schema: {type: string, enum: [OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL]}, description: 'or a body {"level": "DEBUG"}'}
        - {name: scope, in: query, required: false, schema: {type: string, enum: [node, cluster]}}
      responses:
        200: {description: '{"name", "level", "origin", "node", "previousLevel", "status": "SUCCESS"}'}
        400: {description: "missing or unknown level, bad name or scope"}
    """
    scope = loggers.check_scope(request.args.get("scope"))
    level = _requested_level()
    if level is None:
        raise BadRequest(_MISSING_LEVEL)
    if loggers.parse_level(level) is None:
        raise BadRequest(f"Unknown logger level '{level}', valid levels are: {loggers.VALID_NAMES}")
    app_state = state()
    local = lambda: loggers.set_level(app_state.db, app_state.node_id, name, level)  # noqa: E731
    if scope == loggers.SCOPE_CLUSTER:
        return _cluster("POST", loggers.check_name(name), local, level)
    return json_response(local())


@bp.delete("/loggers/<path:name>")
def reset_logger(name: str) -> Response:
    """Drop a logger's override on this node (or every node with scope=cluster).
    ---
    delete:
      summary: Revert a logger to its configured level
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: scope, in: query, required: false, schema: {type: string, enum: [node, cluster]}}
      responses:
        200: {description: '{"name", "level", "origin", "node", "previousLevel", "status": SUCCESS|NO_OVERRIDE}'}
        400: {description: bad name or scope}
    """
    scope = loggers.check_scope(request.args.get("scope"))
    app_state = state()
    local = lambda: loggers.reset_level(app_state.db, app_state.node_id, name)  # noqa: E731
    if scope == loggers.SCOPE_CLUSTER:
        return _cluster("DELETE", loggers.check_name(name), local)
    return json_response(local())
