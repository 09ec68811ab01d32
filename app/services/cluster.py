"""Cluster use-cases: node registration and the overview figures, computed from live workers."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.models import RUNNING_STATUSES, Job, Node, Worker
from app.models.clock import db_now_ms
from app.models.db import Database
from app.services.counts import job_counts
from app.timefmt import now_ms

# A worker heart-beats every HEARTBEAT_MS from its own thread, stamping the database's clock; one
# silent for WORKER_LIVE_MS no longer counts as live. That is longer than a lock wait plus two
# heartbeat intervals, so a heartbeat delayed by a lock never makes a live worker look dead.
HEARTBEAT_MS = 2_000
WORKER_LIVE_MS = 20_000


def project_version() -> str:
    """Our package version ("<unknown>" when not installed, as SeaTunnel says)."""
    try:
        return metadata.version("seatunnel-rest")
    except metadata.PackageNotFoundError:
        return "<unknown>"


def git_commit_abbrev() -> str:
    """The checked-out commit, read from .git without running git ("DeadD0d0" if unknown)."""
    git = Path(__file__).resolve().parents[2] / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            ref_file = git / ref
            if ref_file.exists():
                head = ref_file.read_text().strip()
            else:
                packed = (git / "packed-refs").read_text().splitlines()
                head = next(line.split()[0] for line in packed if line.endswith(" " + ref))
        return head[:7] if len(head) >= 7 else "DeadD0d0"
    except (OSError, StopIteration):
        return "DeadD0d0"


def register_node(db: Database, node_id: str, host: str, port: int, tags: dict[str, str]) -> None:
    """Create this node's row on first start; a restart keeps the tags set through update-tags.

    Every worker process of the node calls this at boot, concurrently: the one whose insert
    loses the race (a unique violation on PostgreSQL) just refreshes the heartbeat.
    """
    now = now_ms()

    def touch() -> int:
        with db.write() as session:
            update = sa.update(Node).where(Node.id == node_id).values(heartbeat_ms=db_now_ms())
            return session.execute(update).rowcount

    if touch():
        return
    try:
        with db.write() as session:
            session.add(
                Node(
                    id=node_id,
                    host=host,
                    port=port,
                    tags=orjson.dumps(tags).decode(),
                    started_ms=now,
                    heartbeat_ms=now,
                )
            )
    except IntegrityError:
        touch()


def _matches(tags_json: str, wanted: dict[str, str]) -> bool:
    if not wanted:
        return True
    tags = orjson.loads(tags_json or "{}")
    return all(tags.get(key) == value for key, value in wanted.items())


def overview(db: Database, tag_filter: dict[str, str], version: str, commit: str) -> dict[str, str]:
    """SeaTunnel's overview: slots and workers of live nodes matching every tag; job counts."""
    live_since = db_now_ms() - WORKER_LIVE_MS
    with db.read() as conn:
        workers = conn.execute(
            sa.select(Worker.id, Worker.node_id, Worker.slots, Node.tags)
            .join(Node, Node.id == Worker.node_id)
            .where(Worker.heartbeat_ms >= live_since)
        ).all()
        matching = [w for w in workers if _matches(w.tags, tag_filter)]
        busy = 0
        if matching:
            busy = conn.execute(
                sa.select(sa.func.count())
                .select_from(Job)
                .where(Job.owner.in_([w.id for w in matching]), Job.status.in_(RUNNING_STATUSES))
            ).scalar_one()
    counts = job_counts(db)
    total_slots = sum(w.slots for w in matching)
    nodes = len({w.node_id for w in matching})
    return {
        "projectVersion": version,
        "gitCommitAbbrev": commit,
        "totalSlot": str(total_slots),
        "unassignedSlot": str(max(total_slots - busy, 0)),
        "runningJobs": str(sum(counts.get(s, 0) for s in RUNNING_STATUSES)),
        "pendingJobs": str(counts.get("PENDING", 0)),
        "finishedJobs": str(counts.get("FINISHED", 0)),
        "failedJobs": str(counts.get("FAILED", 0)),
        "cancelledJobs": str(counts.get("CANCELED", 0)),
        "workers": str(nodes),
        "works": str(nodes),  # the docs' spelling, same value
    }


def live_nodes(db: Database) -> list[Node]:
    """Nodes with at least one live worker process, oldest first (the oldest acts as master)."""
    live_since = db_now_ms() - WORKER_LIVE_MS
    with db.read() as conn:
        live = sa.select(Worker.node_id).where(Worker.heartbeat_ms >= live_since)
        return list(
            conn.execute(
                sa.select(Node).where(Node.id.in_(live)).order_by(Node.started_ms, Node.id)
            ).all()
        )


def update_tags(db: Database, node_id: str, tags: dict[str, str]) -> None:
    """Replace the tags of node `node_id` ({} clears them)."""
    with db.write() as session:
        node = session.get(Node, node_id)
        if node is None:
            host, _, port = node_id.rpartition(":")
            now = now_ms()
            node = Node(
                id=node_id, host=host, port=int(port or 0), started_ms=now, heartbeat_ms=now
            )
            session.add(node)
        node.tags = orjson.dumps(tags).decode()


def node_tags(db: Database, node_id: str) -> dict[str, str]:
    """The current tags of a node."""
    with db.read() as conn:
        tags = conn.execute(sa.select(Node.tags).where(Node.id == node_id)).scalar()
    return orjson.loads(tags or "{}")


def publish_node_info(db: Database, node_id: str, info: dict[str, str]) -> None:
    """Store this node's latest health figures for every process of every node to serve."""
    with db.write() as session:
        session.execute(
            sa.update(Node)
            .where(Node.id == node_id)
            .values(info=orjson.dumps(info).decode(), heartbeat_ms=db_now_ms())
        )


def monitoring(db: Database) -> list[dict[str, str]]:
    """One entry per live node, master (oldest) first: isMaster, host, port, then its figures."""
    entries = []
    for index, node in enumerate(live_nodes(db)):
        entry = {
            "isMaster": "true" if index == 0 else "false",
            "host": node.host,
            "port": str(node.port),
        }
        entry.update(orjson.loads(node.info or "{}"))
        entries.append(entry)
    return entries
