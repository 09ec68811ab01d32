"""Run-time FakeSource: whole-column generation with numpy/pyarrow and the split/round reader."""

from __future__ import annotations

import secrets
import time
from typing import Any

import numpy as np
import pyarrow as pa

from app.engine.arrow_types import arrow_schema, arrow_type
from app.engine.batch import Batch
from app.engine.plugin import RunContext, SourceReader
from app.engine.types import SeaType

_LETTERS = np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_LETTER_OF_BYTE = np.resize(_LETTERS, 256)  # random byte -> letter, one table lookup per character
_INT_DTYPES = {"tinyint": np.int8, "smallint": np.int16, "int": np.int32, "bigint": np.int64}
_DAY_US = 86_400_000_000
_EPOCH_2030_DAYS = 21915


class Generator:
    """Makes whole random columns for a schema from one numpy Generator."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def column(self, sea: SeaType, n: int, rng: np.random.Generator) -> pa.Array:
        """A random column of `n` values of type `sea`."""
        name = sea.name
        if name == "string":
            return self._text(pa.string(), n, self.values["string.length"], rng)
        if name == "bytes":
            return self._text(pa.binary(), n, self.values["bytes.length"], rng)
        if name in _INT_DTYPES:
            return pa.array(self._integers(name, n, rng))
        if name in ("float", "double"):
            low, high = self.values[f"{name}.min"], self.values[f"{name}.max"]
            unit = rng.random(n)
            data = low * (1.0 - unit) + high * unit  # no overflow for the full double range
            return pa.array(data.astype(np.float32) if name == "float" else data)
        if name == "boolean":
            return pa.array(_random_bytes(rng, n) >= 128)
        if name == "decimal":
            return _decimals(sea, n, rng)
        if name == "date":
            return pa.array(rng.integers(0, _EPOCH_2030_DAYS, n, dtype=np.int32), pa.date32())
        if name == "time":
            seconds = rng.integers(0, 86_400, n, dtype=np.int64)
            return pa.array(seconds * 1_000_000, pa.time64("us"))
        if name == "timestamp":
            seconds = rng.integers(0, _EPOCH_2030_DAYS * 86_400, n, dtype=np.int64)
            return pa.array(seconds * 1_000_000, pa.timestamp("us"))
        if name == "null":
            return pa.nulls(n)
        if name == "array":
            size = self.values["array.size"]
            offsets = pa.array(np.arange(0, (n + 1) * size, size, dtype=np.int32)[: n + 1])
            values = self.column(sea.element, n * size, rng)  # type: ignore[arg-type]
            return pa.ListArray.from_arrays(offsets, values, type=arrow_type(sea))
        if name == "map":
            size = self.values["map.size"]
            offsets = pa.array(np.arange(0, (n + 1) * size, size, dtype=np.int32)[: n + 1])
            keys = self.column(sea.key, n * size, rng)  # type: ignore[arg-type]
            items = self.column(sea.value, n * size, rng)  # type: ignore[arg-type]
            return pa.MapArray.from_arrays(offsets, keys, items, type=arrow_type(sea))
        raise ValueError(f"cannot generate type {sea.display()}")

    def _integers(self, name: str, n: int, rng: np.random.Generator) -> np.ndarray:
        low, high = self.values[f"{name}.min"], self.values[f"{name}.max"]
        dtype = _INT_DTYPES[name]
        if name == "int" and low == 0 and high == 2**31 - 1:
            # the default range is every non-negative int32: one shift of raw random words
            words = rng.integers(0, 2**63, (n + 1) // 2, dtype=np.int64, endpoint=False)
            return (words.view(np.uint32)[:n] >> np.uint32(1)).view(np.int32)
        return rng.integers(low, high, n, dtype=dtype, endpoint=True)

    @staticmethod
    def _text(kind: pa.DataType, n: int, length: int, rng: np.random.Generator) -> pa.Array:
        letters = _LETTER_OF_BYTE[_random_bytes(rng, n * length)]
        offsets = (
            np.arange(0, (n + 1) * length, length, dtype=np.int32)[: n + 1]
            if length
            else np.zeros(n + 1, np.int32)
        )
        return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), pa.py_buffer(letters)])


def _random_bytes(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` random bytes (numpy's integer path is much faster than Generator.bytes)."""
    words = rng.integers(0, 2**63, (count + 7) // 8, dtype=np.int64, endpoint=False)
    return words.view(np.uint8)[:count]


def _decimals(sea: SeaType, n: int, rng: np.random.Generator) -> pa.Array:
    digits = min(sea.precision, 18)
    unscaled = rng.integers(0, 10**digits, n, dtype=np.int64)
    words = np.zeros((n, 2), dtype=np.int64)
    words[:, 0] = unscaled  # little-endian 128-bit: low word, then a zero high word (non-negative)
    return pa.Array.from_buffers(arrow_type(sea), n, [None, pa.py_buffer(words)])


class FakeReader(SourceReader):
    """Emits every split (in split-id order) in batches, then ends (BATCH) or starts a new round (STREAMING)."""

    def __init__(self, source: Any, ctx: RunContext) -> None:
        values = source.values
        self.table = source.table_path
        self.schema = arrow_schema(source.schema)
        self.fields = source.schema.fields
        self.streaming = ctx.mode == "STREAMING"
        self.interval = values["split.read-interval"] / 1000.0
        self.splits = source.split_layout()
        self.seed = values["seed"] if values["seed"] is not None else secrets.randbits(63)
        self.generator = Generator(values)
        widest = max(values["string.length"], values["bytes.length"], 1)
        self.batch_size = max(1, min(values["batch.size"], (2**31 - 1) // widest))
        self.literal = self._literal_rows(source.rows)
        self.round = 0
        self.position = 0  # index into self.splits
        self.emitted = 0  # rows of the current split already emitted
        self.resume_at = 0.0

    def _literal_rows(self, rows: list | None) -> Any:
        if rows is None:
            return None
        columns = [
            pa.array([row[1][i] for row in rows], type=self.schema.field(i).type)
            for i in range(len(self.fields))
        ]
        data = pa.RecordBatch.from_arrays(columns, schema=self.schema)
        kinds = pa.array([row[0] for row in rows], pa.int8())
        return data, (None if not any(row[0] for row in rows) else kinds)

    def poll(self) -> Any:
        """The next batch, seconds to wait (between splits and rounds), or None when done."""
        if self.resume_at:
            left = self.resume_at - time.monotonic()
            if left > 0:
                return left
            self.resume_at = 0.0
        while True:
            if self.position >= len(self.splits):
                if not self.streaming:
                    return None
                self.round += 1
                self.position, self.emitted = 0, 0
                if self._pause():
                    return self.interval
                continue
            split_id, total = self.splits[self.position]
            if self.emitted < total:
                return self._next_batch(split_id, total)
            self.position, self.emitted = self.position + 1, 0
            if self.position < len(self.splits) and self._pause():
                return self.interval

    def _pause(self) -> bool:
        if self.interval <= 0:
            return False
        self.resume_at = time.monotonic() + self.interval
        return True

    def _next_batch(self, split_id: int, total: int) -> Batch:
        if self.literal is not None:
            self.emitted = total
            data, kinds = self.literal
            return Batch(self.table, data, kinds)
        n = min(self.batch_size, total - self.emitted)
        chunk = self.emitted // self.batch_size
        rng = np.random.default_rng([self.seed, split_id, self.round, chunk])
        columns = [self.generator.column(f.type, n, rng) for f in self.fields]
        self.emitted += n
        return Batch(self.table, pa.RecordBatch.from_arrays(columns, schema=self.schema))

    def snapshot(self) -> dict:
        """Position: round, and per split its id and rows emitted (splits before the current one are done)."""
        return {
            "round": self.round,
            "splits": [
                {
                    "split": sid,
                    "rows": total
                    if i < self.position
                    else (self.emitted if i == self.position else 0),
                }
                for i, (sid, total) in enumerate(self.splits)
            ],
        }

    def restore(self, state: dict) -> None:
        """Continue from a snapshot(): the first split not fully emitted, from its emitted row count."""
        self.round = int(state.get("round", 0))
        done = {int(s["split"]): int(s["rows"]) for s in state.get("splits", [])}
        self.position, self.emitted = len(self.splits), 0
        for i, (sid, total) in enumerate(self.splits):
            if done.get(sid, 0) < total:
                self.position, self.emitted = i, done.get(sid, 0)
                break
