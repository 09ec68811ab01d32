"""One error family for the whole API, rendered in SeaTunnel's envelope {"status": "fail", "message"}."""

from __future__ import annotations

import logging
import uuid

import orjson
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client caused (or, for 500, one we did); `status` is the HTTP status."""

    status = 400

    def __init__(self, message: str | None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


def fail_body(message: str | None) -> bytes:
    """The envelope SeaTunnel answers errors with."""
    return orjson.dumps({"status": "fail", "message": message})


def fail_response(message: str | None, status: int) -> Response:
    """A JSON error response in the envelope."""
    return Response(fail_body(message), status=status, mimetype="application/json")


_HTTP_MESSAGES = {
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request body too large.",
}


def register_error_handlers(app: Flask) -> None:
    """Render ApiError, werkzeug HTTP errors and our own bugs in the same envelope."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return fail_response(err.message, err.status)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        if status == 405:
            message = f"HTTP method {request.method} is not supported by this URL"
        else:
            message = _HTTP_MESSAGES.get(status, err.name)
        response = fail_response(message, status)
        if status == 405 and getattr(err, "valid_methods", None):
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(RecursionError)
    def _too_deep(_err: RecursionError) -> Response:
        # only a document nested deeper than our own limits gets here
        return fail_response("The request is nested too deeply.", 400)

    @app.errorhandler(Exception)
    def _bug(err: Exception) -> Response:
        request_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error (request %s)", request_id)
        return fail_response(f"Internal server error (request id {request_id}).", 500)
