"""Run-time only: SeaTunnel's row byte sizes summed over a whole batch, column by column (imports pyarrow)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# bytes per non-null value of fixed-size SeaTunnel types (reference §7)
_FIXED = {
    pa.types.is_boolean: 1,
    pa.types.is_int8: 1,
    pa.types.is_int16: 2,
    pa.types.is_int32: 4,
    pa.types.is_float32: 4,
    pa.types.is_int64: 8,
    pa.types.is_float64: 8,
    pa.types.is_decimal: 36,
    pa.types.is_date: 24,
    pa.types.is_time: 12,
    pa.types.is_timestamp: 48,
}


@lru_cache(maxsize=512)
def _fixed_size(kind: pa.DataType) -> int:
    """Bytes per value of a fixed-size type, 0 for any other (once per type, not per batch)."""
    return next((size for test, size in _FIXED.items() if test(kind)), 0)


def batch_bytes(data: pa.RecordBatch) -> int:
    """Sum of SeaTunnel row sizes over every row of `data`."""
    return sum(array_bytes(column) for column in data.columns)


def array_bytes(array: pa.Array) -> int:
    """Sum of SeaTunnel value sizes over one column (nulls count 0)."""
    if isinstance(array, pa.ChunkedArray):
        return sum(array_bytes(chunk) for chunk in array.chunks)
    kind = array.type
    if pa.types.is_null(kind) or len(array) == 0:
        return 0
    size = _fixed_size(kind)
    if size:
        return size * (len(array) - array.null_count)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _string_bytes(array)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        if array.null_count == 0:
            return _offset_span(array)
        return int(pc.sum(pc.binary_length(array)).as_py() or 0)
    if pa.types.is_map(kind):
        valid = array if array.null_count == 0 else array.filter(array.is_valid())
        flat = pa.ListArray.from_arrays(valid.offsets, valid.values).flatten()  # slice-aware
        return array_bytes(flat.field(0)) + array_bytes(flat.field(1))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return array_bytes(array.flatten())
    if pa.types.is_struct(kind):
        valid = array if array.null_count == 0 else array.filter(array.is_valid())
        return sum(array_bytes(valid.field(i)) for i in range(kind.num_fields))
    if pa.types.is_dictionary(kind):
        return array_bytes(array.dictionary_decode())
    return 0


def _offset_span(array: pa.Array) -> int:
    offsets = array.buffers()[1]
    width = 8 if pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type) else 4
    view = np.frombuffer(offsets, dtype=np.int64 if width == 8 else np.int32)
    return int(view[array.offset + len(array)]) - int(view[array.offset])


def _string_bytes(array: pa.Array) -> int:
    """Character count: the byte span when the data is ASCII (one byte per character), else utf8_length."""
    if array.null_count == 0:
        width = 8 if pa.types.is_large_string(array.type) else 4
        offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if width == 8 else np.int32)
        first = int(offsets[array.offset])
        last = int(offsets[array.offset + len(array)])
        data = array.buffers()[2]
        if last == first:
            return 0
        chars = np.frombuffer(data, dtype=np.uint8, count=last - first, offset=first)
        if int(chars.max()) < 0x80:
            return last - first
    return int(pc.sum(pc.utf8_length(array)).as_py() or 0)
