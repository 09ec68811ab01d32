"""/running-threads: the receiving process's threads (SeaTunnel 2.3.10, a test helper there)."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import json_response
from app.services import threads

bp = Blueprint("threads", __name__)


@bp.get("/running-threads", strict_slashes=False)
def running_threads() -> Response:
    """The threads of the process that answers, sorted by name.
    ---
    get:
      summary: Threads of the answering process
      responses:
        200:
          description: '[{"threadName": "...", "classLoader": "<module of its target> or null"}]'
    """
    return json_response(threads.running_threads())
