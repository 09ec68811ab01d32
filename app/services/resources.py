"""Worker resources (SeaTunnel 3.0 `/resource/workers`, and the cluster snapshot of
`/pending-jobs`): each live node's slots, running jobs, CPU and memory.

CPU and memory are measured by each node (`measure()`, published with its heartbeat in the
`nodes.info` document under `resource.*` keys) and read from the database here. SeaTunnel's
"heap" figures are the JVM heap; ours are the machine's memory, which is what bounds our jobs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import orjson
import psutil
import sqlalchemy as sa

from app.models import RUNNING_STATUSES, Job, JobStatus, Node, Worker
from app.models.db import Database
from app.services.cluster import WORKER_LIVE_MS
from app.timefmt import now_ms

RESOURCE_PREFIX = "resource."


def measure() -> dict[str, str]:
    """This machine's CPU and memory, raw numbers as strings (merged into the node's info)."""
    memory = psutil.virtual_memory()
    return {
        "resource.cpu.cores": str(psutil.cpu_count() or 1),
        "resource.cpu.usage": f"{psutil.cpu_percent(interval=None):.2f}",
        "resource.memory.total": str(memory.total),
        "resource.memory.available": str(memory.available),
        "resource.memory.usage": f"{memory.percent:.2f}",
        "resource.measured.ms": str(now_ms()),
    }


@dataclass
class NodeResources:
    """One live node as the resource manager sees it."""

    id: str
    tags: dict[str, str]
    total_slots: int = 0
    used_slots: int = 0
    running_job_ids: list[int] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)

    @property
    def free_slots(self) -> int:
        """Slots not running a job."""
        return max(self.total_slots - self.used_slots, 0)

    def matches(self, wanted: dict[str, str]) -> bool:
        """Whether this node carries every tag of `wanted`."""
        return all(self.tags.get(str(k)) == str(v) for k, v in wanted.items())

    def to_json(self) -> dict:
        """SeaTunnel's WorkerResourceDiagnostic (absent figures are left out, as Gson does)."""
        host, _, port = self.id.rpartition(":")
        body: dict = {
            "address": f"[{host}]:{port}",
            "tags": self.tags,
            "totalSlots": self.total_slots,
            "freeSlots": self.free_slots,
            "usedSlots": self.used_slots,
            "dynamicSlot": False,
        }
        numbers = {
            "totalCpuCores": ("resource.cpu.cores", int),
            "availableCpuCores": ("resource.cpu.cores", int),
            "totalHeapMemoryBytes": ("resource.memory.total", int),
            "availableHeapMemoryBytes": ("resource.memory.available", int),
            "cpuUsage": ("resource.cpu.usage", float),
            "memUsage": ("resource.memory.usage", float),
        }
        for key, (source, kind) in numbers.items():
            if source in self.info:
                try:
                    body[key] = kind(self.info[source])
                except ValueError:
                    continue
        body["runningJobIds"] = sorted(self.running_job_ids)
        return body


def live_nodes(db: Database) -> list[NodeResources]:
    """Every node with a live worker, by address, with its slots and running jobs."""
    live_since = now_ms() - WORKER_LIVE_MS
    with db.read() as conn:
        workers = conn.execute(
            sa.select(Worker.id, Worker.node_id, Worker.slots).where(
                Worker.heartbeat_ms >= live_since
            )
        ).all()
        node_ids = {w.node_id for w in workers}
        nodes = conn.execute(
            sa.select(Node.id, Node.tags, Node.info).where(Node.id.in_(node_ids))
        ).all()
        running = conn.execute(
            sa.select(Job.id, Job.owner).where(
                Job.status.in_(RUNNING_STATUSES),
                Job.status != JobStatus.PENDING.value,
                Job.owner.in_([w.id for w in workers]),
            )
        ).all()
    by_id = {
        n.id: NodeResources(n.id, orjson.loads(n.tags or "{}"), info=orjson.loads(n.info or "{}"))
        for n in nodes
    }
    owner_node = {w.id: w.node_id for w in workers}
    for worker in workers:
        if worker.node_id in by_id:
            by_id[worker.node_id].total_slots += worker.slots
    for job in running:
        node = by_id.get(owner_node.get(job.owner, ""))
        if node is not None:
            node.used_slots += 1
            node.running_job_ids.append(job.id)
    return [by_id[k] for k in sorted(by_id)]


def worker_snapshot(db: Database) -> dict:
    """SeaTunnel's WorkerResourceSnapshot: `{available, collectedAt, workers}`."""
    collected = int(time.time() * 1000)
    return {
        "available": True,
        "collectedAt": collected,
        "workers": [node.to_json() for node in live_nodes(db)],
    }
