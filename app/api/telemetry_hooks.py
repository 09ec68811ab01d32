"""Count every answered request and its latency (installed only when telemetry is on)."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request


def install_request_metrics(app: Flask) -> None:
    """before/after hooks that feed the node's request counters (in memory: no lock, no file)."""
    from app.services.request_metrics import REQUEST_METRICS

    observe_request = REQUEST_METRICS.observe

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            # the route's rule, never the raw path: one series per route, whatever the URL
            endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
            observe_request(
                request.method, endpoint, response.status_code, time.perf_counter() - started
            )
        return response
