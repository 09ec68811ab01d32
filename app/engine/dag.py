"""Render a wired plan as SeaTunnel's (physical) jobDag object, after its ExecutionPlanGenerator:
execution vertices renumbered in edge order, every linear run of transforms fused into one
TransformChain vertex (numbered after the others), components with a union (a vertex with
several inputs) split into one pipeline per source-to-sink path (PipelineGenerator.splitUnionEdge),
vertex names prefixed with their pipeline, table paths as DAGUtils.getTablePaths gives them.

Not rendered: SeaTunnel's Shuffle vertex (a single multi-table source feeding several sinks).

Ours, after SeaTunnel's keys: each vertex's `schemas`, the plan-time schemas of the tables it
produces (a source, a transform chain: the chain's output) or receives (a sink), one entry
`{"tablePath", "fields": [{"name", "type", "nullable"}]}` per distinct table; SeaTunnel clients
read only the keys they know. A jobDag stored before this key existed simply lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from app.engine.plugin import TableInfo
from app.engine.wiring import Vertex

_ACTION = {"source": "Source", "transform": "Transform", "sink": "Sink"}
# Bytes (about) of `schemas` JSON in one jobDag: a plan may hold limits.fields fields and a
# chain of Copy transforms multiplies wide ROW types, but the stored jobDag is served with every
# job listing. Fields past the budget are left out, and an entry missing some says
# "truncated": true. A field costs its name, its type and FIELD_COST for the JSON around them.
SCHEMA_BUDGET = 1_000_000
FIELD_COST = 40


@dataclass(eq=False)
class _Node:
    """An execution vertex: an action (source, transform, chain or sink) with its own id."""

    id: int
    kind: str
    name: str
    table_paths: list[str] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)  # for `schemas`
    members: tuple[int, ...] = ()  # the plan vertex ids it runs (several for a TransformChain)


def action_name(vertex: Vertex) -> str:
    """`Source[0]-FakeSource`; sinks keep the name as written plus -MultiTableSink."""
    action = f"{_ACTION[vertex.kind]}[{vertex.index}]"
    if vertex.kind == "sink":
        return f"{action}-{vertex.written_name}-MultiTableSink"
    return f"{action}-{vertex.plugin.plugin_name}"


def vertex_name(vertex: Vertex, pipeline: int) -> str:
    """`pipeline-1 [Source[0]-FakeSource]`."""
    return f"pipeline-{pipeline} [{action_name(vertex)}]"


def vertex_tables(vertex: Vertex) -> list[TableInfo]:
    """The tables a vertex shows schemas of: produced (source, transform) or received (sink),
    one per distinct path and schema, in order."""
    tables = [t for _, t in vertex.tables_in] if vertex.kind == "sink" else vertex.tables_out
    seen: dict[str, list[TableInfo]] = {}
    distinct: list[TableInfo] = []
    for table in tables:
        same_path = seen.setdefault(table.path, [])
        if not any(t.schema == table.schema for t in same_path):
            same_path.append(table)
            distinct.append(table)
    return distinct


class _Schemas:
    """Renders `schemas` entries within a budget of JSON bytes for the whole jobDag."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def render(self, tables: list[TableInfo]) -> list[dict]:
        """One entry per table; its fields in order while the budget lasts."""
        entries = []
        for table in tables:
            fields: list[dict] = []
            for f in table.schema.fields:
                if self.left <= 0:
                    break
                shown = f.type.display()
                self.left -= len(f.name) + len(shown) + FIELD_COST
                fields.append({"name": f.name, "type": shown, "nullable": f.nullable})
            entry: dict = {"tablePath": table.path, "fields": fields}
            if len(fields) < len(table.schema.fields):
                entry["truncated"] = True
            entries.append(entry)
        return entries


def job_dag(job_id: str, vertices: list[Vertex], env_options: dict[str, str]) -> dict:
    """The jobDag object of job-info (reference §2.3), keys in SeaTunnel's order, plus `schemas`."""
    ids = count(1)
    pipelines = _pipelines(vertices, ids)
    edges: dict[str, list[dict]] = {}
    infos: dict[int, dict] = {}
    nodes_by_id: dict[int, _Node] = {}
    connected = {p for v in vertices for p in v.inputs} | {v.id for v in vertices if v.inputs}
    for vertex in sorted(vertices, key=lambda v: v.id):
        if vertex.id not in connected:  # ours: SeaTunnel drops a plugin nothing connects to
            node = _Node(next(ids), vertex.kind, action_name(vertex), vertex.table_paths())
            node.tables = vertex_tables(vertex)
            pipelines.append([node])
    schemas = _Schemas(SCHEMA_BUDGET)
    for number, pipeline in enumerate(pipelines, start=1):
        path_edges = [e for e in pipeline if isinstance(e, tuple)]
        edges[str(number)] = [
            {"inputVertexId": str(a.id), "targetVertexId": str(b.id)} for a, b in path_edges
        ]
        nodes = [n for e in pipeline for n in (e if isinstance(e, tuple) else (e,))]
        for node in nodes:
            nodes_by_id[node.id] = node
            infos[node.id] = {
                "vertexId": node.id,
                "type": node.kind,
                "vertexName": f"pipeline-{number} [{node.name}]",
                "tablePaths": list(node.table_paths),
            }
    for i in sorted(infos):  # in vertex order, so a truncation hits the last vertices
        infos[i]["schemas"] = schemas.render(nodes_by_id[i].tables)
    return {
        "jobId": str(job_id),
        "pipelineEdges": edges,
        "envOptions": dict(env_options),
        "vertexInfoMap": [infos[i] for i in sorted(infos)],
    }


