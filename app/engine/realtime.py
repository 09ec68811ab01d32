"""Realtime busyness counters of a running job (SeaTunnel 3.0's realtime observability), by
jobDag vertex and edge.

Each subtask measures its own loop with `time.perf_counter_ns` into plain ints (no lock per
batch): time in its source reader and idle waiting for data, time and rows in each transform and
sink write, and, per route, the time the upstream spent handing a batch downstream. The runtime
hands batches over synchronously (no queue between operators), so an upstream is blocked exactly
while its downstream processes the batch: that is an edge's `emitBlockedNs`, and its queue size
and capacity are always 0. `totals()` sums every subtask into cumulative counters keyed by the
jobDag's ids; the worker turns differences between two readings into time buckets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# cumulative counters of a vertex, in SeaTunnel's point key names (sourceRecordsOut is ours)
VERTEX_FIELDS = (
    "sourceReadNs",
    "sourceIdleNs",
    "sourceRecordsOut",
    "transformProcessNs",
    "transformRecordsIn",
    "transformRecordsOut",
    "sinkWriteNs",
    "sinkRecordsIn",
    "sinkPrepareCommitNs",
    "sinkCommitNs",
    "sinkAbortNs",
)

# a route cell: [busy ns, rows in, rows out, ns the producer waited for this route]
BUSY, ROWS_IN, ROWS_OUT, BLOCKED = 0, 1, 2, 3


def route_cell() -> list[int]:
    """A new route cell (see BUSY, ROWS_IN, ROWS_OUT, BLOCKED)."""
    return [0, 0, 0, 0]


@dataclass
class SourceClock:
    """One subtask's source side: read and idle nanoseconds, rows read."""

    read_ns: int = 0
    idle_ns: int = 0
    rows: int = 0
    prepare_ns: dict[int, int] = field(default_factory=dict)  # sink plan id -> prepare_commit ns


def totals(
    ids: dict[tuple[int, int], int],
    subtasks: list[tuple[int, SourceClock, dict[tuple[int, int], list[int]]]],
    kinds: dict[int, str],
    commit_ns: dict[int, int],
) -> dict:
    """Cumulative counters by jobDag id: {"vertices": {id: {subtaskCount, <VERTEX_FIELDS>}},
    "edges": {"in->target": {subtaskCount, emitBlockedNs}}}.

    `subtasks`: (its pipeline's source plan id, SourceClock, {(producer, target) plan ids: route
    cell}); `kinds`: plan id -> kind; `commit_ns`: sink plan id -> committer nanoseconds
    (counted on the sink's first jobDag copy).
    """
    vertices: dict[int, dict[str, int]] = {}
    edges: dict[str, dict[str, int]] = {}

    def vertex(source: int, plan_id: int) -> dict[str, int] | None:
        dag_id = ids.get((source, plan_id))
        if dag_id is None:
            return None
        found = vertices.get(dag_id)
        if found is None:
            found = vertices[dag_id] = {"subtaskCount": 0, **dict.fromkeys(VERTEX_FIELDS, 0)}
        return found

    seen: set[tuple[int, int]] = set()  # (subtask, dag id): subtaskCount counts each once
    for number, (source, clock, routes) in enumerate(subtasks):
        row = vertex(source, source)
        if row is not None:
            row["sourceReadNs"] += clock.read_ns
            row["sourceIdleNs"] += clock.idle_ns
            row["sourceRecordsOut"] += clock.rows
            _count(seen, number, ids[(source, source)], row)
        for sink, ns in list(clock.prepare_ns.items()):
            target = vertex(source, sink)
            if target is not None:
                target["sinkPrepareCommitNs"] += ns
        for (producer, target_id), cell in list(routes.items()):
            row = vertex(source, target_id)
            if row is None:
                continue
            _count(seen, number, ids[(source, target_id)], row)
            if kinds.get(target_id) == "sink":
                row["sinkWriteNs"] += cell[BUSY]
                row["sinkRecordsIn"] += cell[ROWS_IN]
            else:
                row["transformProcessNs"] += cell[BUSY]
                row["transformRecordsIn"] += cell[ROWS_IN]
                row["transformRecordsOut"] += cell[ROWS_OUT]
            upstream = ids.get((source, producer))
            downstream = ids[(source, target_id)]
            if upstream is None or upstream == downstream:
                continue  # inside a TransformChain: no jobDag edge
            key = f"{upstream}->{downstream}"
            edge = edges.setdefault(key, {"subtaskCount": 0, "emitBlockedNs": 0})
            edge["emitBlockedNs"] += cell[BLOCKED]
            if (number, -downstream) not in seen:
                seen.add((number, -downstream))
                edge["subtaskCount"] += 1
    for sink, ns in commit_ns.items():
        first = min((dag for (_, plan), dag in ids.items() if plan == sink), default=None)
        if first is not None and first in vertices:
            vertices[first]["sinkCommitNs"] += ns
    return {"vertices": {str(k): v for k, v in vertices.items()}, "edges": edges}


def _count(seen: set[tuple[int, int]], number: int, dag_id: int, row: dict[str, int]) -> None:
    if (number, dag_id) not in seen:
        seen.add((number, dag_id))
        row["subtaskCount"] += 1
