"""Liveness and readiness of this process, and the Hazelcast health and cluster views built
from the `nodes` / `workers` tables (what deployment scripts and e2e containers poll)."""

from __future__ import annotations

import sqlalchemy as sa

from app.models.db import Database
from app.services import cluster

# Hazelcast's NodeState / ClusterState names
ACTIVE, SHUT_DOWN, PASSIVE = "ACTIVE", "SHUT_DOWN", "PASSIVE"


def database_ready(db: Database) -> tuple[bool, str]:
    """Whether the database answers a trivial query now: (ok, reason when not)."""
    try:
        with db.read() as conn:
            conn.execute(sa.text("SELECT 1")).scalar()
    except Exception as exc:  # any driver error means "not ready"
        return False, type(exc).__name__
    return True, ""


def node_state(executor_stopping: bool) -> str:
    """Hazelcast's NodeState of this process: SHUT_DOWN once its executor is stopping."""
    return SHUT_DOWN if executor_stopping else ACTIVE


def hazelcast_address(node_id: str) -> str:
    """A node id `host:port` as Hazelcast's Address.toString() prints it: `[host]:port`."""
    host, _, port = node_id.rpartition(":")
    return f"[{host}]:{port}"


def cluster_members(db: Database, self_node: str, version: str) -> list[dict]:
    """Hazelcast's /hazelcast/rest/cluster `members`: every live node, oldest (master) first.

    Our nodes are never lite members (every node runs jobs); the uuid is derived from the
    node id, so it is stable across requests and processes.
    """
    import uuid

    members = []
    for node in cluster.live_nodes(db):
        members.append(
            {
                "address": hazelcast_address(node.id),
                "liteMember": False,
                "localMember": node.id == self_node,
                "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"seatunnel-node:{node.id}")),
                "memberVersion": version,
            }
        )
    if not any(m["localMember"] for m in members):
        # this node has not heart-beaten yet (or runs no executor): it still is a member
        members.append(
            {
                "address": hazelcast_address(self_node),
                "liteMember": False,
                "localMember": True,
                "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"seatunnel-node:{self_node}")),
                "memberVersion": version,
            }
        )
    return members
