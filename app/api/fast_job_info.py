"""GET /job-info/<id>, the request every client polls, answered below Flask.

Dashboards and scripts poll job-info for every job they watch. Its work is one primary-key read
of a pre-rendered document (services.jobs.job_info); Flask's request context, routing and
response object cost more than that. This WSGI middleware answers the plain case (GET, a
decimal id in Java's long range, basic auth off) with the status, headers and body the Flask
view gives (tests/api/test_fast_job_info.py compares them), and hands everything else to Flask:
other forms of the id, other methods and paths, and any failure, which Flask's error handlers
then answer as they always do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask

from app.api.telemetry_hooks import RULE_KEY
from app.models.db import Database
from app.schemas.fields import JAVA_LONG_MAX
from app.services import jobs as job_service

_MAX_DIGITS = len(str(JAVA_LONG_MAX))


class FastJobInfo:
    """Answers `GET <context-path>/job-info/<digits>`; passes every other request on."""

    def __init__(self, wsgi_app: Callable, db: Database, context_path: str, rule: object) -> None:
        self.wsgi_app = wsgi_app
        self.db = db
        self.prefix = f"{context_path}/job-info/"
        self.rule = rule  # the Flask route it stands for: request metrics count it under it

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith(self.prefix):
            job_id = _plain_id(path[len(self.prefix) :])
            if job_id is not None:
                try:
                    body = job_service.job_info(self.db, job_id)
                except Exception:  # Flask answers it, with its error handlers
                    return self.wsgi_app(environ, start_response)
                environ[RULE_KEY] = self.rule
                start_response(
                    "200 OK",
                    [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
                )
                return [body]
        return self.wsgi_app(environ, start_response)


def _plain_id(text: str) -> int | None:
    """The id when `text` is plain decimal digits within Java's long; None for anything else
    (a sign, a slash, a number out of range: the Flask view decides)."""
    if not text or len(text) > _MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= JAVA_LONG_MAX else None


def install_fast_job_info(app: Flask, db: Database, context_path: str) -> None:
    """Put the fast path in front of `app`'s WSGI callable (inside the request metrics)."""
    route = f"{context_path}/job-info/<path:raw>"
    rule = next(r for r in app.url_map.iter_rules() if r.rule == route)
    app.wsgi_app = FastJobInfo(app.wsgi_app, db, context_path, rule)
