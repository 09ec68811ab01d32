"""/system-monitoring-information with the Hazelcast HealthMonitor keys SeaTunnel's UI reads.

Each node publishes its process figures (app/services/monitoring.py, every heartbeat); the
executor and operation figures are measured here, at request time, from the jobs and workers
tables (reads only). What each Hazelcast key means for us (docs/compatibility.md):
- `executor.q.operations.size`: jobs waiting in our queue that this node may run (PENDING,
  tag_filter matching the node's tags);
- `executor.q.priorityOperation.size`: jobs claimed by this node's processes, not yet started;
- `operations.running.count`: jobs running on this node now;
- `operations.completed.count`: jobs this node's worker processes ran to an end since they
  started;
- `operations.pending.invocations.count` / `.percentage`: the queued jobs above, and their share
  of the node's slots;
- `client.connection.count`: open TCP connections of the node's processes (HTTP clients);
- every other `executor.q.*` queue, `proxy.count` and `clientEndpoint.count` are Hazelcast
  structures we do not have: "0".
"""

from __future__ import annotations

import orjson

from app.models.db import Database
from app.services import cluster
from app.services.runs import live_workers, queue_counts, tags_match

# HealthMonitor's order: the figures before and after these come from the node's own info
_EXECUTOR_QUEUES = (
    "executor.q.async.size",
    "executor.q.client.size",
    "executor.q.client.query.size",
    "executor.q.client.blocking.size",
    "executor.q.query.size",
    "executor.q.scheduled.size",
    "executor.q.io.size",
    "executor.q.system.size",
    "executor.q.operations.size",
    "executor.q.priorityOperation.size",
    "operations.completed.count",
    "executor.q.mapLoad.size",
    "executor.q.mapLoadAllKeys.size",
    "executor.q.cluster.size",
    "executor.q.response.size",
    "operations.running.count",
    "operations.pending.invocations.percentage",
    "operations.pending.invocations.count",
    "proxy.count",
    "clientEndpoint.count",
    "connection.active.count",
    "client.connection.count",
    "connection.count",
)
_BEFORE = (
    "isMaster",
    "host",
    "port",
    "processors",
    "physical.memory.total",
    "physical.memory.free",
    "swap.space.total",
    "swap.space.free",
    "heap.memory.used",
    "heap.memory.free",
    "heap.memory.total",
    "heap.memory.max",
    "heap.memory.used/total",
    "heap.memory.used/max",
    "minor.gc.count",
    "minor.gc.time",
    "major.gc.count",
    "major.gc.time",
    "load.process",
    "load.system",
    "load.systemAverage",
    "thread.count",
    "thread.peakCount",
    "cluster.timeDiff",
    "event.q.size",
)


def _node_figures(db: Database) -> dict[str, dict[str, int]]:
    """Per live node: queued, claimed, running, completed jobs and slots."""
    with db.read() as conn:
        workers = live_workers(conn)
        running, pending = queue_counts(conn)
    figures: dict[str, dict[str, int]] = {}
    for worker in workers:
        stats = orjson.loads(worker.pool_stats) if worker.pool_stats else {}
        node = figures.setdefault(
            worker.node_id, {"slots": 0, "running": 0, "completed": 0, "claimed": 0}
        )
        node["slots"] += worker.slots
        node["running"] += running.get(worker.id, 0)
        node["completed"] += stats.get("completed", 0)
        node["claimed"] += stats.get("queued", 0)
    figures["__pending__"] = pending  # type: ignore[assignment]
    return figures


def monitoring(db: Database) -> list[dict[str, str]]:
    """One entry per live node, master first, keys in SeaTunnel's order, every value a string."""
    entries = cluster.monitoring(db)
    figures = _node_figures(db)
    pending = figures.pop("__pending__")  # type: ignore[arg-type]
    tags = {node.id: orjson.loads(node.tags or "{}") for node in cluster.live_nodes(db)}
    result = []
    for entry in entries:
        node_id = f"{entry['host']}:{entry['port']}"
        node = figures.get(node_id, {"slots": 0, "running": 0, "completed": 0, "claimed": 0})
        queued = sum(
            n for tag_filter, n in pending if tags_match(tag_filter, tags.get(node_id, {}))
        )
        ours = dict.fromkeys(_EXECUTOR_QUEUES, "0")
        connections = entry.get("connection.active.count", "0")
        share = 100 * queued / node["slots"] if node["slots"] else 0.0
        ours.update(
            {
                "executor.q.operations.size": str(queued),
                "executor.q.priorityOperation.size": str(node["claimed"]),
                "operations.completed.count": str(node["completed"]),
                "operations.running.count": str(node["running"]),
                "operations.pending.invocations.percentage": f"{share:.2f}%",
                "operations.pending.invocations.count": str(queued),
                "connection.active.count": connections,
                "client.connection.count": connections,
                "connection.count": entry.get("connection.count", connections),
            }
        )
        ordered = {key: entry[key] for key in _BEFORE if key in entry}
        ordered.update(ours)
        ordered.update(
            {k: v for k, v in entry.items() if k not in ordered and not k.startswith("resource.")}
        )
        result.append(ordered)
    return result
