"""Render a wired plan as SeaTunnel's jobDag object: pipelines, edges and vertex infos."""

from __future__ import annotations

from app.engine.wiring import Vertex

_ACTION = {"source": "Source", "transform": "Transform", "sink": "Sink"}


def pipelines(vertices: list[Vertex]) -> dict[int, int]:
    """vertex id -> pipeline number: connected components numbered from 1 by their first vertex."""
    parent = {v.id: v.id for v in vertices}

    def root(vid: int) -> int:
        while parent[vid] != vid:
            parent[vid] = parent[parent[vid]]
            vid = parent[vid]
        return vid

    for vertex in vertices:
        for producer in vertex.inputs:
            a, b = root(vertex.id), root(producer)
            if a != b:
                parent[max(a, b)] = min(a, b)
    numbers: dict[int, int] = {}
    result: dict[int, int] = {}
    for vertex in sorted(vertices, key=lambda v: v.id):
        top = root(vertex.id)
        numbers.setdefault(top, len(numbers) + 1)
        result[vertex.id] = numbers[top]
    return result


def vertex_name(vertex: Vertex, pipeline: int) -> str:
    """`pipeline-1 [Source[0]-FakeSource]`; sinks keep the name as written plus -MultiTableSink."""
    action = f"{_ACTION[vertex.kind]}[{vertex.index}]"
    if vertex.kind == "sink":
        return f"pipeline-{pipeline} [{action}-{vertex.written_name}-MultiTableSink]"
    return f"pipeline-{pipeline} [{action}-{vertex.plugin.plugin_name}]"


def job_dag(job_id: str, vertices: list[Vertex], env_options: dict[str, str]) -> dict:
    """The jobDag object of job-info (reference §2.3), keys in SeaTunnel's order."""
    ordered = sorted(vertices, key=lambda v: v.id)
    pipeline_of = pipelines(ordered)
    edges: dict[str, list[dict]] = {str(n): [] for n in sorted(set(pipeline_of.values()))}
    pairs = sorted((p, v.id) for v in ordered for p in v.inputs)
    for source, target in pairs:
        edges[str(pipeline_of[target])].append(
            {"inputVertexId": str(source), "targetVertexId": str(target)}
        )
    return {
        "jobId": str(job_id),
        "pipelineEdges": edges,
        "envOptions": dict(env_options),
        "vertexInfoMap": [
            {
                "vertexId": v.id,
                "type": v.kind,
                "vertexName": vertex_name(v, pipeline_of[v.id]),
                "tablePaths": v.table_paths(),
            }
            for v in ordered
        ],
    }
