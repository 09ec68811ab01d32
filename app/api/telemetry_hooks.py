"""Count every answered request and its latency (installed only when telemetry is on)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from flask import Flask, Request

RULE_KEY = "seatunnel.url_rule"  # the matched route, in the WSGI environ


class _RuleRecordingRequest(Request):
    """Flask's request, keeping the matched route in the WSGI environ, where the middleware
    reads it once the response is made."""

    _rule = None

    @property
    def url_rule(self):  # werkzeug's Rule, or None
        return self._rule

    @url_rule.setter
    def url_rule(self, rule) -> None:
        self._rule = rule
        self.environ[RULE_KEY] = rule


class _RequestMetricsMiddleware:
    """WSGI middleware around the Flask app: one timer and one count per request, without
    Flask's before/after hooks (each reaches the request through a context-local proxy)."""

    def __init__(self, wsgi_app: Callable, observe: Callable[[str, str, int, float], None]):
        self.wsgi_app = wsgi_app
        self.observe = observe

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(line: str, headers: list, exc_info: object = None) -> Callable:
            status.append(line)
            return start_response(line, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        # the route's rule, never the raw path: one series per route, whatever the URL
        rule = environ.get(RULE_KEY)
        code = int(status[-1][:3]) if status and status[-1][:3].isdigit() else 0
        self.observe(
            environ.get("REQUEST_METHOD", ""),
            rule.rule if rule is not None else "unmatched",
            code,
            time.perf_counter() - started,
        )
        return result


def install_request_metrics(app: Flask) -> None:
    """Wrap the app so that every request feeds the node's request counters (in memory: no
    lock, no file)."""
    from app.services.request_metrics import REQUEST_METRICS

    app.request_class = _RuleRecordingRequest
    app.wsgi_app = _RequestMetricsMiddleware(app.wsgi_app, REQUEST_METRICS.observe)
