"""What every blueprint shares: the per-app state, raw JSON responses, body reading."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from flask import Response, current_app, request

from app.config import Settings
from app.errors import BadRequest
from app.ids import IdGenerator
from app.models.db import Database


@dataclass
class AppState:
    """The objects a request needs, created once per process by create_app."""

    settings: Settings
    db: Database
    ids: IdGenerator
    node_id: str
    executor: Any = None  # app.worker.Executor when this process runs jobs

    def wake_executor(self) -> None:
        """Let this process's executor claim a just-stored job at once."""
        if self.executor is not None:
            self.executor.wake()


def state() -> AppState:
    """The AppState of the current app."""
    return current_app.extensions["seatunnel"]


def json_response(body: bytes | dict | list, status: int = 200) -> Response:
    """A JSON response; bytes are sent as they are (pre-serialized documents)."""
    if not isinstance(body, (bytes, bytearray)):
        body = orjson.dumps(body)
    return Response(body, status=status, mimetype="application/json")


def request_body() -> bytes:
    """The raw body, whatever its Content-Type (clients send text/plain); 400 when empty."""
    body = request.get_data(cache=True)
    if not body or not body.strip():
        raise BadRequest("Request body is empty.")
    return body


MAX_JSON_DEPTH = 64  # nesting of a JSON body (DESIGN §6); deeper is a 400, never a RecursionError


def json_body() -> Any:
    """The body parsed as JSON, with SeaTunnel's messages for empty and malformed bodies (a
    lone surrogate is malformed for orjson); nesting deeper than MAX_JSON_DEPTH is a 400 too."""
    try:
        value = orjson.loads(request_body())
    except orjson.JSONDecodeError as exc:
        raise BadRequest("Invalid JSON format in request body.") from exc
    if json_depth(value) > MAX_JSON_DEPTH:
        raise BadRequest(
            f"Invalid JSON format in request body: nested deeper than {MAX_JSON_DEPTH} levels."
        )
    return value


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
