"""A compiled query for one input schema: output schema at plan time, Batch -> Batch at run time.

Order of work per batch, as in Zeta: filter (WHERE), project (select list), then each LATERAL
VIEW EXPLODE over the projected rows. Row kinds and the table id pass through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.engine.plugins.sql import nodes as nd
from app.engine.plugins.sql import sqltypes as st
from app.engine.plugins.sql.compile import Compiler, SqlError
from app.engine.plugins.sql.query import Query
from app.engine.types import Field, Schema, SeaType


@dataclass
class Output:
    """One output column: a pass-through input column index, or a computed expression."""

    field: Field
    index: int | None = None
    expr: nd.Expr | None = None


@dataclass
class Explode:
    """A compiled LATERAL VIEW: the array expression (over the projected row) and its alias."""

    expr: nd.Expr
    outer: bool
    alias: str
    element: SeaType


class Program:
    """The query compiled against `schema`."""

    def __init__(self, query: Query, schema: Schema) -> None:
        compiler = Compiler(schema, query.table)
        self.where = compiler.condition(query.where) if query.where is not None else None
        self.outputs: list[Output] = []
        for item in query.items:
            if item.node is None:
                self.outputs.extend(Output(f, i) for i, f in enumerate(schema.fields))
                continue
            expr = compiler.value(item.node)
            if isinstance(expr, nd.Column) and expr.plain:
                source = schema.fields[expr.index]
                kept = Field(item.name, source.type, source.nullable)
                self.outputs.append(Output(kept, expr.index))
            else:
                self.outputs.append(Output(Field(item.name, expr.type), expr=expr))
        fields = [o.field for o in self.outputs]
        self.explodes: list[Explode] = []
        for lateral in query.laterals:
            projected = Compiler(Schema(tuple(fields)), query.table)
            expr = projected.value(lateral.node)
            if expr.type.name != "array":
                raise SqlError(
                    f"EXPLODE needs an ARRAY, got {expr.type.display()} in `{lateral.text}`"
                )
            element: SeaType = expr.type.element or st.STRING
            self.explodes.append(Explode(expr, lateral.outer, lateral.alias, element))
            names = [f.name for f in fields]
            new = Field(lateral.alias, element)
            if lateral.alias in names:
                fields[names.index(lateral.alias)] = new
            else:
                fields.append(new)
        self.schema = Schema(tuple(fields))

    def run(self, batch: Any) -> Any:
        """Filter, project and explode one Batch (EvalError for a row that cannot be evaluated)."""
        import pyarrow as pa

        from app.engine.plugins.sql.values import materialize

        data, kinds = batch.data, batch.kinds
        if self.where is not None:
            mask = materialize(self.where.eval(nd.Ctx(data)), data.num_rows, st.BOOLEAN)
            if mask.true_count != len(mask):
                data = data.filter(mask)
                kinds = kinds.filter(mask) if kinds is not None else None
        ctx = nd.Ctx(data)
        n = data.num_rows
        columns = [
            data.column(o.index)
            if o.index is not None
            else materialize(o.expr.eval(ctx), n, o.field.type)  # type: ignore[union-attr]
            for o in self.outputs
        ]
        names = [o.field.name for o in self.outputs]
        out = pa.RecordBatch.from_arrays(columns, names=names)
        for explode in self.explodes:
            out, kinds = _explode(explode, out, kinds)
        return type(batch)(batch.table, out, kinds)


def _explode(explode: Explode, data: Any, kinds: Any) -> tuple[Any, Any]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from app.engine.plugins.sql.values import materialize

    n = data.num_rows
    arrays = materialize(explode.expr.eval(nd.Ctx(data)), n, explode.expr.type)
    lengths = pc.fill_null(pc.list_value_length(arrays), 0).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(arrays)
    if explode.outer:
        reps = np.maximum(lengths, 1)
        parents = np.repeat(np.arange(n), reps)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n else np.zeros(0, np.int64)
        within = np.arange(len(parents)) - np.repeat(np.cumsum(reps) - reps, reps)
        source = np.repeat(starts, reps) + within
        empty = np.repeat(lengths == 0, reps)
        values = (
            pc.take(flat, pa.array(source, mask=empty))
            if len(flat)
            else pa.nulls(len(parents), flat.type)
        )
    else:
        parents = np.repeat(np.arange(n), lengths)
        values = flat
    take = pa.array(parents, pa.int64())
    names = list(data.schema.names)
    columns = [pc.take(data.column(i), take) for i in range(data.num_columns)]
    if explode.alias in names:
        columns[names.index(explode.alias)] = values
    else:
        names.append(explode.alias)
        columns.append(values)
    out = pa.RecordBatch.from_arrays(columns, names=names)
    return out, (pc.take(kinds, take) if kinds is not None else None)