def runtime_ids(vertices: list[Vertex]) -> dict[tuple[int, int], int]:
    """{(source plan id, plan vertex id): jobDag vertex id}: where the runtime's pipeline of a
    source (pipeline.py) reports what it measures. A transform maps to its TransformChain; in a
    component split at a union, a vertex copied onto several paths of one source maps to the
    copy on the first of them."""
    result: dict[tuple[int, int], int] = {}
    for pipeline in _pipelines(vertices, count(1)):
        nodes = list(dict.fromkeys(n for edge in pipeline for n in edge))
        source = next((n for n in nodes if n.kind == "source"), None)
        if source is None or not source.members:
            continue
        for node in nodes:
            for member in node.members:
                result.setdefault((source.members[0], member), node.id)
    return result


def _pipelines(vertices: list[Vertex], ids: count) -> list[list]:
    edges = _execution_edges(vertices, ids)
    edges = _chain_transforms(edges, ids)
    result: list[list] = []
    copies = count(1)  # PipelineGenerator's own id sequence, used only when it splits
    remaining = list(edges)
    while remaining:
        component = _related(remaining, remaining[0][0])
        result += _split_unions(component, copies)
    return result


def _execution_edges(vertices: list[Vertex], ids: count) -> list[tuple[_Node, _Node]]:
    """Logical edges sorted by (input, target) ids; vertices renumbered as first met."""
    by_id = {v.id: v for v in vertices}
    nodes: dict[int, _Node] = {}

    def node(vid: int) -> _Node:
        if vid not in nodes:
            vertex = by_id[vid]
            paths = [] if vertex.kind == "transform" else vertex.table_paths()
            nodes[vid] = _Node(next(ids), vertex.kind, action_name(vertex), paths, members=(vid,))
            nodes[vid].tables = vertex_tables(vertex)
        return nodes[vid]

    result = []
    for producer, target in sorted((p, v.id) for v in vertices for p in v.inputs):
        result.append((node(producer), node(target)))
    return result


def _maps(edges: list[tuple[_Node, _Node]]) -> tuple[dict, dict]:
    inputs: dict[int, list[_Node]] = {}
    targets: dict[int, list[_Node]] = {}
    for a, b in edges:
        inputs.setdefault(b.id, []).append(a)
        targets.setdefault(a.id, []).append(b)
    return inputs, targets


def _chain_transforms(edges: list[tuple[_Node, _Node]], ids: count) -> list[tuple[_Node, _Node]]:
    """Fuse each linear run of transforms (each transform after the first has one input, each
    but the last one target) into a TransformChain vertex with a new id."""
    inputs, targets = _maps(edges)
    removed: set[tuple[int, int]] = set()
    chain_of: dict[int, _Node] = {}

    def collect(node: _Node, chained: list[_Node]) -> None:
        if node.kind != "transform":
            return
        if not chained:
            chained.append(node)
        elif len(inputs.get(node.id, [])) == 1:
            removed.add((chained[-1].id, node.id))
            chained.append(node)
        else:
            return
        after = targets.get(node.id, [])
        if len(after) == 1:
            collect(after[0], chained)

    sources = list(dict.fromkeys(a for a, _ in edges if a.kind == "source"))
    for source in sources:
        queue = [source]
        for node in queue:
            if node.id not in chain_of:
                chained: list[_Node] = []
                collect(node, chained)
                if chained:
                    names = "->".join(n.name for n in chained)
                    members = tuple(m for n in chained for m in n.members)
                    chain = _Node(
                        next(ids), "transform", f"TransformChain[{names}]", members=members
                    )
                    chain.tables = chained[-1].tables  # the chain's output
                    for member in chained:
                        chain_of[member.id] = chain
            queue += targets.get(node.id, [])
    result: dict[tuple[int, int], tuple[_Node, _Node]] = {}
    for a, b in edges:
        if (a.id, b.id) in removed:
            continue
        a, b = chain_of.get(a.id, a), chain_of.get(b.id, b)
        result.setdefault((a.id, b.id), (a, b))
    return list(result.values())


def _related(edges: list[tuple[_Node, _Node]], node: _Node) -> list[tuple[_Node, _Node]]:
    """Remove and return the edges connected to `node` (PipelineGenerator.findVertexRelatedEdge)."""
    out = [e for e in edges if e[0] is node]
    into = [e for e in edges if e[1] is node]
    related = out + into
    for edge in related:
        edges.remove(edge)
    for other in [b for _, b in out] + [a for a, _ in into]:
        related += _related(edges, other)
    return related


def _split_unions(
    component: list[tuple[_Node, _Node]], copies: count
) -> list[list[tuple[_Node, _Node]]]:
    """A component with a union becomes one pipeline per source-to-leaf path, every vertex
    copied under a new id; any other component stays one pipeline."""
    inputs, targets = _maps(component)
    if not any(len(inputs[b.id]) > 1 for _, b in component):
        return [component]
    order = list(dict.fromkeys(n for edge in component for n in edge))
    sources = [n for n in order if not inputs.get(n.id)]
    paths: list[list[tuple[_Node, _Node]]] = []

    def copy(node: _Node) -> _Node:
        return _Node(
            next(copies), node.kind, node.name, node.table_paths, node.tables, node.members
        )

    def walk(path: list[_Node], node: _Node) -> None:
        path.append(copy(node))
        after = targets.get(node.id, [])
        if not after:
            paths.append(list(zip(path, path[1:], strict=False)))
            return
        for i, target in enumerate(after):
            if i > 0:
                path = [copy(n) for n in path]
            walk(path, target)
            path.pop()

    for source in sources:
        walk([], source)
    return paths
