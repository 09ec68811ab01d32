"""Metrics: byte sizes per SeaTunnel type, exact counts, per-table maps, Java double strings."""

from __future__ import annotations

import random
import threading

import pyarrow as pa

from app.engine import JobMetrics, javafmt
from app.engine.javafmt import java_double
from app.engine.sizes import array_bytes, batch_bytes
from tests.engine.conftest import fake, job, run

KEYS = [  # SeaTunnel 2.3.13's order: counts, then rates, then the per-table maps
    "SourceReceivedCount",
    "SinkWriteCount",
    "SinkCommittedCount",
    "SourceReceivedBytes",
    "SinkWriteBytes",
    "SinkCommittedBytes",
    "IntermediateQueueSize",
    "SourceReceivedQPS",
    "SinkWriteQPS",
    "SinkCommittedQPS",
    "SourceReceivedBytesPerSeconds",
    "SinkWriteBytesPerSeconds",
    "SinkCommittedBytesPerSeconds",
    "TableSourceReceivedCount",
    "TableSinkWriteCount",
    "TableSinkCommittedCount",
    "TableSourceReceivedBytes",
    "TableSinkWriteBytes",
    "TableSinkCommittedBytes",
    "TableSourceReceivedQPS",
    "TableSinkWriteQPS",
    "TableSinkCommittedQPS",
    "TableSourceReceivedBytesPerSeconds",
    "TableSinkWriteBytesPerSeconds",
    "TableSinkCommittedBytesPerSeconds",
]


def test_thirteen_byte_row() -> None:
    batch = pa.record_batch(
        {"a": pa.array([3], pa.int64()), "b": ["C"], "c": pa.array([100], pa.int32())}
    )
    assert batch_bytes(batch) == 13


def test_sizes_per_type() -> None:
    assert array_bytes(pa.array([True, None, False])) == 2
    assert array_bytes(pa.array([1, 2], pa.int16())) == 4
    assert array_bytes(pa.array([1.0], pa.float32())) == 4
    assert array_bytes(pa.array([1, 2], pa.decimal128(5, 1))) == 72
    assert array_bytes(pa.array([0], pa.date32())) == 24
    assert array_bytes(pa.array([0], pa.time64("us"))) == 12
    assert array_bytes(pa.array([0, None], pa.timestamp("us"))) == 48
    assert array_bytes(pa.array(["héllo", None, "ab"])) == 7  # characters, not UTF-8 bytes
    assert array_bytes(pa.array(["abc", "de", "f"]).slice(1)) == 3
    assert array_bytes(pa.array([b"ab", None, b"c"])) == 3
    assert array_bytes(pa.nulls(4)) == 0
    assert array_bytes(pa.array([[1, 2], None, [3]], pa.list_(pa.int64()))) == 24
    maps = pa.array([[("a", 1), ("bb", 2)], None, [("c", 3)]], pa.map_(pa.string(), pa.int32()))
    assert array_bytes(maps) == 16 and array_bytes(maps.slice(2)) == 5


def test_default_job_counts_five() -> None:
    _, runner = run(job(fake(), sink=[{"plugin_name": "Console", "log.print.data": False}]))
    rest = runner.metrics.to_rest()
    assert list(rest) == KEYS
    assert rest["SourceReceivedCount"] == rest["SinkWriteCount"] == "5"
    assert rest["SourceReceivedBytes"] == rest["SinkWriteBytes"] == "65"  # 5 letters + 2 ints
    assert rest["TableSourceReceivedCount"] == rest["TableSinkWriteCount"] == {"fake": "5"}
    assert rest["SinkCommittedCount"] == "5" and rest["SinkCommittedBytes"] == "65"
    assert rest["TableSinkCommittedCount"] == {"fake": "5"} and rest["IntermediateQueueSize"] == "0"
    assert float(rest["SourceReceivedQPS"]) > 0 and float(rest["TableSinkWriteQPS"]["fake"]) > 0
    assert all(isinstance(v, str) for k, v in rest.items() if not k.startswith("Table"))
    frozen = runner.metrics.to_rest()
    assert frozen == rest  # rates stop moving once run() returned


def test_two_sources_ten_and_five_thirteen_bytes_a_row() -> None:
    fields = {"id": "bigint", "name": "string", "age": "int"}
    config = job(
        [
            fake(
                plugin_output="a",
                schema={"table": "fake.table1", "fields": fields},
                **{"row.num": 10, "string.length": 1},
            ),
            fake(
                plugin_output="b",
                schema={"table": "fake.public.table2", "fields": fields},
                **{"row.num": 5, "string.length": 1},
            ),
        ],
        sink=[{"plugin_name": "Console", "plugin_input": ["a", "b"], "log.print.data": False}],
    )
    _, runner = run(config)
    rest = runner.metrics.to_rest()
    assert rest["SourceReceivedCount"] == rest["SinkWriteCount"] == "15"
    assert rest["TableSinkWriteCount"] == {"fake.table1": "10", "fake.public.table2": "5"}
    assert rest["TableSourceReceivedBytes"] == {"fake.table1": "130", "fake.public.table2": "65"}
    assert rest["SinkWriteBytes"] == "195"
    assert all(float(rest[k]) > 0 for k in KEYS[7:13])
    assert all(float(v) > 0 for k in KEYS[19:] for v in rest[k].values())


def test_transforms_change_sink_bytes_not_source_bytes() -> None:
    config = job(
        fake(**{"row.num": 4}),
        transform=[{"plugin_name": "Filter", "fields": ["age"]}],
        sink=[{"plugin_name": "Console", "log.print.data": False}],
    )
    rest = run(config)[1].metrics.to_rest()
    assert rest["SourceReceivedBytes"] == "52" and rest["SinkWriteBytes"] == "16"


def test_empty_metrics() -> None:
    empty = JobMetrics.empty_rest()
    assert list(empty) == KEYS
    assert empty["SourceReceivedCount"] == "0" and empty["SinkWriteQPS"] == "0.0"
    assert all(empty[k] == {} for k in KEYS[13:])
    assert JobMetrics().to_rest() == empty


def test_java_double_forms() -> None:
    assert [java_double(v) for v in (0.0, 12.3456, 1.2e7, 9999999.0, 1e-4, 0.001, 5.0, 1e21)] == [
        "0.0",
        "12.3456",
        "1.2E7",
        "9999999.0",
        "1.0E-4",
        "0.001",
        "5.0",
        "1.0E21",
    ]


def test_java_double_shortcut_matches_the_digit_rebuild() -> None:
    """The positional range answers with repr; it must equal the general digit rebuild."""
    rng = random.Random(7)
    values = [1e-3, 0.00099999, 9999999.999, 1e7, -1e-3, -1e7, 12.0, 1 / 3, 100.0]
    for _ in range(20_000):
        value = rng.choice((1, -1)) * 10 ** rng.uniform(-5, 8)
        values += [value, float(round(value)), round(value, 3)]
    assert [java_double(v) for v in values] == [javafmt._rebuilt(v) for v in values]


def test_to_rest_is_safe_while_counting() -> None:
    metrics = JobMetrics()
    metrics.start()
    stop = threading.Event()

    def count() -> None:
        i = 0
        while not stop.is_set():
            metrics.add_source(f"t{i % 50}", 1, 2)
            metrics.add_sink(f"t{i % 50}", 1, 2)
            i += 1

    thread = threading.Thread(target=count)
    thread.start()
    try:
        for _ in range(300):
            rest = metrics.to_rest()
            assert set(rest["TableSourceReceivedCount"]) == set(rest["TableSourceReceivedQPS"])
    finally:
        stop.set()
        thread.join()
