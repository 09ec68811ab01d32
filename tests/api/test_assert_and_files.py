"""Assert sink and LocalFile source through the API, the way SeaTunnel's e2e tests use them:
submit a job, wait for its final status, read errorMsg."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.helpers import wait_for_status

FINAL = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")
PREFIX = "Assert: ErrorCode:[ASSERT-01], ErrorDescription:[Rule validate failed] - "


def _fake(rows: list | None = None, **options: object) -> dict:
    block = {
        "plugin_name": "FakeSource",
        "plugin_output": "fake",
        "schema": {"fields": {"name": "string", "age": "int", "score": "double"}},
        "rows": rows
        or [
            {"kind": "INSERT", "fields": ["Joy", 20, 1.5]},
            {"kind": "INSERT", "fields": ["May", 31, 2.5]},
            {"kind": "INSERT", "fields": ["Ann", None, 3.5]},
        ],
    }
    block.update(options)
    return block


def _job(source: dict | list, rules: dict) -> dict:
    return {
        "env": {"job.mode": "BATCH"},
        "source": source if isinstance(source, list) else [source],
        "sink": [{"plugin_name": "Assert", "rules": rules}],
    }


def _run(client, config: dict) -> dict:
    response = client.post("/submit-job", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return wait_for_status(client, response.get_json()["jobId"], FINAL)


def test_rules_that_hold_finish_the_job(client) -> None:
    rules = {
        "row_rules": [
            {"rule_type": "MAX_ROW", "rule_value": 3},
            {"rule_type": "MIN_ROW", "rule_value": 3},
        ],
        "field_rules": [
            {
                "field_name": "name",
                "field_type": "string",
                "field_value": [
                    {"rule_type": "NOT_NULL"},
                    {"rule_type": "MIN_LENGTH", "rule_value": 3},
                    {"rule_type": "MAX_LENGTH", "rule_value": 3},
                ],
            },
            {
                "field_name": "age",
                "field_type": "int",
                "field_value": [
                    {"rule_type": "MIN", "rule_value": 20},
                    {"rule_type": "MAX", "rule_value": 31},
                ],
            },
            {
                "field_name": "score",
                "field_type": "double",
                "field_value": [{"rule_type": "MAX", "rule_value": 3.5}],
            },
        ],
    }
    # age is null in one row: MIN/MAX fail on null, so only the rows with an age are checked
    rules["field_rules"][1]["field_value"] = [{"rule_type": "MIN_LENGTH", "rule_value": 0}]
    info = _run(client, _job(_fake(), rules))
    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert info["metrics"]["SinkWriteCount"] == "3"


def test_a_broken_field_rule_fails_the_job_naming_rule_field_and_value(client) -> None:
    rules = {
        "field_rules": [
            {
                "field_name": "age",
                "field_type": "int",
                "field_value": [{"rule_type": "NOT_NULL"}, {"rule_type": "MAX", "rule_value": 30}],
            }
        ]
    }
    info = _run(client, _job(_fake(), rules))
    assert info["jobStatus"] == "FAILED"
    assert info["errorMsg"] == (
        PREFIX + "row :SeaTunnelRow{tableId=fake, kind=+I, fields=[May, 31, 2.5]} fail rule: "
        "AssertFieldRule(fieldName=age, fieldType=INT, fieldRules=["
        "AssertFieldRule.AssertRule(ruleType=NOT_NULL, ruleValue=null, equalTo=null), "
        "AssertFieldRule.AssertRule(ruleType=MAX, ruleValue=30.0, equalTo=null)]) "
        "(field age value 31 breaks MAX 30.0)"
    )


def test_not_null_and_equals_to_and_field_type(client) -> None:
    not_null = {"field_rules": [{"field_name": "age", "field_value": [{"rule_type": "NOT_NULL"}]}]}
    info = _run(client, _job(_fake(), not_null))
    assert info["jobStatus"] == "FAILED"
    assert "fields=[Ann, null, 3.5]" in info["errorMsg"]
    assert info["errorMsg"].endswith("(field age value null breaks NOT_NULL)")

    equals = {"field_rules": [{"field_name": "score", "field_value": [{"equals_to": 1.5}]}]}
    rows = [
        {"kind": "INSERT", "fields": ["Joy", 1, 1.5]},
        {"kind": "INSERT", "fields": ["May", 2, 1.5]},
    ]
    assert _run(client, _job(_fake(rows), equals))["jobStatus"] == "FINISHED"
    equals["field_rules"][0]["field_value"] = [{"equals_to": 2.5}]
    failed = _run(client, _job(_fake(rows), equals))
    assert failed["jobStatus"] == "FAILED"
    assert failed["errorMsg"].endswith("(field score value 1.5 breaks equals_to 2.5)")

    wrong_type = {"field_rules": [{"field_name": "age", "field_type": "bigint"}]}
    failed = _run(client, _job(_fake(rows), wrong_type))
    assert failed["jobStatus"] == "FAILED"
    assert failed["errorMsg"].endswith("(field age value 1 breaks field_type)")


def test_row_rules_are_checked_at_the_end(client) -> None:
    rules = {"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 4}]}
    info = _run(client, _job(_fake(), rules))
    assert info["jobStatus"] == "FAILED"
    assert info["errorMsg"] == (
        PREFIX + "row num :3 fail rule: AssertFieldRule.AssertRule(ruleType=MIN_ROW, "
        "ruleValue=4.0, equalTo=null) (rows: 3, MIN_ROW 4.0)"
    )


def test_table_scoped_rules_and_table_names(client) -> None:
    sources = [
        _fake(
            plugin_output="a",
            schema={"table": "db.a", "fields": {"name": "string", "age": "int", "score": "double"}},
        ),
        _fake(
            rows=[{"kind": "INSERT", "fields": ["Bob", 5, 0.5]}],
            plugin_output="b",
            schema={"table": "db.b", "fields": {"name": "string", "age": "int", "score": "double"}},
        ),
    ]
    rules = {
        "tables_configs": [
            {"table_path": "db.a", "row_rules": [{"rule_type": "MIN_ROW", "rule_value": 3}]},
            {
                "table_path": "db.b",
                "row_rules": [{"rule_type": "MAX_ROW", "rule_value": 1}],
                "field_rules": [
                    {"field_name": "age", "field_value": [{"rule_type": "MAX", "rule_value": 5}]}
                ],
            },
        ],
        "table-names": ["db.a", "db.b"],
    }
    config = _job(sources, rules)
    config["sink"][0]["plugin_input"] = ["a", "b"]
    info = _run(client, config)
    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    rules["table-names"] = ["db.a", "db.c"]
    failed = _run(client, config)
    assert failed["jobStatus"] == "FAILED"
    assert failed["errorMsg"] == PREFIX + "table names: [db.a, db.b] is not equal to [db.a, db.c]"


def test_bad_rules_are_refused_with_400(client) -> None:
    cases = [
        ({}, "option 'rules' Assert rule config is empty, please add rule config."),
        (
            {"row_rules": [{"rule_type": "MIN_ROWS", "rule_value": 1}]},
            "option 'rules' rules.row_rules[0].rule_type must be one of NULL, NOT_NULL, MIN, MAX, "
            'MIN_LENGTH, MAX_LENGTH, MAX_ROW, MIN_ROW, got "MIN_ROWS"',
        ),
        (
            {"field_rules": [{"field_name": "nope", "field_value": [{"rule_type": "NOT_NULL"}]}]},
            "option 'rules' table fake: field_name 'nope' is not a field of the table "
            "(fields: name, age, score)",
        ),
        (
            {"field_rules": [{"field_name": "age", "field_value": [{"equals_to": "x"}]}]},
            "option 'rules' table fake: equals_to x of field 'age' cannot be read as INT",
        ),
        (
            {"catalog_table_rule": {}},
            "option 'rules' rules.catalog_table_rule is not supported yet by this server",
        ),
    ]
    for rules, message in cases:
        response = client.post("/submit-job", data=orjson.dumps(_job(_fake(), rules)))
        assert response.status_code == 400
        assert response.get_json() == {
            "status": "fail",
            "message": f"Plugin 'Assert' (sink[0]): {message}",
        }


def test_local_file_round_trip_checked_by_assert(client, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write = {
        "env": {"job.mode": "BATCH"},
        "source": [_fake(row_num=1, **{"row.num": 3})],
        "sink": [
            {
                "plugin_name": "LocalFile",
                "path": str(out),
                "tmp_path": str(tmp_path / "tmp"),
                "file_format_type": "csv",
            }
        ],
    }
    del write["source"][0]["row_num"]
    assert _run(client, write)["jobStatus"] == "FINISHED"
    read = _job(
        {
            "plugin_name": "LocalFile",
            "path": str(out),
            "file_format_type": "csv",
            "schema": {"fields": {"name": "string", "age": "int", "score": "double"}},
        },
        {
            "row_rules": [
                {"rule_type": "MIN_ROW", "rule_value": 3},
                {"rule_type": "MAX_ROW", "rule_value": 3},
            ],
            "field_rules": [
                {
                    "field_name": "name",
                    "field_type": "string",
                    "field_value": [{"rule_type": "NOT_NULL"}],
                },
                {
                    "field_name": "score",
                    "field_type": "double",
                    "field_value": [{"rule_type": "MIN", "rule_value": 1.5}],
                },
            ],
        },
    )
    info = _run(client, read)
    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert info["metrics"]["SourceReceivedCount"] == "3"


def test_local_file_path_outside_the_allowed_roots_is_a_400(client) -> None:
    config = _job(
        {"plugin_name": "LocalFile", "path": "/etc", "file_format_type": "text"},
        {"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 1}]},
    )
    response = client.post("/submit-job", data=orjson.dumps(config))
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": "Plugin 'LocalFile' (source[0]): option 'path' must resolve under an allowed "
        'path (security.allowed-paths: /tmp), got "/etc"',
    }


def test_row_rules_count_the_rows_of_every_subtask(client) -> None:
    source = {
        "plugin_name": "FakeSource",
        "row.num": 10,
        "split.num": 2,
        "schema": {"fields": {"id": "bigint"}},
    }
    rules = {
        "row_rules": [
            {"rule_type": "MIN_ROW", "rule_value": 40},
            {"rule_type": "MAX_ROW", "rule_value": 40},
        ]
    }
    config = _job(source, rules)
    config["env"]["parallelism"] = 4
    info = _run(client, config)
    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert info["metrics"]["SinkWriteCount"] == "40"
