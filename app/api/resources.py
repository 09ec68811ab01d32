"""`/resource/workers` (SeaTunnel 3.0): each live node's slots, CPU, memory, tags, running jobs."""

from __future__ import annotations

from flask import Blueprint, Response

from app.api.common import json_response, state
from app.services import resources

bp = Blueprint("resources", __name__)


@bp.get("/resource/workers", strict_slashes=False)
def workers() -> Response:
    """The resource snapshot of every live node.
    ---
    get:
      summary: Worker resources
      responses:
        200:
          description: '{"available": true, "collectedAt": <ms>, "workers": [{address, tags,
            totalSlots, freeSlots, usedSlots, dynamicSlot, totalCpuCores, availableCpuCores,
            totalHeapMemoryBytes, availableHeapMemoryBytes, cpuUsage, memUsage, runningJobIds}]}'
    """
    return json_response(resources.worker_snapshot(state().db))
