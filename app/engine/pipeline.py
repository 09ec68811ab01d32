"""Cut a wired plan into runtime pipelines: one per source, holding everything downstream of it.

A vertex fed by several sources (a sink, or a transform) is copied into each of their
pipelines, as SeaTunnel's PipelineGenerator.splitUnionEdge does; each copy sees only the tables
that reach it from its own source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.engine.plugin import TableInfo
from app.engine.wiring import Vertex

if TYPE_CHECKING:
    from app.engine.plan import JobPlan


@dataclass
class Pipeline:
    """A source and its downstream vertices (topological order, the source first)."""

    number: int
    source: Vertex
    vertices: list[Vertex]
    parallelism: int
    inputs: dict[int, list[int]] = field(default_factory=dict)  # vertex -> producers in here
    tables_in: dict[int, list[tuple[int, TableInfo]]] = field(default_factory=dict)

    @property
    def sinks(self) -> list[Vertex]:
        """The sink vertices of this pipeline."""
        return [v for v in self.vertices if v.kind == "sink"]


def pipelines(plan: JobPlan) -> list[Pipeline]:
    """One pipeline per source, numbered from 1 in source order."""
    order = plan.order
    result = []
    sources = sorted((v for v in order if v.kind == "source"), key=lambda v: v.id)
    for number, source in enumerate(sources, start=1):
        members = {source.id}
        vertices = [source]
        inputs: dict[int, list[int]] = {}
        tables_in: dict[int, list[tuple[int, TableInfo]]] = {}
        tables_out: dict[int, list[TableInfo]] = {source.id: list(source.tables_out)}
        for vertex in order:
            if vertex.kind == "source":
                continue
            mine = [p for p in vertex.inputs if p in members]
            if not mine:
                continue
            members.add(vertex.id)
            vertices.append(vertex)
            inputs[vertex.id] = mine
            tables_in[vertex.id] = [(p, t) for p in mine for t in tables_out[p]]
            if vertex.kind == "transform":
                mapped = {
                    (p, t.path): out
                    for (p, t), out in zip(vertex.tables_in, vertex.tables_out, strict=False)
                }
                tables_out[vertex.id] = [
                    mapped.get((p, t.path), t) for p, t in tables_in[vertex.id]
                ]
        parallelism = source.plugin.parallelism
        result.append(Pipeline(number, source, vertices, parallelism, inputs, tables_in))
    return result
