"""Force cancel ends any job within 2 s whatever its plugins' options, and parallel subtasks
really run at once with exact metrics.

SLOWEST holds, for every registered plugin, the options that make it slowest (or block
longest). A plugin registered without an entry here fails test_every_plugin_has_a_case: add
one with your plugin, so its cancellation is tested too.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.engine import (
    REGISTRIES,
    Batch,
    Source,
    SourceReader,
    Split,
    TableInfo,
    build_plan,
    register_source,
)
from app.engine.types import Field, Schema, parse_type
from tests.engine.conftest import fake

CANCEL_WITHIN = 2.0  # seconds, from the cancel command to run() returning

SLOW_FAKE = {
    "plugin_name": "FakeSource",
    "plugin_output": "fake",
    "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
    "row.num": 10,
    "endless": True,
    "split.read-interval": 60_000,  # limits.delay-ms
}

SLOWEST: dict[tuple[str, str], dict[str, Any]] = {
    ("source", "FakeSource"): {
        **SLOW_FAKE,
        "row.num": 2**40,
        "batch.size": 1,
        "split.num": 4,
        "string.length": 1 << 12,
    },
    ("transform", "FieldMapper"): {"field_mapper": {"name": "n", "age": "a"}},
    ("transform", "Filter"): {"include_fields": ["name"]},
    ("transform", "Copy"): {"fields": {"name2": "name"}},
    ("transform", "Replace"): {"replace_field": "name", "pattern": "a", "replacement": "b"},
    ("transform", "Sql"): {
        "query": "select name, concat(name, '_', age) as tag from t where age > 0"
    },
    ("transform", "FilterRowKind"): {"exclude_kinds": ["DELETE"]},
    ("transform", "Split"): {"separator": "a", "split_field": "name", "output_fields": ["a", "b"]},
    # every row fails its path and is skipped: the slowest way through
    ("transform", "JsonPath"): {
        "columns": [{"src_field": "name", "path": "$.a", "dest_field": "j"}],
        "row_error_handle_way": "SKIP",
    },
    ("sink", "Console"): {"log.print.delay.ms": 60_000},  # limits.delay-ms
    ("sink", "LocalFile"): {"path": "{tmp}/out", "tmp_path": "{tmp}/tmp", "batch_size": 1},
    ("source", "LocalFile"): {
        "path": "{tmp}/in",
        "file_format_type": "csv",
        "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
    },
    # a row rule that cannot hold: a cancelled run must not check it (nor fail for it)
    ("sink", "Assert"): {
        "rules": {
            "row_rules": [{"rule_type": "MIN_ROW", "rule_value": 1e15}],
            "field_rules": [{"field_name": "name", "field_value": [{"rule_type": "NOT_NULL"}]}],
        }
    },
    # an endless query (a recursive CTE) of a SQLite file; one-row flushes on the sink side
    ("source", "Jdbc"): {
        "url": "jdbc:sqlite:{tmp}/endless.db",
        "driver": "org.sqlite.JDBC",
        "query": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s) SELECT i FROM s",
        "fetch_size": 1,
    },
    ("sink", "Jdbc"): {
        "url": "jdbc:sqlite:{tmp}/sink.db",
        "driver": "org.sqlite.JDBC",
        "generate_sink_sql": True,
        "table": "slow",
        "batch_size": 1,
    },
}


def _prepare(kind: str, name: str, tmp: Path) -> None:
    """Input files for the plugins that read them."""
    if (kind, name) == ("source", "LocalFile"):
        (tmp / "in").mkdir()
        for i in range(4):
            (tmp / "in" / f"{i}.csv").write_text("joy,20,1\n" * 200_000)


def _ours(kind: str) -> list[str]:
    """Registered plugins of `kind`, except the test-only ones other tests register."""
    return [
        name
        for name in REGISTRIES[kind].names()
        if not REGISTRIES[kind].get(name).__module__.startswith("tests.")
    ]


def _case(kind: str, name: str, tmp: Path) -> dict:
    _prepare(kind, name, tmp)
    options = {
        k: v.replace("{tmp}", str(tmp)) if isinstance(v, str) else v
        for k, v in SLOWEST[(kind, name)].items()
    }
    block = {"plugin_name": name, **options}
    console = {"plugin_name": "Console", "log.print.data": False}
    env = {"job.mode": "STREAMING", "checkpoint.interval": 86_400_000, "parallelism": 2}
    if kind == "source":
        return {"env": env, "source": [block], "sink": [console]}
    fast = {**SLOW_FAKE, "split.read-interval": 0}
    if kind == "transform":
        return {"env": env, "source": [fast], "transform": [block], "sink": [console]}
    return {"env": env, "source": [fast], "sink": [block]}


def test_every_plugin_has_a_case() -> None:
    missing = [
        (kind, name)
        for kind in ("source", "transform", "sink")
        for name in _ours(kind)
        if (kind, name) not in SLOWEST
    ]
    assert missing == [], "add the slowest options of these plugins to SLOWEST"


@pytest.mark.parametrize(
    ("kind", "name"),
    [(kind, name) for kind in ("source", "transform", "sink") for name in _ours(kind)],
)
def test_force_cancel_ends_within_two_seconds(kind: str, name: str, tmp_path: Path) -> None:
    command: dict[str, str | None] = {"now": None}
    plan = build_plan(_case(kind, name, tmp_path))
    runner = plan.runner(lambda line: None, lambda: command["now"], job_id="3")
    outcome: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("v", runner.run()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20  # the machine may be slow: wait until rows flow
    while runner.metrics.to_rest()["SourceReceivedCount"] == "0" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert thread.is_alive() and runner.metrics.to_rest()["SourceReceivedCount"] != "0"
    command["now"] = "cancel"
    asked = time.monotonic()
    thread.join(CANCEL_WITHIN + 1)
    took = time.monotonic() - asked
    assert outcome.get("v") == "CANCELED" and took < CANCEL_WITHIN


# -- parallel subtasks -------------------------------------------------------------------------

IN_FLIGHT: list[str] = []


class _GateReader(SourceReader):
    """Blocks inside every split until 4 splits are being read at once (or 5 s pass)."""

    def __init__(self, source: Any, ctx: Any) -> None:
        self.source, self.ctx = source, ctx

    def read(self, split: Split, position: Any) -> Iterator[Any]:
        import pyarrow as pa

        gate = self.source.gate
        with self.source.lock:
            IN_FLIGHT.append(split.id)
            self.source.most = max(self.source.most, len(IN_FLIGHT))
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(5)
        data = pa.record_batch({"id": pa.array([int(split.id)] * 3, pa.int64())})
        yield Batch("gate", data)
        with self.source.lock:
            IN_FLIGHT.remove(split.id)


class GateSource(Source):
    """A test source of 8 splits whose readers wait for each other."""

    def configure(self) -> None:
        self.gate = threading.Barrier(4)
        self.lock = threading.Lock()
        self.most = 0

    def tables(self) -> list[TableInfo]:
        return [TableInfo("gate", Schema((Field("id", parse_type("bigint")),)))]

    def splits(self, ctx: Any) -> list[Split]:
        return [Split(str(i)) for i in range(8)]

    def reader(self, ctx: Any) -> SourceReader:
        return _GateReader(self, ctx)


@pytest.fixture
def _gate_source() -> Iterator[None]:
    register_source("GateSource")(GateSource)
    yield
    REGISTRIES["source"].remove("GateSource")


@pytest.mark.usefixtures("_gate_source")
def test_parallelism_four_reads_four_splits_at_once() -> None:
    config = {
        "env": {"job.mode": "BATCH", "parallelism": 4},
        "source": [{"plugin_name": "GateSource"}],
        "sink": [{"plugin_name": "Console", "log.print.data": False}],
    }
    plan = build_plan(config)
    runner = plan.runner(lambda line: None)
    assert runner.run() == "FINISHED"
    assert plan.vertices[0].plugin.most == 4
    rest = runner.metrics.to_rest()
    assert rest["SourceReceivedCount"] == rest["SinkWriteCount"] == "24"


def test_metrics_stay_exact_under_parallelism() -> None:
    config = {
        "env": {"job.mode": "BATCH", "parallelism": 4},
        "source": [
            fake(plugin_output="a", **{"row.num": 1000, "split.num": 5, "batch.size": 7}),
            fake(
                plugin_output="b",
                schema={"table": "t.b", "fields": {"x": "int"}},
                **{"row.num": 333, "batch.size": 10},
            ),
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": ["a", "b"], "log.print.data": False}],
    }
    runner = build_plan(config).runner(lambda line: None)
    assert runner.run() == "FINISHED"
    rest = runner.metrics.to_rest()
    assert rest["SourceReceivedCount"] == rest["SinkWriteCount"] == str(4 * 1000 + 4 * 333)
    assert rest["TableSourceReceivedCount"] == {"a": "4000", "t.b": "1332"}
    assert rest["TableSinkWriteCount"] == {"a": "4000", "t.b": "1332"}
    assert rest["TableSinkWriteBytes"]["t.b"] == str(1332 * 4)
