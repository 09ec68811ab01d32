"""Telemetry endpoints: /metrics (Prometheus text) and /openmetrics, also at SeaTunnel's v1 paths
/hazelcast/rest/instance/metrics and /openmetrics; empty when telemetry is off."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import state

bp = Blueprint("metrics", __name__)


def exposition(openmetrics: bool) -> Response:
    """The node's metrics; text 0.0.4 in SeaTunnel's simpleclient layout, or OpenMetrics 1.0."""
    app_state = state()
    if not app_state.settings.telemetry_enabled:
        return Response(b"", mimetype="text/plain")
    from app.services.cluster import project_version
    from app.services.telemetry import scrape_registry

    registry = scrape_registry(app_state.db, app_state.node_id, project_version())
    if openmetrics:
        from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    from app.services.promtext import CONTENT_TYPE_004, render_004

    return Response(render_004(registry), content_type=CONTENT_TYPE_004)


@bp.get("/metrics", strict_slashes=False)
def metrics() -> Response:
    """Prometheus text format 0.0.4.
    ---
    get:
      tags: [telemetry]
      summary: Prometheus text format 0.0.4 (empty when telemetry is off)
      responses:
        200:
          description: The exposition.
          content:
            text/plain:
              schema: {type: string}
            application/openmetrics-text:
              schema: {type: string}
    """
    return exposition(openmetrics=False)


@bp.get("/openmetrics", strict_slashes=False)
def openmetrics() -> Response:
    """OpenMetrics 1.0.0.
    ---
    get:
      tags: [telemetry]
      summary: OpenMetrics 1.0.0 (empty when telemetry is off)
      responses:
        200:
          description: The exposition.
          content:
            text/plain:
              schema: {type: string}
            application/openmetrics-text:
              schema: {type: string}
    """
    return exposition(openmetrics=True)
