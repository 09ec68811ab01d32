"""LocalFile source: every format written by the LocalFile sink reads back with the same rows and
types; SeaTunnel's text parsing, partitions, filters, compression, and submit-time errors."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.engine import (
    REGISTRIES,
    ConfigError,
    JobError,
    Sink,
    SinkWriter,
    build_plan,
    register_sink,
)
from app.engine.limits import Limits
from tests.engine.conftest import COLLECTED, collected_table, job

TYPED_FIELDS = {
    "id": "bigint",
    "name": "string",
    "age": "int",
    "score": "double",
    "ok": "boolean",
    "born": "date",
    "seen": "timestamp",
    "price": "decimal(10, 2)",
    "tags": "array<string>",
}
ROWS = [
    {
        "kind": "INSERT",
        "fields": [
            1,
            "Joy Ding",
            20,
            1.5,
            True,
            "2024-01-02",
            "2024-01-02T03:04:05",
            "12.30",
            ["a", "b"],
        ],
    },
    {
        "kind": "INSERT",
        "fields": [
            2,
            'May, "Ding"',
            None,
            -2.25,
            False,
            "1999-12-31",
            "2000-01-01T00:00:00",
            "0.05",
            ["c"],
        ],
    },
    {
        "kind": "INSERT",
        "fields": [3, "", 7, 0.0, None, None, None, None, None],
    },
]


def _limits(*roots: Path) -> Limits:
    return Limits(allowed_paths=tuple(str(r) for r in roots))


def _write(tmp_path: Path, fmt: str, fields: dict | None = None, rows: list | None = None) -> Path:
    out = tmp_path / f"out_{fmt}"
    config = job(
        {
            "plugin_name": "FakeSource",
            "plugin_output": "fake",
            "schema": {"fields": fields or TYPED_FIELDS},
            "rows": rows or ROWS,
        },
        sink=[
            {
                "plugin_name": "LocalFile",
                "path": str(out),
                "tmp_path": str(tmp_path / "tmp"),
                "file_format_type": fmt,
            }
        ],
    )
    lines: list[str] = []
    build_plan(config, _limits(tmp_path)).runner(lines.append).run()
    return out


def _read(tmp_path: Path, **options: object) -> pa.Table:
    COLLECTED.clear()
    config = job({"plugin_name": "LocalFile", "plugin_output": "files", **options})
    lines: list[str] = []
    runner = build_plan(config, _limits(tmp_path)).runner(lines.append)
    assert runner.run() == "FINISHED"
    return collected_table()


@pytest.mark.parametrize("fmt", ["text", "csv", "json", "parquet"])
def test_every_sink_format_reads_back_with_the_same_rows_and_types(
    tmp_path: Path, fmt: str
) -> None:
    out = _write(tmp_path, fmt)
    schema = {} if fmt == "parquet" else {"schema": {"fields": TYPED_FIELDS}}
    table = _read(tmp_path, path=str(out), file_format_type=fmt, **schema)
    expected = {
        "id": [1, 2, 3],
        "name": ["Joy Ding", 'May, "Ding"', None if fmt in ("text", "csv") else ""],
        "age": [20, None, 7],
        "score": [1.5, -2.25, 0.0],
        "ok": [True, False, None],
        "born": [dt.date(2024, 1, 2), dt.date(1999, 12, 31), None],
        "seen": [dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(2000, 1, 1), None],
        "price": [decimal.Decimal("12.30"), decimal.Decimal("0.05"), None],
        "tags": [["a", "b"], ["c"], None],
    }
    assert table.to_pydict() == expected
    assert [str(t) for t in table.schema.types] == [
        "int64",
        "string",
        "int32",
        "double",
        "bool",
        "date32[day]",
        "timestamp[us]",
        "decimal128(10, 2)",
        "list<item: string>",
    ]


def test_text_splits_on_the_delimiter_pads_missing_fields_and_skips_headers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text(
        "id|name|when\n1|x|2024/01/02 03:04:05\n\n2\n3|y|2024/01/03 00:00:00|extra\n"
    )
    table = _read(
        tmp_path,
        path=str(data),
        file_format_type="text",
        field_delimiter="\\|",
        skip_header_row_number=1,
        schema={"fields": {"id": "int", "name": "string", "when": "timestamp"}},
    )
    assert table.to_pydict() == {
        "id": [1, 2, 3],
        "name": ["x", None, "y"],
        "when": [dt.datetime(2024, 1, 2, 3, 4, 5), None, dt.datetime(2024, 1, 3)],
    }


def test_text_without_schema_is_one_content_column(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello\r\nworld\rlast")
    table = _read(tmp_path, path=str(tmp_path / "a.txt"), file_format_type="text")
    assert table.to_pydict() == {"content": ["hello", "world", "last"]}


def test_partitions_filters_and_gzip(tmp_path: Path) -> None:
    for year, rows in (("2023", "1,a\n2,b\n"), ("2024", "3,c\n")):
        part = tmp_path / "t" / f"year={year}"
        part.mkdir(parents=True)
        with gzip.open(part / "data.csv.gz", "wt") as handle:
            handle.write(rows)
        (part / "skip.txt").write_text("not csv\n")
        (part / ".hidden.csv.gz").write_text("x")
    table = _read(
        tmp_path,
        path=str(tmp_path / "t"),
        file_format_type="csv",
        compress_codec="gzip",
        file_filter_pattern=r".*\.csv\.gz",
        schema={"fields": {"id": "int", "name": "string"}},
    )
    assert table.to_pydict() == {
        "id": [1, 2, 3],
        "name": ["a", "b", "c"],
        "year": ["2023", "2023", "2024"],
    }


def test_parquet_schema_comes_from_the_file_and_read_columns_project(tmp_path: Path) -> None:
    pq.write_table(
        pa.table({"a": [1, 2], "b": ["x", "y"], "c": [1.0, 2.0]}), tmp_path / "p.parquet"
    )
    plan = build_plan(
        job(
            {
                "plugin_name": "LocalFile",
                "path": str(tmp_path),
                "file_format_type": "parquet",
                "read_columns": ["c", "a"],
            }
        ),
        _limits(tmp_path),
    )
    assert plan.vertices[0].plugin.tables()[0].schema.row_type() == "c<DOUBLE>, a<BIGINT>"
    table = _read(tmp_path, path=str(tmp_path), file_format_type="parquet", read_columns=["c", "a"])
    assert table.to_pydict() == {"c": [1.0, 2.0], "a": [1, 2]}


def test_a_value_that_does_not_parse_fails_the_job_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1\n1.0\n")
    config = job(
        {
            "plugin_name": "LocalFile",
            "path": str(tmp_path / "a.csv"),
            "file_format_type": "csv",
            "schema": {"fields": {"n": "int"}},
        }
    )
    with pytest.raises(JobError) as failure:
        build_plan(config, _limits(tmp_path)).runner(lambda line: None).run()
    assert str(failure.value) == (
        f"LocalFile: {tmp_path / 'a.csv'}: Deserialize this data [1.0] of field 'n' as INT failed"
    )


def test_restore_skips_finished_files_and_emitted_rows(tmp_path: Path) -> None:
    for name, text in (("a.txt", "1\n2\n"), ("b.txt", "3\n4\n"), ("c.txt", "5\n")):
        (tmp_path / name).write_text(text)
    config = job(
        {
            "plugin_name": "LocalFile",
            "plugin_output": "t",
            "path": str(tmp_path),
            "file_format_type": "text",
        }
    )

    def split(name: str) -> dict:
        path = str(tmp_path / name)
        return {"id": f"t_{path}", "info": {"table": 0, "path": path}}

    # a.txt done, b.txt in flight after one row, c.txt not handed out yet
    source_state = {
        "enumerator": {"pending": [split("c.txt")], "returned": []},
        "splits": [{**split("b.txt"), "position": 1}],
        "positions": {},
    }
    restore = {"checkpoint_id": 1, "sources": {"1": source_state}, "sinks": {}}
    build_plan(config, _limits(tmp_path)).runner(lambda line: None, restore=restore).run()
    assert sorted(collected_table().column("content").to_pylist()) == ["4", "5"]


THREAD_FILES: dict[str, set[int]] = {}


class _ThreadWriter(SinkWriter):
    def write(self, batch: Any) -> None:
        files = set(batch.data.column("file").to_pylist())
        THREAD_FILES.setdefault(threading.current_thread().name, set()).update(files)
        COLLECTED.append(batch)


if REGISTRIES["sink"].get("ThreadFiles") is None:

    @register_sink("ThreadFiles")
    class ThreadFiles(Sink):
        """Notes which subtask thread wrote which files' rows."""

        def writer(self, tables, ctx):
            return _ThreadWriter()


