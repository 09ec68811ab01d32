"""Connect plugins into a DAG: resolve plugin_input/plugin_output, default inputs, cycles, table schemas."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.engine.errors import ConfigError
from app.engine.options import show
from app.engine.plugin import Plugin, TableInfo


@dataclass
class Vertex:
    """One plugin in the DAG; ids count sources, then transforms, then sinks, from 1."""

    id: int
    kind: str
    index: int
    written_name: str
    plugin: Plugin
    inputs: list[int] = field(default_factory=list)
    tables_in: list[tuple[int, TableInfo]] = field(default_factory=list)
    tables_out: list[TableInfo] = field(default_factory=list)

    @property
    def where(self) -> str:
        """Its place in the config, e.g. source[0]."""
        return f"{self.kind}[{self.index}]"

    def table_paths(self) -> list[str]:
        """Distinct table paths produced (sources) or received (transforms, sinks), in order."""
        tables = self.tables_out if self.kind == "source" else [t for _, t in self.tables_in]
        return list(dict.fromkeys(t.path for t in tables))


def wire(vertices: list[Vertex]) -> list[Vertex]:
    """Resolve every vertex's inputs and tables; returns the vertices in a runnable (topological) order."""
    producers = _outputs(vertices)
    sources = [v for v in vertices if v.kind == "source"]
    transforms = [v for v in vertices if v.kind == "transform"]
    for vertex in vertices:
        if vertex.kind == "source":
            continue
        names = vertex.plugin.values.get("plugin_input") or []
        if names:
            vertex.inputs = _named_inputs(vertex, names, producers)
        else:
            vertex.inputs = [_default_input(vertex, sources, transforms)]
    order = _topological(vertices)
    by_id = {v.id: v for v in vertices}
    widths = 0
    for vertex in order:
        if vertex.kind == "source":
            vertex.tables_out = vertex.plugin.tables()  # type: ignore[attr-defined]
            widths = _count_fields(vertex, widths)
            continue
        vertex.tables_in = [(p, t) for p in vertex.inputs for t in by_id[p].tables_out]
        if vertex.kind == "sink":
            vertex.plugin.check_tables([t for _, t in vertex.tables_in])  # type: ignore[attr-defined]
        if vertex.kind == "transform":
            vertex.tables_out = []
            for _, table in vertex.tables_in:
                schema = vertex.plugin.output_schema(table.schema)  # type: ignore[attr-defined]
                vertex.tables_out.append(TableInfo(table.path, schema))
                widths = _count_fields(vertex, widths, len(schema.fields))
    return order


def _count_fields(vertex: Vertex, widths: int, added: int | None = None) -> int:
    """Fields over every table the plan holds, capped by limits.fields: chained transforms
    (Copy after Copy ...) would otherwise grow planning memory quadratically."""
    if added is None:
        added = sum(len(t.schema.fields) for t in vertex.tables_out)
    widths += added
    limits = vertex.plugin.limits
    if widths > limits.fields:
        raise vertex.plugin.error(
            "plugin_input",
            f"brings the plan over {limits.fields} fields in all tables "
            f"({limits.describe('fields')})",
        )
    return widths


def _outputs(vertices: list[Vertex]) -> dict[str, Vertex]:
    producers: dict[str, Vertex] = {}
    for vertex in vertices:
        name = vertex.plugin.values.get("plugin_output")
        if vertex.kind == "sink" or not name:
            continue
        if name in producers:
            raise ConfigError(
                f"Plugin '{vertex.plugin.plugin_name}' ({vertex.where}): option 'plugin_output' "
                f"{show(name)} is already produced by {producers[name].where}"
            )
        producers[name] = vertex
    return producers


def _named_inputs(vertex: Vertex, names: list[str], producers: dict[str, Vertex]) -> list[int]:
    inputs: list[int] = []
    for name in names:
        producer = producers.get(name)
        if producer is None:
            raise vertex.plugin.error(
                "plugin_input", f"names table {show(name)} that no source or transform produces"
            )
        if producer.id == vertex.id:
            raise vertex.plugin.error(
                "plugin_input", f"names its own output {show(name)} (a cycle)"
            )
        if producer.id not in inputs:
            inputs.append(producer.id)
    return inputs


def _default_input(vertex: Vertex, sources: list[Vertex], transforms: list[Vertex]) -> int:
    if vertex.kind == "transform" and vertex.index > 0:
        return transforms[vertex.index - 1].id
    if vertex.kind == "sink" and transforms:
        return transforms[-1].id
    if len(sources) == 1:
        return sources[0].id
    raise vertex.plugin.error(
        "plugin_input",
        f"is required: the input is ambiguous ({len(sources)} sources and no previous transform)",
    )


def _topological(vertices: list[Vertex]) -> list[Vertex]:
    """Layer by layer (each layer in config order), linear in vertices and edges."""
    position = {v.id: i for i, v in enumerate(vertices)}
    waiting = {v.id: len(set(v.inputs)) for v in vertices}
    consumers: dict[int, list[Vertex]] = {}
    for vertex in vertices:
        for producer in set(vertex.inputs):
            consumers.setdefault(producer, []).append(vertex)
    layer = [v for v in vertices if waiting[v.id] == 0]
    order: list[Vertex] = []
    while layer:
        order.extend(layer)
        following = []
        for vertex in layer:
            for consumer in consumers.get(vertex.id, ()):
                waiting[consumer.id] -= 1
                if waiting[consumer.id] == 0:
                    following.append(consumer)
        layer = sorted(following, key=lambda v: position[v.id])
    if len(order) < len(vertices):
        placed = {v.id for v in order}
        stuck = next(v for v in vertices if v.id not in placed)
        raise stuck.plugin.error("plugin_input", "forms a cycle between transforms")
    return order
