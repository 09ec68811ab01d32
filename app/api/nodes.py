"""GET /nodes: every live node with its tags and monitoring figures (the console's workers page)."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import json_response, state
from app.services import nodes

bp = Blueprint("nodes", __name__)


@bp.get("/nodes", strict_slashes=False)
def node_list() -> Response:
    """Live nodes, master first, with tags and the figures of /system-monitoring-information.
    ---
    get:
      tags: [console]
      summary: Live nodes with their tags and monitoring figures
      responses:
        200:
          description: One entry per live node.
          content:
            application/json:
              schema:
                type: array
                items: NodeSchema
    """
    return json_response(nodes.node_list(state().db))