def test_files_are_split_over_parallel_readers_each_read_once(tmp_path: Path) -> None:
    THREAD_FILES.clear()
    for i in range(8):
        (tmp_path / f"{i}.csv").write_text("".join(f"{i},{j}\n" for j in range(1000)))
    config = job(
        {
            "plugin_name": "LocalFile",
            "path": str(tmp_path),
            "file_format_type": "csv",
            "schema": {"fields": {"file": "int", "row": "int"}},
        },
        sink=[{"plugin_name": "ThreadFiles"}],
        env={"job.mode": "BATCH", "parallelism": 4},
    )
    assert build_plan(config, _limits(tmp_path)).runner(lambda line: None).run() == "FINISHED"
    table = collected_table()
    rows = zip(table.column("file").to_pylist(), table.column("row").to_pylist(), strict=True)
    assert sorted(rows) == [(i, j) for i in range(8) for j in range(1000)]
    # four subtask threads, each reading its own two files (split i goes to subtask i mod 4)
    assert sorted(sorted(files) for files in THREAD_FILES.values()) == [
        [0, 4],
        [1, 5],
        [2, 6],
        [3, 7],
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"path": "/etc/passwd", "file_format_type": "text"},
            "option 'path' must resolve under an allowed path",
        ),
        (
            {"path": "{tmp}/missing", "file_format_type": "text"},
            "option 'path' \"{tmp}/missing\" does not exist",
        ),
        (
            {"path": "{tmp}", "file_format_type": "json"},
            "option 'schema' is required for json files",
        ),
        (
            {"path": "{tmp}", "file_format_type": "excel"},
            "option 'file_format_type' excel is not supported yet",
        ),
        (
            {"path": "{tmp}", "file_format_type": "text", "field_delimiter": "|"},
            "option 'field_delimiter' must not match the empty string",
        ),
        (
            {"path": "{tmp}", "file_format_type": "text", "read_columns": ["a"]},
            "option 'read_columns' needs a schema for text and csv files",
        ),
        (
            {"path": "{tmp}", "file_format_type": "text", "datetime_format": "dd/MM/yyyy %Q"},
            "option 'datetime_format' Illegal format [dd/MM/yyyy %Q]",
        ),
        (
            {"path": "{tmp}", "file_format_type": "text", "sheet_name": "x"},
            "option 'sheet_name' is not supported yet",
        ),
    ],
)
def test_bad_options_are_refused_at_submit(tmp_path: Path, options: dict, message: str) -> None:
    options = {
        k: v.replace("{tmp}", str(tmp_path)) if isinstance(v, str) else v
        for k, v in options.items()
    }
    message = message.replace("{tmp}", str(tmp_path))
    with pytest.raises(ConfigError) as refused:
        build_plan(job({"plugin_name": "LocalFile", **options}), _limits(tmp_path))
    assert f"Plugin 'LocalFile' (source[0]): {message}" in refused.value.message


