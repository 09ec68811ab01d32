"""GET /option-rules (SeaTunnel 3.0, OptionRulesServlet): each plugin's options from the registry,
also under the v1 prefix; SeaTunnel's "FAIL" bodies for a bad type and an unknown plugin."""

from __future__ import annotations

import pytest

from app.engine import REGISTRIES

PARALLELISM = {
    "key": "parallelism",
    "type": "java.lang.Integer",
    "description": "Subtasks of this plugin; default: env parallelism.",
    "fallbackKeys": [],
}


def test_console_rules_exact(client) -> None:
    delay = {
        "key": "log.print.delay.ms",
        "type": "java.lang.Long",
        "defaultValue": 0,
        "description": "Milliseconds to wait after each printed row.",
        "fallbackKeys": [],
    }
    response = client.get("/option-rules?type=SINK&plugin=console")
    assert response.status_code == 200
    assert response.get_json() == {
        "engineType": "seatunnel",
        "pluginType": "sink",
        "pluginName": "Console",
        "optionRule": {
            "optionalOptions": [
                {
                    "key": "plugin_output",
                    "type": "java.lang.String",
                    "description": "Name of the table this plugin produces, for plugin_input of "
                    "later plugins.",
                    "fallbackKeys": ["result_table_name"],
                },
                {
                    "key": "plugin_input",
                    "type": "java.util.List<java.lang.String>",
                    "description": "Tables this plugin reads (plugin_output names); default: the "
                    "previous plugin.",
                    "fallbackKeys": ["source_table_name"],
                },
                PARALLELISM,
                {
                    "key": "log.print.data",
                    "type": "java.lang.Boolean",
                    "defaultValue": True,
                    "description": "Log every row; false logs none.",
                    "fallbackKeys": [],
                },
                delay,
            ],
            "requiredOptions": [],
            "conditionRules": [],
            "valueConstraints": [
                {
                    "expression": "'parallelism' >= 1",
                    "conditionTree": {
                        "option": PARALLELISM,
                        "expectValue": 1,
                        "compareOperator": ">=",
                    },
                },
                {
                    "expression": "'parallelism' <= 1024",
                    "conditionTree": {
                        "option": PARALLELISM,
                        "expectValue": 1024,
                        "compareOperator": "<=",
                    },
                },
                {
                    "expression": "'log.print.delay.ms' >= 0",
                    "conditionTree": {"option": delay, "expectValue": 0, "compareOperator": ">="},
                },
                {
                    "expression": "'log.print.delay.ms' <= 60000",
                    "conditionTree": {
                        "option": delay,
                        "expectValue": 60000,
                        "compareOperator": "<=",
                    },
                },
            ],
        },
    }


def test_required_exclusive_bundled_and_choices(client) -> None:
    rules = client.get("/option-rules?type=source&plugin=FakeSource").get_json()["optionRule"]
    assert [
        (r["ruleType"], [o["key"] for o in r["options"]]) for r in rules["requiredOptions"]
    ] == [
        ("ABSOLUTELY_REQUIRED", ["schema"]),
        ("EXCLUSIVE", ["schema.fields", "schema.columns"]),
    ]
    row_num = next(o for o in rules["optionalOptions"] if o["key"] == "row.num")
    assert row_num["defaultValue"] == 5 and row_num["description"]
    rules = client.get("/option-rules?type=transform&plugin=Copy").get_json()["optionRule"]
    assert [
        (r["ruleType"], [o["key"] for o in r["options"]]) for r in rules["requiredOptions"]
    ] == [
        ("EXCLUSIVE", ["fields", "src_field"]),
        ("BUNDLED", ["src_field", "dest_field"]),
    ]
    rules = client.get("/option-rules?type=sink&plugin=LocalFile").get_json()["optionRule"]
    fmt = next(o for o in rules["optionalOptions"] if o["key"] == "file_format_type")
    assert fmt["optionValues"] == ["TEXT", "CSV", "JSON", "PARQUET"]


def test_every_registered_plugin_is_served_also_under_v1(client) -> None:
    for kind, registry in REGISTRIES.items():
        for name in registry.names():
            for prefix in ("", "/hazelcast/rest/maps"):
                response = client.get(f"{prefix}/option-rules?type={kind}&plugin={name}")
                assert response.status_code == 200, (kind, name)
                body = response.get_json()
                assert (body["pluginType"], body["pluginName"]) == (kind, name)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("type=sink&plugin=Nope", 404, "Plugin 'Nope' not found for type 'sink'."),
        ("type=source&plugin=Console", 404, "Plugin 'Console' not found for type 'source'."),
        (
            "type=catalog&plugin=x",
            400,
            "Unsupported plugin type 'catalog'. Only 'source', 'sink' and 'transform' are supported.",
        ),
        ("plugin=Console", 400, "Parameter 'type' cannot be empty."),
        ("type=sink&plugin=%20", 400, "Parameter 'plugin' cannot be empty."),
    ],
)
def test_errors(client, query: str, status: int, message: str) -> None:
    response = client.get(f"/option-rules?{query}")
    assert response.status_code == status
    assert response.get_json() == {"status": "FAIL", "message": message}
