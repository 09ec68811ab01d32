"""Run-time only: map SeaTunnel types and schemas to Arrow, and numpy arrays to Arrow arrays
(imports pyarrow and numpy)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from app.engine.types import Schema, SeaType

_SIMPLE = {
    "string": pa.string(),
    "boolean": pa.bool_(),
    "tinyint": pa.int8(),
    "smallint": pa.int16(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "bytes": pa.binary(),
    "date": pa.date32(),
    "time": pa.time64("us"),
    "timestamp": pa.timestamp("us"),
    "null": pa.null(),
}


def arrow_type(sea: SeaType) -> pa.DataType:
    """The Arrow type that carries a SeaTunnel type."""
    if sea.name == "decimal":
        return pa.decimal128(sea.precision, sea.scale)
    if sea.name == "array":
        return pa.list_(arrow_type(sea.element))  # type: ignore[arg-type]
    if sea.name == "map":
        return pa.map_(arrow_type(sea.key), arrow_type(sea.value))  # type: ignore[arg-type]
    if sea.name == "row":
        return pa.struct([pa.field(f.name, arrow_type(f.type)) for f in sea.fields])
    return _SIMPLE[sea.name]


def arrow_schema(schema: Schema) -> pa.Schema:
    """The Arrow schema of a table schema."""
    return pa.schema([pa.field(f.name, arrow_type(f.type)) for f in schema.fields])


def from_numpy(values: np.ndarray, arrow: pa.DataType | None = None) -> pa.Array:
    """A null-free Arrow array over a 1-D numpy array of fixed-width values (or booleans), as
    `arrow` (same width as the dtype) or the dtype's own Arrow type.

    Not `pa.array(values)`: that asks pyarrow's pandas shim whether `values` is a pandas Series,
    and the question imports pandas when it is installed, about 37 MiB of RSS in every worker
    process (issue 12) for an answer that is always no here.
    """
    if values.ndim != 1:
        raise ValueError("from_numpy takes a 1-D array")
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    arrow = arrow or pa.from_numpy_dtype(values.dtype)
    if arrow.bit_width != values.dtype.itemsize * 8:
        raise ValueError(f"{values.dtype} values cannot be read as {arrow}")
    data = np.ascontiguousarray(values)
    return pa.Array.from_buffers(arrow, len(data), [None, pa.py_buffer(data)])
