"""Console sink: the rowType line, row lines with kinds and Java value forms, and the quiet path."""

from __future__ import annotations

from tests.engine.conftest import fake, job, run


def console(**options: object) -> list[dict]:
    return [{"plugin_name": "Console", **options}]


def test_row_type_and_rows() -> None:
    rows = [
        {"kind": "INSERT", "fields": ["A", 1, 10]},
        {"kind": "DELETE", "fields": [None, 2, 20]},
    ]
    lines, _ = run(job(fake(rows=rows), sink=console()))
    assert lines == [
        "output rowType: name<STRING>, age<INT>, card<INT>",
        "subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : A, 1, 10",
        "subtaskIndex=0  rowIndex=2:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=DELETE : , 2, 20",
    ]


def test_default_job_prints_five_rows_with_increasing_index() -> None:
    lines, _ = run(job(fake(), sink=console()))
    assert len(lines) == 6
    assert [line.split("rowIndex=")[1].split(":")[0] for line in lines[1:]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert all(
        "SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : " in line for line in lines[1:]
    )


def test_java_value_forms() -> None:
    fields = {
        "d": "double",
        "f": "float",
        "b": "boolean",
        "dec": "decimal(6, 2)",
        "by": "bytes",
        "a": "array<int>",
        "m": "map<string, int>",
        "ts": "timestamp",
        "t": "time",
        "da": "date",
    }
    row = [
        12000000.0,
        0.5,
        True,
        "3.1",
        "ab",
        [1, 2],
        {"k": 1},
        "2024-01-02T03:04:00",
        "05:06:07",
        "2024-01-02",
    ]
    lines, _ = run(job(fake(schema={"fields": fields}, rows=[{"fields": row}]), sink=console()))
    assert lines[0] == (
        "output rowType: d<DOUBLE>, f<FLOAT>, b<BOOLEAN>, dec<DECIMAL(6, 2)>, by<BYTES>, a<ARRAY<INT>>, "
        "m<MAP<STRING, INT>>, ts<TIMESTAMP>, t<TIME>, da<DATE>"
    )
    assert lines[1].endswith(
        ': 1.2E7, 0.5, true, 3.10, [97, 98], [1, 2], {"k":1}, 2024-01-02T03:04, 05:06:07, 2024-01-02'
    )


def test_print_data_false_logs_only_the_row_type() -> None:
    lines, runner = run(job(fake(**{"row.num": 1000}), sink=console(**{"log.print.data": "false"})))
    assert lines == ["output rowType: name<STRING>, age<INT>, card<INT>"]
    assert runner.metrics.to_rest()["SinkWriteCount"] == "1000"