def test_a_symlink_out_of_the_allowed_roots_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ok.txt").write_text("x\n")
    (data / "link.txt").symlink_to("/etc/hostname")
    with pytest.raises(ConfigError) as refused:
        build_plan(
            job({"plugin_name": "LocalFile", "path": str(data), "file_format_type": "text"}),
            _limits(data),
        )
    assert "resolves outside the allowed paths" in refused.value.message


def test_lzo_compressed_text_reads_like_lzop_files(tmp_path: Path) -> None:
    from app.engine.plugins.lzop import write_lzop

    text = "".join(f"{i}\x01name{i}\n" for i in range(5000))
    (tmp_path / "a.lzo.txt").write_bytes(write_lzop(text.encode(), block=4096))
    table = _read(
        tmp_path,
        path=str(tmp_path),
        file_format_type="text",
        compress_codec="lzo",
        schema={"fields": {"id": "int", "name": "string"}},
    )
    assert table.num_rows == 5000
    assert table.slice(4998).to_pydict() == {"id": [4998, 4999], "name": ["name4998", "name4999"]}


def test_seatunnel_text_typing_of_dates_booleans_numbers_and_maps(tmp_path: Path) -> None:
    from app.engine.plugins.text_values import parse_column
    from app.engine.types import parse_type

    def parsed(values: list, kind: str) -> list:
        return parse_column(pa.array(values, pa.string()), parse_type(kind), "f").to_pylist()

    assert parsed(["2024/01/02", "2024/12/31", ""], "date") == [
        dt.date(2024, 1, 2),
        dt.date(2024, 12, 31),
        None,
    ]
    assert parsed(["20240102", None], "date") == [dt.date(2024, 1, 2), None]
    assert parsed(["2024年01月02日"], "date") == [dt.date(2024, 1, 2)]
    assert parsed(["20240102030405"], "timestamp") == [dt.datetime(2024, 1, 2, 3, 4, 5)]
    assert parsed(["2024-01-02T03:04:05.123"], "timestamp") == [
        dt.datetime(2024, 1, 2, 3, 4, 5, 123000)
    ]
    assert parsed(["2024.01.02 03:04:05.5"], "timestamp") == [
        dt.datetime(2024, 1, 2, 3, 4, 5, 500000)
    ]
    assert parsed(["03:04:05", "23:59:59.5"], "time") == [
        dt.time(3, 4, 5),
        dt.time(23, 59, 59, 500000),
    ]
    assert parsed(["TRUE", "yes", "false"], "boolean") == [True, False, False]
    assert parsed(["1.5", " 2 ", "NaN", "Infinity", "1e3"], "double")[:2] == [1.5, 2.0]
    assert parsed(["1.235"], "decimal(5, 2)") == [decimal.Decimal("1.24")]
    assert parsed(["a\x03x\x02b\x03y", "c"], "map<string, string>") == [
        [("a", "x"), ("b", "y")],
        [("c", None)],
    ]
    assert parsed(["1\x022\x023"], "array<int>") == [[1, 2, 3]]
    from app.engine.plugins.text_values import ValueParseError

    with pytest.raises(
        ValueParseError, match=r"Deserialize this data \[2024-01-02\] of field 'f' as DATE"
    ):
        parsed(["2024/01/02", "2024-01-02"], "date")  # the first value fixes the column's format
    with pytest.raises(ValueParseError, match=r"\[300\] of field 'f' as TINYINT"):
        parsed(["1", "300"], "tinyint")


