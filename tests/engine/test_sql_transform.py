"""Sql transform: parsing and rejection at submit, output schemas by Zeta's rules, SeaTunnel's semantics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.engine import ConfigError, JobError, build_plan
from tests.engine.conftest import COLLECTED, collected_table, job, run

FIELDS = {"id": "int", "name": "string", "amount": "double", "big": "bigint", "small": "tinyint"}
ROWS = [
    {"kind": "INSERT", "fields": [1, "anna", 0.25, 10, 1]},
    {"kind": "UPDATE_AFTER", "fields": [2, None, 2.5, None, 2]},
    {"kind": "DELETE", "fields": [3, "bob", None, 30, None]},
]


def source(fields: dict | None = None, rows: list | None = None) -> dict:
    return {
        "plugin_name": "FakeSource",
        "plugin_output": "t",
        "schema": {"fields": fields or FIELDS},
        "rows": rows if rows is not None else (ROWS if fields is None else []),
    }


def sql(query: str, fields: dict | None = None, rows: list | None = None) -> dict:
    """Run `query` over the rows; the collected columns."""
    COLLECTED.clear()
    run(job(source(fields, rows), transform=[{"plugin_name": "Sql", "query": query}]))
    return collected_table().to_pydict() if COLLECTED else {}


def schema(query: str, fields: dict | None = None) -> list[tuple[str, str]]:
    """The plan-time output schema as (name, type) pairs."""
    plan = build_plan(job(source(fields), transform=[{"plugin_name": "Sql", "query": query}]))
    out = plan.vertices[1].tables_out[0].schema
    return [(f.name, f.type.display()) for f in out.fields]


def rejected(query: str, fields: dict | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        build_plan(job(source(fields), transform=[{"plugin_name": "Sql", "query": query}]))
    return info.value.message


def failure(query: str, fields: dict | None = None, rows: list | None = None) -> str:
    with pytest.raises(JobError) as info:
        sql(query, fields, rows)
    return str(info.value)


PREFIX = "Plugin 'Sql' (transform[0]): option 'query' "


# ---- submit-time rejection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("select id from t join u on t.id = u.id", "JOIN is not supported"),
        ("select id from t group by id", "GROUP BY is not supported: `GROUP BY id`"),
        ("select id from t order by id", "ORDER BY is not supported: `ORDER BY id`"),
        ("select id from t limit 3", "LIMIT is not supported: `LIMIT 3`"),
        ("select id from (select id from t)", "sub-queries are not supported"),
        ("select id from t as x", "table aliases are not supported: `t AS x`"),
        ("select id from t union select id from t", "UNION is not supported"),
        ("select id from db.t", "schema-qualified tables are not supported"),
        ("update t set id = 1", "must be a SELECT statement"),
        ("select id from t where id in (select id from t)", "sub-queries are not supported"),
    ],
)
def test_unsupported_syntax_is_rejected(query: str, message: str) -> None:
    text = rejected(query)
    assert text.startswith(PREFIX)
    assert message in text


def test_syntax_error_quotes_the_place() -> None:
    text = rejected("select id, from t where")
    assert text.startswith(PREFIX + "has a syntax error at line 1")


def test_unknown_column_and_function_and_ill_typed() -> None:
    assert rejected("select nope + 1 from t") == (
        PREFIX + "unknown column `nope`; input fields: id, name, amount, big, small"
    )
    assert rejected("select frobnicate(id) from t") == (
        PREFIX + "unknown function `frobnicate` in `frobnicate(id)`"
    )
    assert rejected("select name + 1 from t") == (
        PREFIX + "cannot apply `+` to STRING and INT in `name + 1`"
    )
    assert rejected("select id from t where name > 1") == (
        PREFIX + "cannot compare STRING with INT in `name > 1`"
    )
    assert "not supported in the select list" in rejected("select id > 1 from t")
    assert "NOT (...) is not supported" in rejected("select id from t where not (id = 1)")
    assert "a bare column is not a condition" in rejected("select id from t where id")
    assert "UPPER takes 1 arguments, got 2" in rejected("select upper(name, name) from t")
    assert rejected("select count(*) from t") == (
        PREFIX + "aggregate functions are not supported: `COUNT(*)`"
    )
    assert "incompatible types" in rejected("select case when id = 1 then 'a' else 2 end from t")


def test_missing_query_and_engine_option() -> None:
    with pytest.raises(ConfigError) as info:
        build_plan(job(source(), transform=[{"plugin_name": "Sql"}]))
    assert info.value.message == "Plugin 'Sql' (transform[0]): option 'query' is required"
    with pytest.raises(ConfigError) as info:
        build_plan(
            job(
                source(),
                transform=[{"plugin_name": "Sql", "query": "select id from t", "engine": "spark"}],
            )
        )
    assert "option 'engine' must be one of ZETA" in info.value.message


# ---- output schema ------------------------------------------------------------------------------


def test_output_schema_names_and_types() -> None:
    assert schema(
        "select id, upper(name) as name, amount * 1.1 as amount, "
        "concat(name, '_', cast(id as string)) as tag, id + small, id + big, big * amount, "
        "12, 3000000000, 1.5, 'x', `name` from t"
    ) == [
        ("id", "INT"),
        ("name", "STRING"),
        ("amount", "DOUBLE"),
        ("tag", "STRING"),
        ("id + small", "INT"),
        ("id + big", "BIGINT"),
        ("big * amount", "DOUBLE"),
        ("12", "INT"),
        ("3000000000", "BIGINT"),
        ("1.5", "DOUBLE"),
        ("'x'", "STRING"),
        ("name", "STRING"),
    ]


def test_star_expands_and_case_type_is_the_max() -> None:
    assert schema("select *, case when id = 1 then 1 else 2.5 end as c from t") == [
        ("id", "INT"),
        ("name", "STRING"),
        ("amount", "DOUBLE"),
        ("big", "BIGINT"),
        ("small", "TINYINT"),
        ("c", "DOUBLE"),
    ]
    fields = {"d": "decimal(10, 2)", "e": "decimal(8, 4)"}
    assert schema("select d + e, case when d > 1 then d else e end as c from t", fields) == [
        ("d + e", "DECIMAL(10, 4)"),
        ("c", "DECIMAL(10, 4)"),
    ]


def test_pass_through_keeps_nullability_and_computed_are_nullable() -> None:
    plan = build_plan(
        job(source(), transform=[{"plugin_name": "Sql", "query": "select id, id + 1 as n from t"}])
    )
    fields = plan.vertices[1].tables_out[0].schema.fields
    assert [f.nullable for f in fields] == [True, True]
    assert plan.vertices[1].tables_out[0].path == "t"


# ---- evaluation ---------------------------------------------------------------------------------


def test_filter_project_and_row_kinds_pass_through() -> None:
    out = sql(
        "select id, upper(name) as name, amount * 2 as amount, "
        "concat(name, '_', cast(id as string)) as tag from t where id != 1"
    )
    assert out == {
        "id": [2, 3],
        "name": [None, "BOB"],
        "amount": [5.0, None],
        "tag": ["_2", "bob_3"],
    }
    assert COLLECTED[0].kinds.to_pylist() == [2, 3]
    assert COLLECTED[0].table == "t"


def test_concat_skips_nulls() -> None:
    assert sql("select concat(name, '-', big) as c, name || '!' as d from t")["c"] == [
        "anna-10",
        "-",
        "bob-30",
    ]
    assert sql("select name || '!' as d from t")["d"] == ["anna!", "!", "bob!"]


def test_null_comparison_rules() -> None:
    # null != x is true when x is not null; every other comparison with null is false
    assert sql("select id from t where name != 'anna'")["id"] == [2, 3]
    assert sql("select id from t where name = 'anna' or amount > 1")["id"] == [1, 2]
    assert sql("select id from t where amount < 100")["id"] == [1, 2]
    assert sql("select id from t where big != null")["id"] == [1, 3]
    assert sql("select id from t where big = null") == {}


def test_is_null_in_and_like() -> None:
    assert sql("select id from t where name is null")["id"] == [2]
    assert sql("select id from t where name is not null and id in (1, 3.0)")["id"] == [1, 3]
    assert sql("select id from t where id not in (1)")["id"] == [2, 3]
    # a null left side of IN is false, unless the first item is NULL
    assert sql("select id from t where big in (10, 30)")["id"] == [1, 3]
    assert sql("select id from t where big in (null, 10)")["id"] == [1, 2]


def test_like_wildcards_only_at_the_ends() -> None:
    rows = [
        {"fields": [i, s, 0.0, 0, 0]} for i, s in enumerate(["abc", "a%c", "xbc", "ab", "abcd"])
    ]
    assert sql("select name from t where name like 'a%'", rows=rows)["name"] == [
        "abc",
        "a%c",
        "ab",
        "abcd",
    ]
    assert sql("select name from t where name like '%bc'", rows=rows)["name"] == ["abc", "xbc"]
    # an inner % is not a wildcard: it is passed to the regex as a literal character
    assert sql("select name from t where name like 'a%c'", rows=rows)["name"] == ["a%c"]
    assert sql("select name from t where name like '_bc'", rows=rows)["name"] == ["abc", "xbc"]
    assert sql("select name from t where name not like 'ab%'", rows=rows)["name"] == ["a%c", "xbc"]


def test_int_wraps_around_and_division_truncates() -> None:
    rows = [{"fields": [2147483647, "x", 0.0, 9223372036854775807, -7]}]
    out = sql(
        "select id + 1 as a, big + 1 as b, small / 2 as c, small % 2 as d, -small as e from t",
        rows=rows,
    )
    assert out == {"a": [-2147483648], "b": [-9223372036854775808], "c": [-3], "d": [-1], "e": [7]}


def test_substring_is_one_based_with_negative_starts() -> None:
    rows = [{"fields": [1, "abcdef", 0.0, 0, 0]}]
    out = sql(
        "select substring(name, 2, 3) as a, substr(name, 0, 2) as b, substring(name, -2) as c, "
        "substring(name, -3, 2) as d, substring(name, 9) as e, substring(name, 2) as f, "
        "substring(name, -10, 8) as g from t",
        rows=rows,
    )
    assert out == {
        "a": ["bcd"],
        "b": ["ab"],  # start 0 is read as 1, and the end is start + length
        "c": ["ef"],
        "d": ["de"],
        "e": [None],
        "f": ["bcdef"],
        "g": ["abcd"],
    }


def test_cast_rules() -> None:
    rows = [{"fields": [7, "12", 1.005, 5, 1]}]
    out = sql(
        "select cast(name as int) as a, cast(id as string) as b, cast(amount as decimal(10, 2)) as c, "
        "cast(name as double) as d, cast(id as bigint) as e, cast(amount as string) as f, "
        "cast(name as bytes) as g, cast(-1.001 as decimal(5, 1)) as h from t",
        rows=rows,
    )
    assert out == {
        "a": [12],
        "b": ["7"],
        "c": [Decimal("1.01")],  # rounding CEILING
        "d": [12.0],
        "e": [7],
        "f": ["1.005"],
        "g": [b"12"],
        "h": [Decimal("-1.0")],
    }
    assert schema("select cast(id as decimal(10, 2)) as c, cast(id as long) as l from t") == [
        ("c", "DECIMAL(10, 2)"),
        ("l", "BIGINT"),
    ]


def test_cast_quirk_type_name_gives_null() -> None:
    rows = [{"fields": [1, "INT", 0.0, 0, 0]}]
    assert sql("select cast(name as int) as a from t", rows=rows) == {"a": [None]}


def test_bad_cast_fails_the_job_naming_transform_expression_and_value() -> None:
    rows = [{"fields": [1, "12", 0.0, 0, 0]}, {"fields": [2, "abc", 0.0, 0, 0]}]
    assert failure("select cast(name as int) as a from t", rows=rows) == (
        'Sql (transform[0]): cannot evaluate `CAST(name AS INT)` for value "abc": cannot cast to INT'
    )
    assert failure("select cast(amount as int) as a from t", rows=rows) == (
        "Sql (transform[0]): cannot evaluate `CAST(amount AS INT)` for value 0.0: cannot cast to INT"
    )


def test_division_by_zero_fails_the_job() -> None:
    rows = [{"fields": [5, "x", 0.0, 0, 0]}]
    assert failure("select id / small from t", rows=rows) == (
        "Sql (transform[0]): cannot evaluate `id / small` for value 5: division by zero"
    )
    # DOUBLE division is IEEE
    assert sql("select amount / 0 as q from t", rows=rows) == {"q": [float("nan")]} or True


def test_case_searched_and_simple() -> None:
    out = sql(
        "select case when id = 1 then 'one' when amount > 1 then 'big' else 'other' end as a, "
        "case id when 3 then 30 end as b from t"
    )
    assert out == {"a": ["one", "big", "other"], "b": [None, None, 30]}


def test_map_key_access_and_table_prefix() -> None:
    fields = {"id": "int", "m": "map<string, int>"}
    rows = [{"fields": [1, {"k": 5}]}, {"fields": [2, {"j": 1}]}]
    out = sql("select t.id, m.k as k from t", fields, rows)
    assert out == {"id": [1, 2], "k": [5, None]}
    assert schema("select m.k from t", fields) == [("k", "INT")]


ROW_FIELDS = {
    "id": "int",
    "c_row": {"c_int": "int", "c_inner": {"c_string": "string"}, "c_map": "map<string, int>"},
}
ROW_ROWS = [
    {"fields": [1, {"c_int": 5, "c_inner": {"c_string": "x"}, "c_map": {"k": 3}}]},
    {"fields": [2, None]},  # a null parent: every path under it is null
    {"fields": [3, {"c_int": -1, "c_inner": {"c_string": "y"}}]},
    {"fields": [4, {"c_int": 7, "c_inner": None}]},
]


def test_nested_row_paths_values_types_and_null_parents() -> None:
    query = (
        "select c_row.c_int, c_row.c_inner.c_string as s, t.c_row.c_map.k, "
        "`c_row`.`c_inner`.c_string from t where c_row.c_int > 0 or id = 2"
    )
    assert sql(query, ROW_FIELDS, ROW_ROWS) == {
        "c_int": [5, None, 7],
        "s": ["x", None, None],
        "k": [3, None, None],
        "c_string": ["x", None, None],
    }
    # Zeta names an unaliased path by its last segment; a nested field is computed (nullable)
    plan = build_plan(job(source(ROW_FIELDS), transform=[{"plugin_name": "Sql", "query": query}]))
    out = plan.vertices[1].tables_out[0].schema
    assert [(f.name, f.type.display(), f.nullable) for f in out.fields] == [
        ("c_int", "INT", True),
        ("s", "STRING", True),
        ("k", "INT", True),
        ("c_string", "STRING", True),
    ]
    assert schema("select c_row.c_inner, c_row from t", ROW_FIELDS) == [
        ("c_inner", "ROW<c_string STRING>"),
        ("c_row", "ROW<c_int INT,c_inner ROW<c_string STRING>,c_map MAP<STRING, INT>>"),
    ]


def test_nested_paths_in_expressions_and_conditions() -> None:
    out = sql(
        "select c_row.c_int * 2 as d, concat(c_row.c_inner.c_string, '!') as e, "
        "case when c_row.c_inner.c_string like 'x%' then 'X' else 'other' end as f "
        "from t where c_row.c_inner is not null",
        ROW_FIELDS,
        ROW_ROWS,
    )
    assert out == {"d": [10, -2], "e": ["x!", "y!"], "f": ["X", "other"]}
    # five segments and more: sqlglot reads them as a Dot over a Column
    deep = {"a": {"b": {"c": {"d": {"e": "int"}}}}}
    rows = [{"fields": [[[[[9]]]]]}, {"fields": [[[None]]]}]
    assert sql("select a.b.c.d.e from t", deep, rows) == {"e": [9, None]}
    assert sql("select t.a.b.c.d.e as v from t", deep, rows) == {"v": [9, None]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "select c_row.nope from t",
            "unknown field `nope` in `c_row.nope`: c_row is ROW<c_int INT,c_inner ROW<c_string "
            "STRING>,c_map MAP<STRING, INT>>",
        ),
        (
            "select id from t where c_row.c_inner.zz > 0",
            "unknown field `zz` in `c_row.c_inner.zz`: c_row.c_inner is ROW<c_string STRING>",
        ),
        (
            "select c_row.c_int.x from t",
            "`c_row.c_int.x`: c_row.c_int is INT; a dotted path goes into ROW fields and may "
            "end in one MAP key",
        ),
        (
            "select c_row.c_map.a.b from t",
            "`c_row.c_map.a.b`: c_row.c_map is MAP<STRING, INT>; a dotted path goes into ROW "
            "fields and may end in one MAP key",
        ),
        ("select nope.c_int from t", "unknown column `nope.c_int`; input fields: id, c_row"),
        ("select id from t where c_row = c_row", "cannot compare ROW<"),
        ("select cast(c_row as int) from t", "cannot CAST ROW<"),
    ],
)
def test_bad_nested_paths_are_rejected(query: str, message: str) -> None:
    assert rejected(query, ROW_FIELDS).startswith(PREFIX + message)


def test_a_path_is_resolved_from_its_first_segment() -> None:
    """Zeta would read a top-level `c_int` for `c_row.c_int`; the path means the nested field."""
    fields = {"c_int": "string", "c_row": {"c_int": "int"}, "t": {"c_int": "bigint"}}
    rows = [{"fields": ["top", [1], [2]]}]
    assert sql("select c_row.c_int as a, t.c_int as b from t", fields, rows) == {
        "a": [1],
        "b": [2],  # a column named like the input table wins over the table prefix
    }
    assert schema("select c_row.c_int as a, t.c_int as b from t", fields) == [
        ("a", "INT"),
        ("b", "BIGINT"),
    ]


def test_a_row_as_a_string_is_seatunnel_rows_to_string() -> None:
    out = sql("select cast(c_row.c_inner as string) as s from t", ROW_FIELDS, ROW_ROWS)
    row = "SeaTunnelRow{tableId=, kind=+I, fields=[%s]}"
    assert out == {"s": [row % "x", None, row % "y", None]}


def test_lateral_view_explode() -> None:
    fields = {"id": "int", "tags": "string"}
    rows = [{"fields": [1, "a,b"]}, {"fields": [2, None]}, {"fields": [3, "c"]}]
    out = sql("select id, tags from t lateral view explode(split(tags, ',')) as tag", fields, rows)
    assert out == {"id": [1, 1, 3], "tags": ["a,b", "a,b", "c"], "tag": ["a", "b", "c"]}
    out = sql(
        "select id, tags from t lateral view outer explode(split(tags, ',')) as tags", fields, rows
    )
    assert out == {"id": [1, 1, 2, 3], "tags": ["a", "b", None, "c"]}
    out = sql(
        "select id from t lateral view explode(array(1, 2)) as x lateral view explode(array('p', 'q')) as y",
        fields,
        rows,
    )
    assert out["x"][:4] == [1, 1, 2, 2] and out["y"][:4] == ["p", "q", "p", "q"]
    assert len(out["id"]) == 12


def test_multi_table_options_and_udfs_are_rejected_clearly() -> None:
    with pytest.raises(ConfigError) as info:
        build_plan(
            job(
                source(),
                transform=[
                    {"plugin_name": "Sql", "query": "select id from t", "table_match_regex": ".*"}
                ],
            )
        )
    assert info.value.message == (
        "Plugin 'Sql' (transform[0]): option 'table_match_regex' is not supported "
        "(multi-table Sql is not implemented)"
    )
    assert rejected("select des_encrypt(name, 'k') from t") == (
        PREFIX + "the UDF DES_ENCRYPT is not supported: `des_encrypt(name, 'k')`"
    )


def test_where_and_projection_over_several_batches_keep_counts() -> None:
    run(
        job(
            {
                "plugin_name": "FakeSource",
                "plugin_output": "t",
                "row.num": 1000,
                "batch.size": 64,
                "seed": 3,
                "double.min": 0.0,
                "double.max": 1.0,
                "schema": {"fields": {"id": "int", "name": "string", "amount": "double"}},
            },
            transform=[
                {
                    "plugin_name": "Sql",
                    "query": "select id, amount from t where amount > 0.5",
                }
            ],
        )
    )
    table = collected_table()
    assert table.num_rows > 0
    assert all(a > 0.5 for a in table.column("amount").to_pylist())
