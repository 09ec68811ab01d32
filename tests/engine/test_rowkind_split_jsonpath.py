"""FilterRowKind, Split and JsonPath: options, output schemas, values and error handling."""

from __future__ import annotations

import pytest

from app.engine import ConfigError, JobError, build_plan
from tests.engine.conftest import COLLECTED, collected_table, job, run

ROWS = [
    {"kind": "INSERT", "fields": [1, "a,b,c"]},
    {"kind": "UPDATE_BEFORE", "fields": [2, "x"]},
    {"kind": "UPDATE_AFTER", "fields": [3, None]},
    {"kind": "DELETE", "fields": [4, ",,"]},
]
FIELDS = {"id": "int", "text": "string"}


def source(fields: dict | None = None, rows: list | None = None) -> dict:
    return {
        "plugin_name": "FakeSource",
        "plugin_output": "t",
        "schema": {"fields": fields or FIELDS},
        "rows": ROWS if rows is None else rows,
    }


def output(transform: dict, fields: dict | None = None, rows: list | None = None) -> dict:
    COLLECTED.clear()
    run(job(source(fields, rows), transform=[transform]))
    return collected_table().to_pydict() if COLLECTED else {}


def rejected(transform: dict, fields: dict | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        build_plan(job(source(fields, []), transform=[transform]))
    return info.value.message


def kinds() -> list[int]:
    return [k for b in COLLECTED for k in b.kinds.to_pylist()]


def test_filter_rowkind_include_and_exclude() -> None:
    out = output({"plugin_name": "FilterRowKind", "include_kinds": ["INSERT", "DELETE"]})
    assert out["id"] == [1, 4]
    assert kinds() == [0, 3]
    out = output({"plugin_name": "FilterRowKind", "exclude_kinds": ["UPDATE_BEFORE"]})
    assert out["id"] == [1, 3, 4]
    assert kinds() == [0, 2, 3]


def test_filter_rowkind_needs_exactly_one_list() -> None:
    message = (
        "Plugin 'FilterRowKind' (transform[0]): option 'include_kinds' These options"
        "(include_kinds,exclude_kinds) are mutually exclusive, allowing only one set of options "
        "to be configured."
    )
    assert rejected({"plugin_name": "FilterRowKind"}) == message
    assert 'unknown row kind "UPSERT"' in rejected(
        {"plugin_name": "FilterRowKind", "exclude_kinds": ["UPSERT"]}
    )


def test_split_limit_remainder_missing_and_null() -> None:
    out = output(
        {
            "plugin_name": "Split",
            "separator": ",",
            "split_field": "text",
            "output_fields": ["a", "b"],
        }
    )
    assert out == {
        "id": [1, 2, 3, 4],
        "text": ["a,b,c", "x", None, ",,"],
        "a": ["a", "x", None, ""],
        "b": ["b,c", None, None, ","],
    }
    assert kinds() == [0, 1, 2, 3]


def test_split_java_regex_separator_and_schema() -> None:
    rows = [{"fields": [1, "a1b22c"]}]
    out = output(
        {"plugin_name": "Split", "separator": "[0-9]+", "split_field": "text",
         "output_fields": ["p", "q", "r"]},
        rows=rows,
    )  # fmt: skip
    assert (out["p"], out["q"], out["r"]) == (["a"], ["b"], ["c"])
    plan = build_plan(
        job(source(rows=[]), transform=[{"plugin_name": "Split", "separator": " ",
            "split_field": "text", "output_fields": ["x"]}])
    )  # fmt: skip
    assert [(f.name, f.type.display()) for f in plan.vertices[1].tables_out[0].schema.fields] == [
        ("id", "INT"),
        ("text", "STRING"),
        ("x", "STRING"),
    ]


def test_split_errors() -> None:
    base = {"plugin_name": "Split", "separator": ",", "split_field": "nope", "output_fields": ["a"]}
    assert rejected(base) == (
        "Plugin 'Split' (transform[0]): option 'split_field' names unknown field \"nope\"; "
        "input fields: id, text"
    )
    assert "is not a valid regex" in rejected({**base, "split_field": "text", "separator": "("})
    assert "option 'output_fields' is required" in rejected(
        {"plugin_name": "Split", "separator": ",", "split_field": "text"}
    )
    assert "already exists" in rejected({**base, "split_field": "text", "output_fields": ["id"]})


JSON_ROWS = [
    {"fields": [1, '{"data": {"c_string": "s", "c_int": 7, "c_arr": [1, 2]}}']},
    {"fields": [2, '{"data": {"c_int": "8"}}']},
    {"fields": [3, None]},
]


def json_path(columns: list[dict], **options: str) -> dict:
    return {"plugin_name": "JsonPath", "columns": columns, **options}


def test_json_path_types_and_nulls() -> None:
    out = output(
        json_path(
            [
                {
                    "src_field": "text",
                    "path": "$.data.c_int",
                    "dest_field": "i",
                    "dest_type": "int",
                },
                {"src_field": "text", "path": "$.data", "dest_field": "d"},
            ]
        ),
        rows=JSON_ROWS,
    )
    assert out["i"] == [7, 8, None]
    assert out["d"][0] == '{"c_string":"s","c_int":7,"c_arr":[1,2]}'
    assert out["d"][2] is None


def test_json_path_missing_path_error_handling() -> None:
    column = {"src_field": "text", "path": "$.data.c_string", "dest_field": "s"}
    with pytest.raises(JobError) as info:
        output(json_path([column]), rows=JSON_ROWS)
    assert str(info.value).startswith(
        "JsonPath (transform[0]): JsonPath transform error, path '$.data.c_string' of field 'text'"
    )
    assert output(json_path([{**column, "column_error_handle_way": "SKIP"}]), rows=JSON_ROWS)[
        "s"
    ] == ["s", None, None]
    assert output(json_path([{**column, "column_error_handle_way": "SKIP_ROW"}]), rows=JSON_ROWS)[
        "id"
    ] == [1, 3]
    assert output(json_path([column], row_error_handle_way="SKIP"), rows=JSON_ROWS)["id"] == [1, 3]


def test_json_path_config_errors() -> None:
    assert "option 'columns' is required" in rejected({"plugin_name": "JsonPath"})
    assert "columns[0].path must not be empty" in rejected(
        json_path([{"src_field": "text", "dest_field": "x"}])
    )
    assert 'names unknown field "nope"' in rejected(
        json_path([{"src_field": "nope", "path": "$.a", "dest_field": "x"}])
    )
    assert 'src_field "id" is INT' in rejected(
        json_path([{"src_field": "id", "path": "$.a", "dest_field": "x"}])
    )
    assert "must be one of FAIL, SKIP" in rejected(
        json_path(
            [{"src_field": "text", "path": "$.a", "dest_field": "x"}], row_error_handle_way="x"
        )
    )
