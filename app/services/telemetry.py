"""Prometheus metrics: cluster figures read from the database at scrape time, node-wide process
figures from psutil, and request counters shared by every gunicorn worker of the node.

Nothing here is a per-process counter that could jump between scrapes: job and slot figures come
from the database, process figures sum the whole process tree, and request counters add up every
worker's totals (services.request_metrics: no lock and no file on the request path).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import orjson
import psutil
import sqlalchemy as sa
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from app.models import RUNNING_STATUSES, Job, JobStatus, Worker
from app.models.clock import db_now_ms
from app.models.db import Database
from app.services import monitoring
from app.services.cluster import WORKER_LIVE_MS
from app.services.counts import job_counts
from app.services.request_metrics import RequestCollector

# SeaTunnel's type label is the lower-case status, with its own spellings for these two
# (a job waiting for a slot is "scheduled" there); our extra statuses keep their own names
_TYPE_LABELS = {JobStatus.CANCELING: "cancelling", JobStatus.PENDING: "scheduled"}


class ClusterCollector(Collector):
    """Job counts by status, running jobs' source/sink counters and slots, from the database."""

    def __init__(self, db: Database, cluster_name: str = "seatunnel") -> None:
        self.db = db
        self.cluster = cluster_name

    def collect(self) -> Iterator:
        counts = job_counts(self.db)
        job_count = GaugeMetricFamily("job_count", "Jobs by status", labels=["cluster", "type"])
        for status in JobStatus:
            label = _TYPE_LABELS.get(status, status.value.lower())
            job_count.add_metric([self.cluster, label], float(counts.get(status.value, 0)))
        yield job_count

        source = CounterMetricFamily(
            "job_source_received_rows",
            "Rows read by a running job's sources",
            labels=["job_id", "job_name"],
        )
        sink = CounterMetricFamily(
            "job_sink_write_rows",
            "Rows written by a running job's sinks",
            labels=["job_id", "job_name"],
        )
        live_since = db_now_ms() - WORKER_LIVE_MS
        with self.db.read() as conn:
            jobs = conn.execute(
                sa.select(Job.id, Job.name, Job.metrics).where(Job.status.in_(RUNNING_STATUSES))
            ).all()
            workers = conn.execute(
                sa.select(Worker.id, Worker.node_id, Worker.slots).where(
                    Worker.heartbeat_ms >= live_since
                )
            ).all()
            busy = dict(
                conn.execute(
                    sa.select(Job.owner, sa.func.count())
                    .where(Job.status.in_(RUNNING_STATUSES), Job.owner.is_not(None))
                    .group_by(Job.owner)
                ).all()
            )
        for job in jobs:
            metrics = orjson.loads(job.metrics) if job.metrics else {}
            labels = [str(job.id), job.name]
            source.add_metric(labels, float(metrics.get("SourceReceivedCount", 0)))
            sink.add_metric(labels, float(metrics.get("SinkWriteCount", 0)))
        yield source
        yield sink

        total = GaugeMetricFamily("node_slots_total", "Job slots of a live node", labels=["node"])
        free = GaugeMetricFamily(
            "node_slots_unassigned", "Free job slots of a live node", labels=["node"]
        )
        per_node: dict[str, list[int]] = {}
        for worker in workers:
            slots = per_node.setdefault(worker.node_id, [0, 0])
            slots[0] += worker.slots
            slots[1] += max(worker.slots - busy.get(worker.id, 0), 0)
        for node, (slots, unassigned) in sorted(per_node.items()):
            total.add_metric([node], float(slots))
            free.add_metric([node], float(unassigned))
        yield total
        yield free


class NodeProcessCollector(Collector):
    """process_* figures for the whole node (gunicorn master and workers), not one worker."""

    def collect(self) -> Iterator:
        processes = monitoring.node_processes()
        rss = cpu = threads = fds = 0.0
        start = time.time()
        for proc in processes:
            try:
                with proc.oneshot():
                    rss += proc.memory_info().rss
                    times = proc.cpu_times()
                    cpu += times.user + times.system
                    threads += proc.num_threads()
                    fds += proc.num_fds() if hasattr(proc, "num_fds") else 0
                    start = min(start, proc.create_time())
            except psutil.Error:
                continue
        yield GaugeMetricFamily(
            "process_resident_memory_bytes", "Resident memory of the node", value=rss
        )
        yield CounterMetricFamily(
            "process_cpu_seconds", "CPU time of the node's processes", value=cpu
        )
        yield GaugeMetricFamily("process_threads", "Threads of the node's processes", value=threads)
        yield GaugeMetricFamily("process_open_fds", "Open file descriptors of the node", value=fds)
        yield GaugeMetricFamily(
            "process_start_time_seconds", "Start of the node, epoch seconds", value=start
        )
        yield GaugeMetricFamily(
            "process_count", "Processes of the node", value=float(len(processes))
        )


def scrape_registry(
    db: Database, node_id: str = "localhost:8080", version: str = "<unknown>"
) -> CollectorRegistry:
    """A registry with everything /metrics shows, built per scrape."""
    from app.services.telemetry_cluster import ClusterTelemetry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(RequestCollector())
    registry.register(ClusterCollector(db))
    registry.register(ClusterTelemetry(db, node_id, version))
    registry.register(NodeProcessCollector())
    return registry
