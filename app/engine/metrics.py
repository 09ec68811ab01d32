"""Job metrics: per-table source/sink/committed row and byte counters, rendered as SeaTunnel's REST object."""

from __future__ import annotations

import threading
import time

from app.engine.javafmt import java_double


class Counters:
    """One subtask's counters: written by its thread only (no lock per batch), read by any."""

    __slots__ = ("source", "sink", "_lock")

    def __init__(self, lock: threading.Lock) -> None:
        self.source: dict[str, list[int]] = {}  # table -> [rows, bytes]
        self.sink: dict[str, list[int]] = {}
        self._lock = lock

    def add_source(self, table: str, rows: int, size: int) -> None:
        """Count `rows` rows of `size` bytes read from source table `table`."""
        entry = self.source.get(table)
        if entry is None:
            with self._lock:  # a new key: readers copy the dict under the same lock
                self.source[table] = [rows, size]
        else:
            entry[0] += rows
            entry[1] += size

    def add_sink(self, table: str, rows: int, size: int) -> None:
        """Count `rows` rows of `size` bytes written to a sink for table `table`."""
        entry = self.sink.get(table)
        if entry is None:
            with self._lock:
                self.sink[table] = [rows, size]
        else:
            entry[0] += rows
            entry[1] += size


def _merge(into: dict[str, list[int]], items: dict[str, list[int]]) -> None:
    for table, (rows, size) in list(items.items()):
        entry = into.setdefault(table, [0, 0])
        entry[0] += rows
        entry[1] += size


class JobMetrics:
    """A job's counters: the restored base plus one Counters per subtask, summed when read.

    SinkCommitted*: rows and bytes made visible by commits (counted when the checkpoint that
    prepared them is committed), which trail SinkWrite* for a two-phase-commit sink.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._base: dict[str, dict[str, list[int]]] = {"source": {}, "sink": {}, "committed": {}}
        self._subtasks: list[Counters] = []
        self._started: float | None = None
        self._ended: float | None = None
        self._earlier_ms = 0.0  # run time of earlier runs of a restored job (rates are lifetime)

    def start(self) -> None:
        """Start the clock that QPS and bytes/s divide by."""
        with self._lock:
            self._started = time.monotonic()
            self._ended = None

    def stop(self) -> None:
        """Freeze the rates at their value now."""
        with self._lock:
            if self._started is not None and self._ended is None:
                self._ended = time.monotonic()

    def subtask(self) -> Counters:
        """New counters for one subtask (summed into every reading)."""
        counters = Counters(self._lock)
        with self._lock:
            self._subtasks.append(counters)
        return counters

    def add_source(self, table: str, rows: int, size: int) -> None:
        """Count rows read outside any subtask (locked)."""
        with self._lock:
            _merge(self._base["source"], {table: [rows, size]})

    def add_sink(self, table: str, rows: int, size: int) -> None:
        """Count rows written outside any subtask (locked)."""
        with self._lock:
            _merge(self._base["sink"], {table: [rows, size]})

    def add_committed(self, counts: dict[str, list[int]]) -> None:
        """Count {table: [rows, bytes]} made visible by a commit."""
        with self._lock:
            _merge(self._base["committed"], counts)

    def counts(self) -> dict[str, dict[str, tuple[int, int]]]:
        """A consistent copy: {"source": {table: (rows, bytes)}, "sink": {...}, "committed": {...}}."""
        with self._lock:
            out = {
                kind: {t: list(v) for t, v in items.items()} for kind, items in self._base.items()
            }
            for counters in self._subtasks:
                _merge(out["source"], counters.source)
                _merge(out["sink"], counters.sink)
        return {kind: {t: (r, b) for t, (r, b) in items.items()} for kind, items in out.items()}

    def snapshot(self) -> dict:
        """JSON-able counters and run time, stored with each checkpoint."""
        counts = self.counts()
        return {
            "source": {t: list(v) for t, v in counts["source"].items()},
            "sink": {t: list(v) for t, v in counts["sink"].items()},
            "committed": {t: list(v) for t, v in counts["committed"].items()},
            "elapsed_ms": self._elapsed_ms(),
        }

    def restore(self, state: dict) -> None:
        """Continue from a snapshot(): a restored job's metrics go on from the stored values."""
        with self._lock:
            self._base = {
                kind: {t: [int(r), int(b)] for t, (r, b) in (state.get(kind) or {}).items()}
                for kind in ("source", "sink", "committed")
            }
            self._subtasks = []
            self._earlier_ms = float(state.get("elapsed_ms", 0.0))

    def _elapsed_ms(self) -> float:
        with self._lock:
            if self._started is None:
                return self._earlier_ms
            end = self._ended if self._ended is not None else time.monotonic()
            return max((end - self._started) * 1000.0 + self._earlier_ms, 1.0)

    def to_rest(self) -> dict:
        """SeaTunnel's job-info metrics object (2.3.13 key order), every value a string.

        IntermediateQueueSize is always "0": a subtask runs its whole chain on one thread,
        so no rows wait in queues between operators.
        """
        counts = self.counts()
        elapsed = self._elapsed_ms()
        source, sink, committed = counts["source"], counts["sink"], counts["committed"]

        def rate(n: int) -> str:
            return java_double(n * 1000.0 / elapsed) if elapsed else "0.0"

        def total(table: dict[str, tuple[int, int]], i: int) -> int:
            return sum(v[i] for v in table.values())

        kinds = (("SourceReceived", source), ("SinkWrite", sink), ("SinkCommitted", committed))
        rest: dict = {}
        for name, table in kinds:
            rest[f"{name}Count"] = str(total(table, 0))
        for name, table in kinds:
            rest[f"{name}Bytes"] = str(total(table, 1))
        rest["IntermediateQueueSize"] = "0"
        for name, table in kinds:
            rest[f"{name}QPS"] = rate(total(table, 0))
        for name, table in kinds:
            rest[f"{name}BytesPerSeconds"] = rate(total(table, 1))
        for name, table in kinds:
            rest[f"Table{name}Count"] = {t: str(v[0]) for t, v in table.items()}
        for name, table in kinds:
            rest[f"Table{name}Bytes"] = {t: str(v[1]) for t, v in table.items()}
        for name, table in kinds:
            rest[f"Table{name}QPS"] = {t: rate(v[0]) for t, v in table.items()}
        for name, table in kinds:
            rest[f"Table{name}BytesPerSeconds"] = {t: rate(v[1]) for t, v in table.items()}
        return rest

    @classmethod
    def empty_rest(cls) -> dict:
        """The metrics object of a job that has not run: "0", "0.0" and empty maps."""
        return cls().to_rest()
