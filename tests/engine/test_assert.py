"""Assert sink rules in the engine: each rule type, equals_to conversions, type checks."""

from __future__ import annotations

import pytest

from app.engine import ConfigError, JobError, build_plan

FIELDS = {
    "s": "string",
    "n": "int",
    "d": "decimal(10, 2)",
    "day": "date",
    "ts": "timestamp",
    "tags": "array<string>",
    "m": "map<string, int>",
}
ROW = ["a😀b", 5, "12.30", "2024-01-02", "2024-01-02T03:04:05", ["x", "y"], {"k": 1}]


def _run(field_rules: list, rows: list | None = None, row_rules: list | None = None) -> str:
    config = {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "t",
                "schema": {"fields": FIELDS},
                "rows": [{"kind": "INSERT", "fields": r} for r in (rows or [ROW])],
            }
        ],
        "sink": [
            {
                "plugin_name": "Assert",
                "rules": {"field_rules": field_rules, "row_rules": row_rules or []},
            }
        ],
    }
    return build_plan(config).runner(lambda line: None).run()


def _rule(field: str, *rules: dict, field_type: str | None = None) -> dict:
    rule: dict = {"field_name": field, "field_value": list(rules)}
    if field_type is not None:
        rule["field_type"] = field_type
    return rule


@pytest.mark.parametrize(
    "rule",
    [
        _rule(
            "s",
            {"rule_type": "MIN_LENGTH", "rule_value": 4},
            {"rule_type": "MAX_LENGTH", "rule_value": 4},
        ),
        _rule(
            "n",
            {"rule_type": "MIN", "rule_value": 5},
            {"rule_type": "MAX", "rule_value": 5},
            field_type="int",
        ),
        _rule(
            "d",
            {"rule_type": "MAX", "rule_value": 12.3},
            {"equals_to": "12.30"},
            field_type="decimal(10, 2)",
        ),
        _rule("day", {"equals_to": "2024-01-02"}, field_type="date"),
        _rule("ts", {"equals_to": "2024-01-02 03:04:05"}, field_type="timestamp"),
        _rule("tags", {"equals_to": ["x", "y"]}, field_type="array<string>"),
        _rule("m", {"equals_to": {"k": 1}}, {"rule_type": "NOT_NULL"}),
        _rule("n", {"equals_to": 5}, field_type="integer"),
    ],
)
def test_rules_that_hold(rule: dict) -> None:
    assert _run([rule]) == "FINISHED"


@pytest.mark.parametrize(
    ("rule", "tail"),
    [
        # the emoji is two UTF-16 units, as String.length() counts: "a😀b" has length 4
        (
            _rule("s", {"rule_type": "MAX_LENGTH", "rule_value": 3}),
            "value a😀b breaks MAX_LENGTH 3.0)",
        ),
        (_rule("s", {"rule_type": "MIN", "rule_value": 0}), "value a😀b breaks MIN 0.0)"),
        (_rule("n", {"rule_type": "NULL"}), "value 5 breaks NULL)"),
        (_rule("n", field_type="bigint"), "value 5 breaks field_type)"),
        (_rule("d", field_type="decimal(10, 3)"), "value 12.30 breaks field_type)"),
        (
            _rule("day", {"equals_to": "2024-01-03"}),
            "value 2024-01-02 breaks equals_to 2024-01-03)",
        ),
        (_rule("tags", {"equals_to": ["x"]}), 'value [x, y] breaks equals_to ["x"])'),
    ],
)
def test_rules_that_break_name_the_value(rule: dict, tail: str) -> None:
    with pytest.raises(JobError) as failure:
        _run([rule])
    assert str(failure.value).endswith(tail)
    assert str(failure.value).startswith(
        "Assert: ErrorCode:[ASSERT-01], ErrorDescription:[Rule validate failed] - row :SeaTunnelRow{tableId=t, kind=+I, "
    )


def test_the_first_breaking_row_is_reported_with_the_first_rule_it_breaks() -> None:
    rows = [list(ROW), list(ROW), list(ROW)]
    rows[1][1] = 9
    rows[2][1] = None
    rules = [
        _rule("s", {"rule_type": "NOT_NULL"}),
        _rule("n", {"rule_type": "NOT_NULL"}),
        _rule("n", {"rule_type": "MAX", "rule_value": 6}),
    ]
    with pytest.raises(JobError) as failure:
        _run(rules, rows)
    assert "fields=[a😀b, 9, 12.30," in str(failure.value)
    assert str(failure.value).endswith("(field n value 9 breaks MAX 6.0)")


def test_max_row_fails_at_the_end() -> None:
    with pytest.raises(JobError) as failure:
        _run([], [ROW, ROW], row_rules=[{"rule_type": "MAX_ROW", "rule_value": 1}])
    assert str(failure.value).endswith("(rows: 2, MAX_ROW 1.0)")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"row_rules": [{"rule_type": "MIN_ROW"}]}, "rules.row_rules[0].rule_value is required"),
        ({"row_rules": [{"rule_type": "not_null"}]}, "rules.row_rules[0].rule_type must be one of"),
        (
            {"field_rules": [{"field_value": []}]},
            "rules.field_rules[0].field_name must be a field name string",
        ),
        (
            {"field_rules": [{"field_name": "n", "field_type": "integr"}]},
            'field_type is not a SeaTunnel type, got "integr"',
        ),
        (
            {"field_rules": [{"field_name": "n", "field_value": [{"rule_type": "MAX"}]}]},
            "rule_value is required for MAX",
        ),
        (
            {"tables_configs": [{"row_rules": []}]},
            "tables_configs[0].table_path must be a table path string",
        ),
        ({"field_rules": [{"field_name": "n", "fieldvalue": []}]}, 'has unknown key "fieldvalue"'),
    ],
)
def test_malformed_rules_are_config_errors(rules: dict, message: str) -> None:
    config = {
        "env": {"job.mode": "BATCH"},
        "source": [{"plugin_name": "FakeSource", "schema": {"fields": FIELDS}}],
        "sink": [{"plugin_name": "Assert", "rules": rules}],
    }
    with pytest.raises(ConfigError) as refused:
        build_plan(config)
    assert refused.value.message.startswith("Plugin 'Assert' (sink[0]): option 'rules' ")
    assert message in refused.value.message


def test_row_columns_from_files_with_an_object_field_type(tmp_path) -> None:
    (tmp_path / "a.json").write_text('{"r": {"a": 1, "b": "x"}}\n')
    config = {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "LocalFile",
                "path": str(tmp_path),
                "file_format_type": "json",
                "schema": {"fields": {"r": {"a": "int", "b": "string"}}},
            }
        ],
        "sink": [
            {
                "plugin_name": "Assert",
                "rules": {
                    "field_rules": [
                        {
                            "field_name": "r",
                            "field_type": {"a": "int", "b": "string"},
                            "field_value": [
                                {"rule_type": "NOT_NULL"},
                                {"equals_to": {"a": 1, "b": "x"}},
                            ],
                        }
                    ]
                },
            }
        ],
    }
    assert build_plan(config).runner(lambda line: None).run() == "FINISHED"
    config["sink"][0]["rules"]["field_rules"][0]["field_value"][1]["equals_to"] = {"a": 2, "b": "x"}
    with pytest.raises(JobError) as failure:
        build_plan(config).runner(lambda line: None).run()
    assert str(failure.value).endswith('breaks equals_to {"a":2,"b":"x"})')