def test_ragged_csv_and_mixed_json_fall_back_mid_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.engine.plugins.file_read as file_read

    monkeypatch.setattr(
        file_read, "BLOCK_BYTES", 64
    )  # several blocks: the odd row is in a later one
    csv_rows = [f'{i},"n,{i}"' for i in range(20)] + ["20", "21,x,extra"]
    (tmp_path / "a.csv").write_text("\n".join(csv_rows) + "\n")
    table = _read(
        tmp_path,
        path=str(tmp_path / "a.csv"),
        file_format_type="csv",
        schema={"fields": {"id": "int", "name": "string"}},
    )
    assert table.column("id").to_pylist() == list(range(22))
    assert table.column("name").to_pylist()[18:] == ["n,18", "n,19", None, "x"]

    json_rows = [f'{{"id": {i}, "when": "2024-01-0{1 + i % 9}"}}' for i in range(20)]
    json_rows += ['{"id": "20", "when": null}', '{"id": 21, "extra": [1]}']
    (tmp_path / "b.json").write_text("\n".join(json_rows) + "\n")
    table = _read(
        tmp_path,
        path=str(tmp_path / "b.json"),
        file_format_type="json",
        schema={"fields": {"id": "bigint", "when": "date"}},
    )
    assert table.column("id").to_pylist() == list(range(22))
    assert table.column("when").to_pylist()[:2] == [dt.date(2024, 1, 1), dt.date(2024, 1, 2)]
    assert table.column("when").to_pylist()[20:] == [None, None]


