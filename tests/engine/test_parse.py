"""parse_config: JSON and HOCON bodies, SeaTunnel's HOCON plugin layout, exact error messages."""

from __future__ import annotations

import json

import pytest

from app.engine import ConfigError, build_plan, parse_config

SEED_HOCON = """
env {
  job.mode = "batch"
}

source {
  FakeSource {
    plugin_output = "fake"
    row.num = 100
    schema = {
      fields {
        name = "string"
        age = "int"
        card = "int"
      }
    }
  }
}

transform {
}

sink {
  Console {
    plugin_input = "fake"
  }
}
"""


def test_json_object_is_returned_as_is() -> None:
    body = b'{"env": {"job.mode": "batch"}, "source": [{"plugin_name": "FakeSource"}]}'
    assert parse_config(body) == {
        "env": {"job.mode": "batch"},
        "source": [{"plugin_name": "FakeSource"}],
    }
    assert parse_config(body.decode(), "JSON") == parse_config(body)


def test_seed_hocon_example() -> None:
    config = parse_config(SEED_HOCON, "hocon")
    assert config == {
        "env": {"job": {"mode": "batch"}},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row": {"num": 100},
                "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
            }
        ],
        "transform": [],
        "sink": [{"plugin_name": "Console", "plugin_input": "fake"}],
    }
    assert type(config) is dict and type(config["source"][0]["schema"]) is dict
    json.dumps(config)  # plain, serialisable
    plan = build_plan(config)
    assert plan.mode == "BATCH" and plan.env_options == {"job.mode": "batch"}
    assert plan.vertices[0].plugin.values["row.num"] == 100


def test_hocon_list_layout_quoted_keys_and_null() -> None:
    text = 'env { "job.name" = x, a = null }\nsource = [{plugin_name = FakeSource, "row.num" = 3}]'
    config = parse_config(text, "Hocon")
    assert config == {
        "env": {"job.name": "x", "a": None},
        "source": [{"plugin_name": "FakeSource", "row.num": 3}],
    }


@pytest.mark.parametrize("fmt", ["json", "hocon"])
@pytest.mark.parametrize("body", [b"", "", "   \n\t", b"  "])
def test_empty_body(body: str | bytes, fmt: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(body, fmt)
    assert info.value.message == "Request body is empty."


@pytest.mark.parametrize("body", ["{not json", "[{", '{"a": 1,}', b"\xff\xfe"])
def test_invalid_json(body: str | bytes) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(body)
    assert info.value.message == "Invalid JSON format in request body."


@pytest.mark.parametrize("body", ["[]", "5", '"text"', "null"])
def test_json_not_an_object(body: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(body)
    assert (
        info.value.message
        == "Invalid JSON format in request body: the config must be a JSON object."
    )


def test_invalid_hocon_has_a_short_reason() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("env { job.mode = ", "hocon")
    message = info.value.message
    assert message.startswith("Invalid HOCON format in request body: ")
    assert "\n" not in message and len(message) < 300


def test_unknown_format() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config("{}", "yaml")
    assert info.value.message == "Unsupported format: yaml. Use json, hocon or sql."
