"""Probes: our /health (liveness, readiness that checks the database) and Hazelcast's health and
cluster paths that SeaTunnel deployments and e2e containers poll (/hazelcast/health/...,
/hazelcast/rest/cluster), plus the v1 telemetry paths /hazelcast/rest/instance/(open)metrics.

These paths sit beside Hazelcast's member port in SeaTunnel, outside the REST context path; we
serve them at the root and, when a context path is set, under it too. The `health` blueprint is
exempt from basic auth (container probes carry no credentials and it tells nothing private).
"""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from app.api.common import json_response, state
from app.api.metrics import exposition
from app.errors import NotFound
from app.services import cluster, health

health_bp = Blueprint("health", __name__)
hazelcast_bp = Blueprint("hazelcast", __name__)


def _stopping() -> bool:
    executor = state().executor
    return bool(executor is not None and executor.stopping)


def _json_value(value: object, status: int = 200) -> Response:
    return Response(orjson.dumps(value), status=status, mimetype="application/json")


@health_bp.get("/health", strict_slashes=False)
def liveness() -> Response:
    """Liveness, or readiness with `?ready`.
    ---
    get:
      summary: Liveness of this process; with `?ready`, readiness (the database answers)
      parameters:
        - {name: ready, in: query, required: false, schema: {type: string},
           description: present (any value) to check readiness instead of liveness}
      responses:
        200:
          description: '{"status": "UP"} (readiness adds "checks": {"database": "UP"})'
        503:
          description: not ready; the failing check is "DOWN" with its reason
    """
    if "ready" in request.args:
        return readiness()
    return json_response({"status": "UP"})


@health_bp.get("/health/live", strict_slashes=False)
def live() -> Response:
    """Liveness.
    ---
    get:
      summary: Liveness of this process (it answers HTTP)
      responses:
        200: {description: '{"status": "UP"}'}
    """
    return json_response({"status": "UP"})


@health_bp.get("/health/ready", strict_slashes=False)
def readiness() -> Response:
    """Readiness: the database answers and the executor is not shutting down.
    ---
    get:
      summary: Readiness of this process (database reachable, not shutting down)
      responses:
        200: {description: '{"status": "UP", "checks": {"database": "UP", "executor": "UP"}}'}
        503: {description: 'status "DOWN"; each failing check says why'}
    """
    ok, reason = health.database_ready(state().db)
    stopping = _stopping()
    checks = {
        "database": "UP" if ok else f"DOWN: {reason}",
        "executor": "DOWN: shutting down" if stopping else "UP",
    }
    ready = ok and not stopping
    return json_response(
        {"status": "UP" if ready else "DOWN", "checks": checks}, 200 if ready else 503
    )


@health_bp.get("/hazelcast/health/ready", strict_slashes=False)
def hazelcast_ready() -> Response:
    """Hazelcast's readiness probe: 200 with an empty body, 503 when not ready.
    ---
    get:
      summary: Hazelcast readiness (200 empty body when ready, 503 otherwise)
      responses:
        200: {description: ready}
        503: {description: database unreachable or shutting down}
    """
    ok, _reason = health.database_ready(state().db)
    return Response(b"", status=200 if ok and not _stopping() else 503)


@health_bp.get("/hazelcast/health", strict_slashes=False)
def hazelcast_health() -> Response:
    """Hazelcast's health summary.
    ---
    get:
      summary: Hazelcast health summary of this node
      responses:
        200:
          description: '{"nodeState", "clusterState", "clusterSafe", "migrationQueueSize", "clusterSize"}'
    """
    app_state = state()
    return json_response(
        {
            "nodeState": health.node_state(_stopping()),
            "clusterState": health.ACTIVE,
            "clusterSafe": True,
            "migrationQueueSize": 0,
            "clusterSize": max(len(cluster.live_nodes(app_state.db)), 1),
        }
    )


@health_bp.get("/hazelcast/health/<param>")
def hazelcast_health_part(param: str) -> Response:
    """One figure of Hazelcast's health summary.
    ---
    get:
      summary: 'node-state, cluster-state, cluster-safe, migration-queue-size or cluster-size'
      parameters:
        - {name: param, in: path, required: true, schema: {type: string}}
      responses:
        200: {description: 'a JSON value ("ACTIVE", 2, ...); cluster-safe has an empty body'}
        404: {description: unknown figure}
        503: {description: node-state while the node shuts down}
    """
    if param == "node-state":
        node_state = health.node_state(_stopping())
        if node_state == health.SHUT_DOWN:
            return Response(b"", status=503)
        return _json_value(node_state)
    if param == "cluster-state":
        return _json_value(health.ACTIVE)
    if param == "cluster-safe":
        return Response(b"", status=200)
    if param == "migration-queue-size":
        return _json_value(0)
    if param == "cluster-size":
        return _json_value(max(len(cluster.live_nodes(state().db)), 1))
    raise NotFound(f"Unknown health figure: {param}")


@hazelcast_bp.get("/hazelcast/rest/cluster", strict_slashes=False)
def hazelcast_cluster() -> Response:
    """Hazelcast's cluster view: the live nodes as members.
    ---
    get:
      summary: Members of the cluster, Hazelcast's shape
      responses:
        200:
          description: '{"members": [{"address": "[host]:port", "liteMember": false, "localMember",
            "uuid", "memberVersion"}], "connectionCount", "allConnectionCount"}'
    """
    app_state = state()
    members = health.cluster_members(app_state.db, app_state.node_id, cluster.project_version())
    info = {}
    for entry in cluster.monitoring(app_state.db):
        if f"{entry['host']}:{entry['port']}" == app_state.node_id:
            info = entry
    connections = int(info.get("connection.active.count", "0") or 0)
    return json_response(
        {"members": members, "connectionCount": connections, "allConnectionCount": connections}
    )


@hazelcast_bp.get("/hazelcast/rest/instance/metrics", strict_slashes=False)
def instance_metrics() -> Response:
    """SeaTunnel's v1 path of /metrics.
    ---
    get:
      summary: Same body as /metrics (Prometheus text 0.0.4)
      responses:
        200: {description: "Prometheus text, empty when telemetry is off"}
    """
    return exposition(openmetrics=False)


@hazelcast_bp.get("/hazelcast/rest/instance/openmetrics", strict_slashes=False)
def instance_openmetrics() -> Response:
    """SeaTunnel's v1 path of /openmetrics.
    ---
    get:
      summary: Same body as /openmetrics (OpenMetrics 1.0.0)
      responses:
        200: {description: "OpenMetrics text, empty when telemetry is off"}
    """
    return exposition(openmetrics=True)
