"""Run-time only: map SeaTunnel types and schemas to Arrow (imports pyarrow)."""

from __future__ import annotations

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
