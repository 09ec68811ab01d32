"""SeaTunnel's cluster telemetry families (ClusterMetricExports, NodeMetricExports.nodeState,
JobThreadPoolStatusExports), with our figures: read from the database at scrape time (no write,
no file lock on the request path).

Mapping of SeaTunnel's coordinator thread pool to ours (docs/compatibility.md):
- the pool is the job slots of a node's worker processes; `corePoolSize` / `maximumPoolSize`
  are the configured slots, `poolSize` the slot threads alive, `activeCount` the jobs running
  on the node now (from the jobs table), `completedTask` the jobs its slots ran to an end since
  the processes started, `task` = completed + active;
- `queueTaskCount` is the node's share of our queue: PENDING jobs whose tag_filter this node
  matches (untagged jobs count for every node);
- `rejection` is always 0: we never reject a job, it waits PENDING.
As in SeaTunnel, only the master (our oldest live node) exports the job_thread_pool_* families,
one series per live node (`address`).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from app.models import Node
from app.models.db import Database
from app.services.runs import live_workers, queue_counts, tags_match
from app.timefmt import now_ms

CLUSTER_NAME = "seatunnel"
_POOL_HELP = "The %s of seatunnel coordinator job's executor cached thread pool"


class ClusterTelemetry(Collector):
    """cluster_info, cluster_time, node_count, node_state, and on the master job_thread_pool_*."""

    def __init__(self, db: Database, node_id: str, version: str, cluster: str = CLUSTER_NAME):
        self.db = db
        self.node_id = node_id
        self.version = version
        self.cluster = cluster

    def collect(self) -> Iterator:
        now = now_ms()
        with self.db.read() as conn:
            workers = live_workers(conn)
            nodes = conn.execute(
                sa.select(Node.id, Node.tags, Node.started_ms)
                .where(Node.id.in_({w.node_id for w in workers}))
                .order_by(Node.started_ms, Node.id)
            ).all()
            master = nodes[0].id if nodes else self.node_id
            pool_rows: list = []
            pending: list = []
            busy: dict = {}
            if master == self.node_id:
                busy, pending = queue_counts(conn)
                pool_rows = workers

        info = GaugeMetricFamily(
            "cluster_info", "Cluster info", labels=["cluster", "hazelcastVersion", "master"]
        )
        info.add_metric([self.cluster, self.version, master], 1.0)
        yield info
        clock = GaugeMetricFamily(
            "cluster_time", "Cluster start time", labels=["cluster", "hazelcastVersion"]
        )
        clock.add_metric([self.cluster, self.version], float(now))
        yield clock
        count = GaugeMetricFamily("node_count", "Cluster node total count ", labels=["cluster"])
        count.add_metric([self.cluster], float(max(len(nodes), 1)))
        yield count
        state = GaugeMetricFamily(
            "node_state", "Whether is up of seatunnel node ", labels=["cluster", "address"]
        )
        state.add_metric([self.cluster, self.node_id], 1.0)
        yield state
        if master == self.node_id:
            yield from self._pool(nodes, pool_rows, busy, pending)

    def _pool(self, nodes: list, workers: list, busy: dict, pending: list) -> Iterator:
        per_node: dict[str, dict[str, float]] = {}
        for worker in workers:
            stats = orjson.loads(worker.pool_stats) if worker.pool_stats else {}
            figures = per_node.setdefault(
                worker.node_id,
                {"slots": 0, "poolSize": 0, "active": 0, "completed": 0, "queued": 0},
            )
            figures["slots"] += worker.slots
            figures["poolSize"] += stats.get("poolSize", worker.slots)
            figures["active"] += busy.get(worker.id, 0)
            figures["completed"] += stats.get("completed", 0)
        tags = {node.id: orjson.loads(node.tags or "{}") for node in nodes}
        for node_id, figures in per_node.items():
            node_tags = tags.get(node_id, {})
            figures["queued"] = sum(
                n for tag_filter, n in pending if tags_match(tag_filter, node_tags)
            )
        labels = ["cluster", "address"]
        families = {
            "activeCount": GaugeMetricFamily(
                "job_thread_pool_activeCount", _POOL_HELP % "activeCount", labels=labels
            ),
            "completedTask": CounterMetricFamily(
                "job_thread_pool_completedTask", _POOL_HELP % "completedTask", labels=labels
            ),
            "corePoolSize": GaugeMetricFamily(
                "job_thread_pool_corePoolSize", _POOL_HELP % "corePoolSize", labels=labels
            ),
            "maximumPoolSize": GaugeMetricFamily(
                "job_thread_pool_maximumPoolSize", _POOL_HELP % "maximumPoolSize", labels=labels
            ),
            "poolSize": GaugeMetricFamily(
                "job_thread_pool_poolSize", _POOL_HELP % "poolSize", labels=labels
            ),
            "task": CounterMetricFamily(
                "job_thread_pool_task", _POOL_HELP % "taskCount", labels=labels
            ),
            "queueTaskCount": GaugeMetricFamily(
                "job_thread_pool_queueTaskCount", _POOL_HELP % "queueTaskCount", labels=labels
            ),
            "rejection": CounterMetricFamily(
                "job_thread_pool_rejection", _POOL_HELP % "rejection", labels=labels
            ),
        }
        for node_id in sorted(per_node):
            f = per_node[node_id]
            values = [self.cluster, node_id]
            families["activeCount"].add_metric(values, f["active"])
            families["completedTask"].add_metric(values, f["completed"])
            families["corePoolSize"].add_metric(values, f["slots"])
            families["maximumPoolSize"].add_metric(values, f["slots"])
            families["poolSize"].add_metric(values, f["poolSize"])
            families["task"].add_metric(values, f["completed"] + f["active"])
            families["queueTaskCount"].add_metric(values, f["queued"])
            families["rejection"].add_metric(values, 0.0)
        yield from families.values()
