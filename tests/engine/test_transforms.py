"""FieldMapper, Filter, Copy and Replace: output schemas, values, and build-time field errors."""

from __future__ import annotations

import pytest

from app.engine import ConfigError, build_plan
from tests.engine.conftest import COLLECTED, collected_table, fake, job, run

ROWS = [
    {"kind": "INSERT", "fields": ["anna-anna", 30, 1]},
    {"kind": "UPDATE_AFTER", "fields": [None, 40, 2]},
    {"kind": "INSERT", "fields": ["bob", 50, 3]},
]


def transformed(*transforms: dict) -> dict:
    run(job(fake(rows=ROWS), transform=list(transforms)))
    return collected_table().to_pydict()


def error(*transforms: dict) -> str:
    with pytest.raises(ConfigError) as info:
        build_plan(job(fake(rows=ROWS), transform=list(transforms)))
    return info.value.message


def test_field_mapper_projects_and_renames_in_map_order() -> None:
    out = transformed({"plugin_name": "FieldMapper", "field_mapper": {"card": "c", "name": "n"}})
    assert out == {"c": [1, 2, 3], "n": ["anna-anna", None, "bob"]}
    assert COLLECTED[0].kinds.to_pylist() == [0, 2, 0]  # row kinds ride along


def test_field_mapper_unknown_field() -> None:
    assert error({"plugin_name": "FieldMapper", "field_mapper": {"nope": "x"}}) == (
        "Plugin 'FieldMapper' (transform[0]): option 'field_mapper' names unknown field \"nope\"; "
        "input fields: name, age, card"
    )
    assert "option 'field_mapper' is required" in error({"plugin_name": "FieldMapper"})


def test_filter_include_fields_exclude() -> None:
    assert transformed({"plugin_name": "Filter", "include_fields": ["card", "name"]}) == {
        "card": [1, 2, 3],
        "name": ["anna-anna", None, "bob"],
    }
    COLLECTED.clear()
    assert list(transformed({"plugin_name": "Filter", "fields": "age"})) == ["age"]
    COLLECTED.clear()
    assert list(transformed({"plugin_name": "Filter", "exclude_fields": ["age"]})) == [
        "name",
        "card",
    ]


def test_filter_errors() -> None:
    assert 'names unknown field "x"' in error({"plugin_name": "Filter", "include_fields": ["x"]})
    assert "option 'exclude_fields' names unknown field" in error(
        {"plugin_name": "Filter", "exclude_fields": ["x"]}
    )
    assert "exactly one" in error({"plugin_name": "Filter"})
    assert "both were given" in error(
        {"plugin_name": "Filter", "fields": ["age"], "exclude_fields": ["age"]}
    )
    assert "must be a list of strings" in error({"plugin_name": "Filter", "fields": [1]})


def test_copy_appends_and_legacy_form() -> None:
    out = transformed({"plugin_name": "Copy", "fields": {"name2": "name", "age2": "age"}})
    assert out["name2"] == out["name"] and out["age2"] == [30, 40, 50]
    assert list(out) == ["name", "age", "card", "name2", "age2"]
    COLLECTED.clear()
    assert (
        list(transformed({"plugin_name": "Copy", "src_field": "card", "dest_field": "c2"}))[-1]
        == "c2"
    )
    assert 'names unknown field "zz"' in error({"plugin_name": "Copy", "fields": {"a": "zz"}})
    assert "already exists" in error({"plugin_name": "Copy", "fields": {"age": "name"}})
    assert "option 'fields' is required" in error({"plugin_name": "Copy"})


def test_replace_literal_regex_first_and_nulls() -> None:
    base = {"plugin_name": "Replace", "replace_field": "name"}
    assert transformed({**base, "pattern": "an", "replacement": "X"})["name"] == [
        "Xna-Xna",
        None,
        "bob",
    ]
    COLLECTED.clear()
    assert transformed({**base, "pattern": "a(n+)", "replacement": "<$1>", "is_regex": True})[
        "name"
    ] == ["<nn>a-<nn>a", None, "bob"]
    COLLECTED.clear()
    out = transformed(
        {**base, "pattern": "[ab]", "replacement": "_", "is_regex": "true", "replace_first": True}
    )
    assert out["name"] == ["_nna-anna", None, "_ob"]


def test_replace_errors() -> None:
    base = {"plugin_name": "Replace", "pattern": "a", "replacement": "b"}
    assert "names unknown field" in error({**base, "replace_field": "nope"})
    assert "it must be STRING" in error({**base, "replace_field": "age"})
    assert "option 'replacement' is required" in error(
        {"plugin_name": "Replace", "replace_field": "name", "pattern": "a"}
    )
    assert "not a valid regular expression" in error(
        {**base, "replace_field": "name", "pattern": "(", "is_regex": True}
    )


def test_chain_schema_flows_through_transforms() -> None:
    msg = error(
        {"plugin_name": "FieldMapper", "field_mapper": {"name": "who"}},
        {"plugin_name": "Filter", "fields": ["name"]},
    )
    assert msg == (
        "Plugin 'Filter' (transform[1]): option 'include_fields' names unknown field \"name\"; input fields: who"
    )
