"""The SeaTunnel schema of a parquet or orc file, read from its metadata (the first file of a
source defines the table, as in SeaTunnel's file sources). Imports pyarrow."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from app.engine.types import Field, Schema, SeaType

_SIMPLE = (
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_int8, "tinyint"),
    (pa.types.is_int16, "smallint"),
    (pa.types.is_int32, "int"),
    (pa.types.is_int64, "bigint"),
    (pa.types.is_uint8, "smallint"),
    (pa.types.is_uint16, "int"),
    (pa.types.is_uint32, "bigint"),
    (pa.types.is_float16, "float"),
    (pa.types.is_float32, "float"),
    (pa.types.is_float64, "double"),
    (pa.types.is_string, "string"),
    (pa.types.is_large_string, "string"),
    (pa.types.is_binary, "bytes"),
    (pa.types.is_large_binary, "bytes"),
    (pa.types.is_fixed_size_binary, "bytes"),
    (pa.types.is_date, "date"),
    (pa.types.is_time, "time"),
    (pa.types.is_timestamp, "timestamp"),
    (pa.types.is_null, "null"),
)


def columnar_schema(path: Any, fmt: str) -> Schema:
    """The schema of parquet/orc file `path` (ValueError for a type SeaTunnel has no name for)."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            arrow = pq.read_schema(path)
        else:
            import pyarrow.orc as orc

            arrow = orc.ORCFile(path).schema
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(
            f"is not a readable {fmt} file ({' '.join(str(exc).split())[:200]})"
        ) from None
    return Schema(tuple(Field(f.name, sea_type(f.type, f.name)) for f in arrow))


def sea_type(kind: pa.DataType, name: str) -> SeaType:
    """The SeaTunnel type that carries Arrow type `kind`."""
    for test, sea in _SIMPLE:
        if test(kind):
            return SeaType(sea)
    if pa.types.is_uint64(kind):
        return SeaType("decimal", 20, 0)
    if pa.types.is_decimal(kind):
        if kind.precision > 38:
            raise ValueError(f"field '{name}': decimal precision {kind.precision} is over 38")
        return SeaType("decimal", kind.precision, kind.scale)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return SeaType("array", element=sea_type(kind.value_type, name))
    if pa.types.is_map(kind):
        return SeaType(
            "map", key=sea_type(kind.key_type, name), value=sea_type(kind.item_type, name)
        )
    if pa.types.is_struct(kind):
        return SeaType(
            "row", fields=tuple(Field(f.name, sea_type(f.type, f"{name}.{f.name}")) for f in kind)
        )
    raise ValueError(f"field '{name}' has type {kind}, which this server cannot read yet")
