"""Run-time FakeSource: whole-column generation with numpy/pyarrow and the split/round reader."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from app.engine.arrow_types import arrow_schema, arrow_type, from_numpy
from app.engine.batch import Batch
from app.engine.plugin import ListSplitEnumerator, RunContext, SourceReader, Split
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
            return from_numpy(self._integers(name, n, rng))
        if name in ("float", "double"):
            low, high = self.values[f"{name}.min"], self.values[f"{name}.max"]
            unit = rng.random(n)
            data = low * (1.0 - unit) + high * unit  # no overflow for the full double range
            return from_numpy(data.astype(np.float32) if name == "float" else data)
        if name == "boolean":
            return from_numpy(_random_bytes(rng, n) >= 128)
        if name == "decimal":
            return _decimals(sea, n, rng)
        if name == "date":
            return from_numpy(rng.integers(0, _EPOCH_2030_DAYS, n, dtype=np.int32), pa.date32())
        if name == "time":
            seconds = rng.integers(0, 86_400, n, dtype=np.int64)
            return from_numpy(seconds * 1_000_000, pa.time64("us"))
        if name == "timestamp":
            seconds = rng.integers(0, _EPOCH_2030_DAYS * 86_400, n, dtype=np.int64)
            return from_numpy(seconds * 1_000_000, pa.timestamp("us"))
        if name == "null":
            return pa.nulls(n)
        if name == "array":
            size = self.values["array.size"]
            offsets = from_numpy(np.arange(0, (n + 1) * size, size, dtype=np.int32)[: n + 1])
            values = self.column(sea.element, n * size, rng)  # type: ignore[arg-type]
            return pa.ListArray.from_arrays(offsets, values, type=arrow_type(sea))
        if name == "map":
            size = self.values["map.size"]
            offsets = from_numpy(np.arange(0, (n + 1) * size, size, dtype=np.int32)[: n + 1])
            keys = self.column(sea.key, n * size, rng)  # type: ignore[arg-type]
            items = self.column(sea.value, n * size, rng)  # type: ignore[arg-type]
            return pa.MapArray.from_arrays(offsets, keys, items, type=arrow_type(sea))
        if name == "row":
            children = [self.column(f.type, n, rng) for f in sea.fields]
            return pa.StructArray.from_arrays(children, fields=list(arrow_type(sea)))
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


class FakeEnumerator(ListSplitEnumerator):
    """SeaTunnel's FakeSource splits (id i + k*P for reader i, owner id mod P); with our
    `endless` option a STREAMING job deals every split again, as a new round, once done."""

    def __init__(self, source: Any, ctx: RunContext) -> None:
        self.layout = source.split_layout()
        self.endless = bool(source.values.get("endless")) and ctx.mode == "STREAMING"
        super().__init__(self._round(0), ctx.parallelism)
        self.rounds = [0] * self.parallelism

    def _round(self, number: int) -> list[Split]:
        return [
            Split(
                f"{sid}" if not number else f"{sid}@{number}",
                {"split": sid, "rows": rows, "round": number},
            )
            for sid, rows in self.layout
        ]

    def next_split(self, subtask: int) -> Split | float | None:
        """The next split; an endless stream starts the subtask's next round when it runs out."""
        split = super().next_split(subtask)
        if split is None and self.endless:
            owner = subtask % self.parallelism
            self.rounds[owner] += 1
            number = self.rounds[owner]
            self.pending[owner] = [
                s for i, s in enumerate(self._round(number)) if i % self.parallelism == owner
            ]
            split = super().next_split(subtask)
        return split

    def snapshot(self, checkpoint_id: int) -> Any:
        """Unassigned splits and each subtask's round."""
        return {**super().snapshot(checkpoint_id), "rounds": list(self.rounds)}

    def restore(self, state: Any) -> None:
        """Unassigned splits and rounds back."""
        super().restore(state)
        if state and len(state.get("rounds", [])) == self.parallelism:
            self.rounds = [int(r) for r in state["rounds"]]


class FakeReader(SourceReader):
    """Emits a split's rows in batches (from the rows already emitted, on restore), waiting
    `split.read-interval` between two splits as SeaTunnel's FakeSourceReader does."""

    def __init__(self, source: Any, ctx: RunContext) -> None:
        values = source.values
        self.table = source.table_path
        self.schema = arrow_schema(source.schema)
        self.fields = source.schema.fields
        self.interval = values["split.read-interval"] / 1000.0
        self.seed = values["seed"] if values["seed"] is not None else secrets.randbits(63)
        self.generator = Generator(values)
        widest = max(values["string.length"], values["bytes.length"], 1)
        self.batch_size = max(1, min(values["batch.size"], (2**31 - 1) // widest))
        self.literal = self._literal_rows(source.rows)
        self.last_split_at: float | None = None

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

    def read(self, split: Split, position: Any) -> Iterator[Any]:
        """The split's batches from `position` rows on; idles first if a split ended recently."""
        if self.last_split_at is not None and self.interval > 0:
            resume = self.last_split_at + self.interval
            while (left := resume - time.monotonic()) > 0:
                yield left
        info = split.info
        split_id, total, number = int(info["split"]), int(info["rows"]), int(info.get("round", 0))
        emitted = int(position or 0)
        try:
            if self.literal is not None:
                if emitted < total:
                    data, kinds = self.literal
                    yield Batch(self.table, data, kinds)
                return
            while emitted < total:
                n = min(self.batch_size, total - emitted)
                chunk = emitted // self.batch_size
                rng = np.random.default_rng([self.seed, split_id, number, chunk])
                columns = [self.generator.column(f.type, n, rng) for f in self.fields]
                emitted += n
                yield Batch(self.table, pa.RecordBatch.from_arrays(columns, schema=self.schema))
        finally:
            self.last_split_at = time.monotonic()
