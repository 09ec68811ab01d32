"""Run-time only: a zero-copy column projection/rename shared by FieldMapper, Filter and Copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa


def projector(indexes: list[int], names: list[str]) -> Callable[[Any], Any]:
    """A function Batch -> Batch keeping columns `indexes` (repeats allowed) named `names`."""
    schema: list[pa.Schema | None] = [None]

    def project(batch: Any) -> Any:
        data = batch.data
        columns = [data.column(i) for i in indexes]
        if schema[0] is None:
            schema[0] = pa.schema(
                [pa.field(n, c.type) for n, c in zip(names, columns, strict=True)]
            )
        return batch.with_data(pa.RecordBatch.from_arrays(columns, schema=schema[0]))

    return project
