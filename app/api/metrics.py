"""Telemetry endpoints: /metrics (Prometheus text) and /openmetrics; empty when telemetry is off."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import state

bp = Blueprint("metrics", __name__)


def _exposition(openmetrics: bool) -> Response:
    app_state = state()
    if not app_state.settings.telemetry_enabled:
        return Response(b"", mimetype="text/plain")
    from app.services.telemetry import scrape_registry

    registry = scrape_registry(app_state.db)
    if openmetrics:
        from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST, generate_latest
    else:
        from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


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
    return _exposition(openmetrics=False)


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
    return _exposition(openmetrics=True)
