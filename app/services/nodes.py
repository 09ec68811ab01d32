"""The console's workers page: every live node with its tags and latest monitoring figures."""

from __future__ import annotations

import orjson

from app.models.db import Database
from app.services.cluster import live_nodes
from app.timefmt import format_ms


def node_list(db: Database) -> list[dict]:
    """Live nodes, master (oldest) first: address, tags, start and heartbeat times, figures."""
    return [
        {
            "node": node.id,
            "host": node.host,
            "port": node.port,
            "isMaster": index == 0,
            "tags": orjson.loads(node.tags or "{}"),
            "startTime": format_ms(node.started_ms),
            "heartbeatTime": format_ms(node.heartbeat_ms),
            "figures": orjson.loads(node.info or "{}"),
        }
        for index, node in enumerate(live_nodes(db))
    ]
