"""FakeSource: types, ranges, sizes, literal rows with kinds, seeds, splits and parallelism."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from app.engine import ConfigError, build_plan
from tests.engine.conftest import COLLECTED, collected_table, fake, job, run

ALL_TYPES = {
    "s": "string",
    "b": "boolean",
    "ti": "tinyint",
    "si": "smallint",
    "i": "int",
    "bi": "bigint",
    "f": "float",
    "d": "double",
    "dec": "decimal(10, 2)",
    "by": "bytes",
    "da": "date",
    "t": "time",
    "ts": "timestamp",
    "n": "null",
    "arr": "array<int>",
    "m": "map<string, double>",
}


def test_every_type_generates_its_arrow_column() -> None:
    run(
        job(
            fake(
                schema={"fields": ALL_TYPES},
                **{
                    "row.num": 20,
                    "string.length": 3,
                    "bytes.length": 4,
                    "array.size": 2,
                    "map.size": 3,
                },
            )
        )
    )
    table = collected_table()
    assert table.num_rows == 20
    assert [str(t) for t in table.schema.types] == [
        "string",
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "float",
        "double",
        "decimal128(10, 2)",
        "binary",
        "date32[day]",
        "time64[us]",
        "timestamp[us]",
        "null",
        "list<item: int32>",
        "map<string, double>",
    ]
    rows = table.to_pylist()
    assert all(len(r["s"]) == 3 and r["s"].isalpha() for r in rows)
    assert all(len(r["by"]) == 4 for r in rows)
    assert all(len(r["arr"]) == 2 and len(r["m"]) == 3 for r in rows)
    assert all(r["n"] is None for r in rows)
    assert all(0 <= r["ti"] <= 127 and 0 <= r["i"] <= 2**31 - 1 and r["bi"] >= 0 for r in rows)
    assert all(abs(r["dec"]) < 10**8 for r in rows)


def test_ranges_are_respected() -> None:
    options = {
        "row.num": 2000,
        "int.min": -5,
        "int.max": 5,
        "bigint.min": 10,
        "bigint.max": 10,
        "tinyint.min": -3,
        "tinyint.max": "-1",
        "double.min": 1.5,
        "double.max": 2.5,
        "float.min": -1,
        "float.max": 0,
    }
    run(
        job(
            fake(
                schema={
                    "fields": {
                        "i": "int",
                        "b": "bigint",
                        "t": "tinyint",
                        "d": "double",
                        "f": "float",
                    }
                },
                **options,
            )
        )
    )
    columns = collected_table().to_pydict()
    assert set(columns["i"]) == set(range(-5, 6))
    assert set(columns["b"]) == {10}
    assert set(columns["t"]) == {-3, -2, -1}
    assert all(1.5 <= v <= 2.5 for v in columns["d"]) and all(-1 <= v <= 0 for v in columns["f"])


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"int.min": 5, "int.max": 1}, "option 'int.min' must be <= int.max (1), got 5"),
        ({"tinyint.max": 300}, "option 'tinyint.max' must be <= 127, got 300"),
        ({"string.length": "x"}, "option 'string.length' must be an integer"),
        ({"split.num": 0}, "option 'split.num' must be >= 1, got 0"),
        ({"double.max": "big"}, "option 'double.max' must be a number, got \"big\""),
        ({"parallelism": 0}, "option 'parallelism' must be >= 1, got 0"),
    ],
)
def test_option_errors(options: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_plan(job(fake(**options)))
    assert info.value.message.startswith("Plugin 'FakeSource' (source[0]): ")
    assert fragment in info.value.message


def test_default_row_num_split_num_and_parallelism() -> None:
    run(job(fake()))
    assert collected_table().num_rows == 5
    COLLECTED.clear()
    run(job(fake(**{"row.num": 10, "split.num": 3, "split.read-interval": 0})))
    assert [b.num_rows for b in COLLECTED] == [4, 4, 2]
    COLLECTED.clear()
    run(job(fake(**{"row.num": 7, "parallelism": 3})))
    assert collected_table().num_rows == 21
    COLLECTED.clear()
    run(job(fake(**{"row.num": 4}), env={"parallelism": 2}))
    assert collected_table().num_rows == 8


def test_batch_size_caps_batches() -> None:
    run(job(fake(**{"row.num": 25, "batch.size": 10})))
    assert [b.num_rows for b in COLLECTED] == [10, 10, 5]


def test_seed_makes_runs_identical_and_splits_differ() -> None:
    config = job(fake(seed=42, **{"row.num": 30, "split.num": 3, "split.read-interval": 0}))
    run(config)
    first = collected_table()
    COLLECTED.clear()
    run(config)
    second = collected_table()
    assert first.equals(second)
    assert first.slice(0, 10).to_pylist() != first.slice(10, 10).to_pylist()
    COLLECTED.clear()
    run(job(fake(seed=43, **{"row.num": 30, "split.num": 3, "split.read-interval": 0})))
    assert not collected_table().equals(first)


def test_literal_rows_with_kinds_per_split() -> None:
    rows = [
        {"kind": "INSERT", "fields": ["A", 1, "10"]},
        {"kind": "update_before", "fields": ["B", "2", 20]},
        {"kind": "DELETE", "fields": [None, 3, 30]},
    ]
    run(job(fake(rows=rows, **{"split.num": 2, "split.read-interval": 0})))
    assert len(COLLECTED) == 2
    assert collected_table().to_pydict() == {
        "name": ["A", "B", None] * 2,
        "age": [1, 2, 3] * 2,
        "card": [10, 20, 30] * 2,
    }
    assert COLLECTED[0].kinds.to_pylist() == [0, 1, 3]


def test_literal_rows_of_every_type() -> None:
    fields = {
        "d": "date",
        "t": "time",
        "ts": "timestamp",
        "dec": "decimal(5,2)",
        "a": "array<string>",
        "m": "map<string, int>",
        "b": "boolean",
        "by": "bytes",
    }
    row = [
        "2024-01-31",
        "12:30:00",
        "2024-01-31 12:30:05",
        "1.5",
        ["x", "y"],
        {"k": 1},
        "true",
        "hi",
    ]
    run(job(fake(schema={"fields": fields}, rows=[{"kind": "INSERT", "fields": row}])))
    assert collected_table().to_pylist() == [
        {
            "d": dt.date(2024, 1, 31),
            "t": dt.time(12, 30),
            "ts": dt.datetime(2024, 1, 31, 12, 30, 5),
            "dec": decimal.Decimal("1.50"),
            "a": ["x", "y"],
            "m": [("k", 1)],
            "b": True,
            "by": b"hi",
        }
    ]


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([{"kind": "INSERT", "fields": ["a", 1]}], "row 0 has 2 fields, the schema has 3"),
        (
            [{"kind": "UPSERT", "fields": ["a", 1, 2]}],
            "row 0 kind must be one of INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE",
        ),
        ([{"kind": "INSERT", "fields": ["a", "x", 2]}], 'row 0 field "age": expected int, got "x"'),
        ([{"kind": "INSERT", "fields": ["a", 2**40, 2]}], "is out of range for int"),
        ("nope", "option 'rows' must be a list"),
    ],
)
def test_literal_row_errors(rows: object, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_plan(job(fake(rows=rows)))
    assert fragment in info.value.message


def test_unknown_types_and_empty_rows_are_rejected() -> None:
    for fields in ({"a": "array<varchar>"}, {"a": {"nested": "int2"}}, {"a": {}}, {}, {"a": 5}):
        with pytest.raises(ConfigError) as info:
            build_plan(job(fake(schema={"fields": fields})))
        assert "option 'schema.fields'" in info.value.message


ROW_FIELDS = {"id": "int", "c_row": {"c_int": "int", "c_inner": {"c_string": "string"}}}


def test_row_fields_generate_struct_columns() -> None:
    run(job(fake(schema={"fields": ROW_FIELDS}, **{"row.num": 4, "string.length": 3})))
    table = collected_table()
    assert str(table.schema.field("c_row").type) == (
        "struct<c_int: int32, c_inner: struct<c_string: string>>"
    )
    assert table.num_rows == 4 and table.column("c_row").null_count == 0
    assert all(len(r["c_row"]["c_inner"]["c_string"]) == 3 for r in table.to_pylist())


def test_literal_rows_take_a_row_by_name_or_by_position() -> None:
    rows = [
        {"fields": [1, {"c_int": 5, "c_inner": {"c_string": "x"}}]},
        {"fields": [2, None]},
        {"fields": [3, [6, ["y"]]]},
        {"fields": [4, {"c_int": 7}]},
    ]
    run(job(fake(schema={"fields": ROW_FIELDS}, rows=rows)))
    assert collected_table().column("c_row").to_pylist() == [
        {"c_int": 5, "c_inner": {"c_string": "x"}},
        None,
        {"c_int": 6, "c_inner": {"c_string": "y"}},
        {"c_int": 7, "c_inner": None},
    ]
    for bad, fragment in (
        ("x", 'field "c_row": expected an object or a list, got "x"'),
        ([1, [], 3], 'field "c_row": expected at most 2 values for ROW<'),
        ({"c_int": "z"}, 'field "c_row": c_int: expected int, got an object'),
    ):
        with pytest.raises(ConfigError) as info:
            build_plan(job(fake(schema={"fields": ROW_FIELDS}, rows=[{"fields": [1, bad]}])))
        assert fragment in info.value.message


def test_splits_and_positions_resume_identically() -> None:
    plan = build_plan(
        job(
            fake(
                seed=1, **{"row.num": 6, "split.num": 3, "batch.size": 1, "split.read-interval": 0}
            )
        )
    )
    source = plan.vertices[0].plugin
    from app.engine.plugin import RunContext

    ctx = RunContext("BATCH", 1, lambda line: None)
    enumerator = source.enumerator(ctx)
    splits = []
    while (split := enumerator.next_split(0)) is not None:
        splits.append(split)
    assert [(s.id, s.info["rows"]) for s in splits] == [("0", 2), ("1", 2), ("2", 2)]
    whole = [b.data for b in source.reader(ctx).read(splits[1], None)]
    resumed = [b.data for b in source.reader(ctx).read(splits[1], 1)]
    assert len(whole) == 2 and len(resumed) == 1
    assert whole[1].equals(resumed[0])


def test_schema_columns_declare_nullability() -> None:
    columns = [
        {"name": "id", "type": "bigint", "nullable": False, "comment": "key"},
        {"name": "name", "type": "string", "columnLength": 20},
        {"name": "r", "type": {"x": "int"}, "nullable": "false"},
    ]
    plan = build_plan(job(fake(schema={"columns": columns}, **{"row.num": 3})))
    out = plan.vertices[0].tables_out[0].schema
    assert [(f.name, f.type.display(), f.nullable) for f in out.fields] == [
        ("id", "BIGINT", False),
        ("name", "STRING", True),
        ("r", "ROW<x INT>", False),
    ]
    run(job(fake(schema={"columns": columns}, **{"row.num": 3})))
    assert collected_table().num_rows == 3


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        (
            {"fields": {"a": "int"}, "columns": [{"name": "a", "type": "int"}]},
            "option 'schema.fields' and schema.columns cannot both be given",
        ),
        ({"columns": []}, "option 'schema.columns' must be a non-empty list"),
        ({"columns": [{"type": "int"}]}, "column 0 needs option [name]"),
        ({"columns": [{"name": "a"}]}, "column 0 needs option [type]"),
        ({"columns": [{"name": "a", "type": "int", "nul": 1}]}, 'column 0 has unknown key "nul"'),
        ({"columns": [{"name": "a", "type": "int", "nullable": 3}]}, "nullable must be a boolean"),
        ({"columns": [{"name": "a", "type": "int"}] * 2}, 'declares column "a" twice'),
        ({"columns": [{"name": "a", "type": "varchar"}]}, 'field "a" has unknown type "varchar"'),
    ],
)
def test_schema_columns_errors(schema: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_plan(job(fake(schema=schema)))
    assert fragment in info.value.message