def test_single_character_text_delimiter_pads_ragged_rows(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text('1,"q",x\n2\n3,,z,extra\n')
    table = _read(
        tmp_path,
        path=str(tmp_path / "a.txt"),
        file_format_type="text",
        field_delimiter=",",
        schema={"fields": {"id": "int", "quote": "string", "c": "string"}},
    )
    assert table.to_pydict() == {
        "id": [1, 2, 3],
        "quote": ['"q"', None, None],
        "c": ["x", None, "z"],
    }


ROW_FIELDS = {
    "id": "int",
    "tags": "map<string, int>",
    "inner": {"a": "array<int>", "b": "string", "m": "map<string, string>"},
}
ROW_LINE = "1\x01x\x031\x02y\x032\x01" + "7\x038\x02hi\x02k\x04v\x03k2\x04v2"
ROW_EXPECTED = {
    "id": 1,
    "tags": [("x", 1), ("y", 2)],
    "inner": {"a": [7, 8], "b": "hi", "m": [("k", "v"), ("k2", "v2")]},
}


@pytest.mark.parametrize("kind", ["zip", "tar", "tar_gz"])
def test_archives_read_every_member_with_the_format_suffix(tmp_path: Path, kind: str) -> None:
    import tarfile
    import zipfile

    members = {
        "a.txt": ROW_LINE + "\n",
        "b.txt": ROW_LINE.replace("1", "2", 1) + "\n",
        "skip.csv": "x\n",
    }
    archive = tmp_path / "data" / f"all.{kind}"
    archive.parent.mkdir()
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as handle:
            for name, text in members.items():
                handle.writestr(name, text)
    else:
        with tarfile.open(archive, "w:gz" if kind == "tar_gz" else "w") as handle:
            for name, text in members.items():
                (tmp_path / name).write_text(text)
                handle.add(tmp_path / name, name)
    table = _read(
        tmp_path,
        path=str(archive.parent),
        file_format_type="text",
        archive_compress_codec=kind,
        schema={"fields": ROW_FIELDS},
    )
    assert table.column("id").to_pylist() == [1, 2]
    assert table.to_pylist()[0] == ROW_EXPECTED
    assert str(table.schema.field("inner").type) == (
        "struct<a: list<item: int32>, b: string, m: map<string, string>>"
    )


def test_nested_rows_in_json_and_the_row_type_in_the_schema(tmp_path: Path) -> None:
    line = '{"id": 1, "tags": {"x": 1, "y": "2"}, "inner": {"a": [7, 8], "b": "hi", "m": {"k": "v", "k2": "v2"}}}'
    (tmp_path / "a.json").write_text(line + "\n")
    table = _read(
        tmp_path, path=str(tmp_path), file_format_type="json", schema={"fields": ROW_FIELDS}
    )
    assert table.to_pylist() == [ROW_EXPECTED]
    plan = build_plan(
        job(
            {
                "plugin_name": "LocalFile",
                "path": str(tmp_path),
                "file_format_type": "json",
                "schema": {"fields": ROW_FIELDS},
            }
        ),
        _limits(tmp_path),
    )
    assert plan.vertices[0].plugin.tables()[0].schema.row_type() == (
        "id<INT>, tags<MAP<STRING, INT>>, inner<ROW<a ARRAY<INT>,b STRING,m MAP<STRING, STRING>>>"
    )


def test_tables_configs_read_several_tables_in_one_source(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "1.csv").write_text("1,x\n2,y\n")
    pq.write_table(pa.table({"v": [1.5]}), tmp_path / "b" / "1.parquet")
    source = {
        "plugin_name": "LocalFile",
        "tables_configs": [
            {
                "path": str(tmp_path / "a"),
                "file_format_type": "csv",
                "schema": {"table": "db.a", "fields": {"id": "int", "name": "string"}},
            },
            {
                "path": str(tmp_path / "b"),
                "file_format_type": "parquet",
                "schema": {"table": "db.b"},
            },
        ],
    }
    plan = build_plan(job(source), _limits(tmp_path))
    tables = plan.vertices[0].plugin.tables()
    assert [(t.path, t.schema.row_type()) for t in tables] == [
        ("db.a", "id<INT>, name<STRING>"),
        ("db.b", "v<DOUBLE>"),
    ]
    assert plan.runner(lambda line: None).run() == "FINISHED"
    assert {b.table: b.data.to_pydict() for b in COLLECTED} == {
        "db.a": {"id": [1, 2], "name": ["x", "y"]},
        "db.b": {"v": [1.5]},
    }
    source["tables_configs"][1]["schema"] = {}
    with pytest.raises(ConfigError) as refused:
        build_plan(job(source), _limits(tmp_path))
    assert refused.value.message == (
        "Plugin 'LocalFile' (source[0].tables_configs[1]): option 'schema.table' is required "
        "for each of tables_configs"
    )


def test_an_empty_directory_is_an_empty_table(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for fmt in ("parquet", "text"):
        COLLECTED.clear()
        config = job(
            {"plugin_name": "LocalFile", "path": str(tmp_path / "empty"), "file_format_type": fmt}
        )
        assert build_plan(config, _limits(tmp_path)).runner(lambda line: None).run() == "FINISHED"
        assert COLLECTED == []


def test_null_format_and_json_bytes_are_base64(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1\x01\\N\n\\N\x01x\n")
    table = _read(
        tmp_path,
        path=str(tmp_path / "a.txt"),
        file_format_type="text",
        null_format="\\N",
        schema={"fields": {"id": "int", "name": "string"}},
    )
    assert table.to_pydict() == {"id": [1, None], "name": [None, "x"]}
    (tmp_path / "b.json").write_text('{"b": "aGk=", "d": 2924137191386439303744.39292216}\n')
    table = _read(
        tmp_path,
        path=str(tmp_path / "b.json"),
        file_format_type="json",
        schema={"fields": {"b": "bytes", "d": "decimal(38, 8)"}},
    )
    assert table.to_pydict() == {
        "b": [b"hi"],
        "d": [decimal.Decimal("2924137191386439303744.39292216")],
    }


def test_file_filter_pattern_is_linear_time_re2(tmp_path: Path) -> None:
    (tmp_path / ("a" * 60 + "!")).write_text("x\n")
    (tmp_path / "keep.txt").write_text("y\n")
    # a catastrophic pattern for a backtracking engine: RE2 answers at once
    table = _read(
        tmp_path, path=str(tmp_path), file_format_type="text", file_filter_pattern="(a+)+$|keep.txt"
    )
    assert table.to_pydict() == {"content": ["y"]}
    with pytest.raises(ConfigError) as refused:
        build_plan(
            job(
                {
                    "plugin_name": "LocalFile",
                    "path": str(tmp_path),
                    "file_format_type": "text",
                    "file_filter_pattern": "(?=a)",
                }
            ),
            _limits(tmp_path),
        )
    assert refused.value.message == (
        "Plugin 'LocalFile' (source[0]): option 'file_filter_pattern' is not a supported "
        "regular expression (RE2 syntax)"
    )
