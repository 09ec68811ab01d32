"""build_plan: config shape, option validation, table wiring, env options and the jobDag object."""

from __future__ import annotations

import copy
import json
import random

import pytest

from app.engine import ConfigError, build_plan
from tests.engine.conftest import fake, job

SEED_JSON = {
    "env": {"job.mode": "batch"},
    "source": [
        {
            "plugin_name": "FakeSource",
            "plugin_output": "fake",
            "row.num": 100,
            "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
        }
    ],
    "transform": [],
    "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}],
}

CHAIN = {
    "env": {"job.mode": "STREAMING", "checkpoint.interval": 5000, "parallelism": 1},
    "source": [fake()],
    "transform": [
        {
            "plugin_name": "FieldMapper",
            "plugin_input": "fake",
            "plugin_output": "mapped",
            "field_mapper": {"age": "years", "name": "who"},
        },
        {"plugin_name": "Filter", "include_fields": ["who"]},
    ],
    "sink": [{"plugin_name": "console"}],
}


def message(config: dict) -> str:
    with pytest.raises(ConfigError) as info:
        build_plan(config)
    return info.value.message


def seatunnel_part(dag: dict) -> dict:
    """The jobDag without our additions: exactly what a SeaTunnel client reads."""
    dag = copy.deepcopy(dag)
    for info in dag["vertexInfoMap"]:
        del info["schemas"]
    return dag


def fields(*pairs: tuple[str, str]) -> list[dict]:
    return [{"name": n, "type": t, "nullable": True} for n, t in pairs]


SEED_FIELDS = fields(("name", "STRING"), ("age", "INT"), ("card", "INT"))


def test_seed_example_dag() -> None:
    plan = build_plan(SEED_JSON)
    dag = plan.dag("733584788375666689")
    assert [v["schemas"] for v in dag["vertexInfoMap"]] == [
        [{"tablePath": "fake", "fields": SEED_FIELDS}],
        [{"tablePath": "fake", "fields": SEED_FIELDS}],
    ]
    assert list(dag["vertexInfoMap"][0]) == [
        "vertexId",
        "type",
        "vertexName",
        "tablePaths",
        "schemas",
    ]
    assert json.dumps(seatunnel_part(dag)) == json.dumps(
        {
            "jobId": "733584788375666689",
            "pipelineEdges": {"1": [{"inputVertexId": "1", "targetVertexId": "2"}]},
            "envOptions": {"job.mode": "batch"},
            "vertexInfoMap": [
                {
                    "vertexId": 1,
                    "type": "source",
                    "vertexName": "pipeline-1 [Source[0]-FakeSource]",
                    "tablePaths": ["fake"],
                },
                {
                    "vertexId": 2,
                    "type": "sink",
                    "vertexName": "pipeline-1 [Sink[0]-Console-MultiTableSink]",
                    "tablePaths": ["fake"],
                },
            ],
        }
    )
    assert plan.mode == "BATCH" and plan.name is None and plan.env == {"job.mode": "batch"}


def test_chain_dag() -> None:
    """SeaTunnel's ExecutionPlanGenerator: the transforms become one TransformChain vertex,
    numbered after the sink, with no table paths."""
    dag = build_plan(CHAIN).dag("1")
    # the chain shows its output (FieldMapper renames, Filter keeps one), the sink what it gets
    mapped = [{"tablePath": "fake", "fields": fields(("who", "STRING"))}]
    assert [v["schemas"] for v in dag["vertexInfoMap"]] == [
        [{"tablePath": "fake", "fields": SEED_FIELDS}],
        mapped,
        mapped,
    ]
    assert seatunnel_part(dag) == {
        "jobId": "1",
        "pipelineEdges": {
            "1": [
                {"inputVertexId": "1", "targetVertexId": "5"},
                {"inputVertexId": "5", "targetVertexId": "4"},
            ]
        },
        "envOptions": {"job.mode": "STREAMING", "checkpoint.interval": "5000", "parallelism": "1"},
        "vertexInfoMap": [
            {
                "vertexId": 1,
                "type": "source",
                "vertexName": "pipeline-1 [Source[0]-FakeSource]",
                "tablePaths": ["fake"],
            },
            {
                "vertexId": 4,
                "type": "sink",
                "vertexName": "pipeline-1 [Sink[0]-console-MultiTableSink]",
                "tablePaths": ["fake"],
            },
            {
                "vertexId": 5,
                "type": "transform",
                "vertexName": "pipeline-1 [TransformChain[Transform[0]-FieldMapper->Transform[1]-Filter]]",
                "tablePaths": [],
            },
        ],
    }
    assert list(dag) == ["jobId", "pipelineEdges", "envOptions", "vertexInfoMap"]


def test_sink_fed_by_two_sources_is_copied_per_source() -> None:
    """PipelineGenerator.splitUnionEdge: one pipeline per source-to-sink path, all renumbered."""
    config = job(
        [
            fake(plugin_output="a"),
            fake(plugin_output="b", schema={"table": "x.y", "fields": {"n": "int"}}),
        ],
        transform=[
            {
                "plugin_name": "Filter",
                "plugin_input": ["a"],
                "plugin_output": "c",
                "fields": ["name"],
            },
            {
                "plugin_name": "FieldMapper",
                "plugin_input": ["c"],
                "plugin_output": "d",
                "field_mapper": {"name": "who"},
            },
        ],
        sink=[{"plugin_name": "Console", "plugin_input": ["d", "b"]}],
    )
    dag = build_plan(config).dag("2")
    assert dag["pipelineEdges"] == {
        "1": [
            {"inputVertexId": "1", "targetVertexId": "2"},
            {"inputVertexId": "2", "targetVertexId": "3"},
        ],
        "2": [{"inputVertexId": "4", "targetVertexId": "5"}],
    }
    assert [(v["vertexId"], v["vertexName"], v["tablePaths"]) for v in dag["vertexInfoMap"]] == [
        (1, "pipeline-1 [Source[0]-FakeSource]", ["a"]),
        (2, "pipeline-1 [TransformChain[Transform[0]-Filter->Transform[1]-FieldMapper]]", []),
        (3, "pipeline-1 [Sink[0]-Console-MultiTableSink]", ["a", "x.y"]),
        (4, "pipeline-2 [Source[1]-FakeSource]", ["x.y"]),
        (5, "pipeline-2 [Sink[0]-Console-MultiTableSink]", ["a", "x.y"]),
    ]
    who = {"tablePath": "a", "fields": fields(("who", "STRING"))}
    n = {"tablePath": "x.y", "fields": fields(("n", "INT"))}
    assert [v["schemas"] for v in dag["vertexInfoMap"]] == [
        [{"tablePath": "a", "fields": SEED_FIELDS}],
        [who],
        [who, n],  # every copy of the sink shows all it receives, as its tablePaths do
        [n],
        [who, n],
    ]


def test_branching_transforms_are_chained_separately() -> None:
    config = job(
        fake(),
        transform=[
            {
                "plugin_name": "Filter",
                "plugin_input": ["fake"],
                "plugin_output": "f1",
                "fields": ["name"],
            },
            {
                "plugin_name": "Filter",
                "plugin_input": ["fake"],
                "plugin_output": "f2",
                "fields": ["age"],
            },
        ],
        sink=[
            {"plugin_name": "Console", "plugin_input": ["f1"]},
            {"plugin_name": "Console", "plugin_input": ["f2"]},
        ],
    )
    dag = build_plan(config).dag("3")
    assert dag["pipelineEdges"] == {
        "1": [
            {"inputVertexId": "1", "targetVertexId": "6"},
            {"inputVertexId": "1", "targetVertexId": "7"},
            {"inputVertexId": "6", "targetVertexId": "4"},
            {"inputVertexId": "7", "targetVertexId": "5"},
        ]
    }
    names = {v["vertexId"]: v["vertexName"] for v in dag["vertexInfoMap"]}
    assert names[6] == "pipeline-1 [TransformChain[Transform[0]-Filter]]"
    assert names[7] == "pipeline-1 [TransformChain[Transform[1]-Filter]]"


def test_two_pipelines_and_table_paths() -> None:
    config = job(
        [
            fake(plugin_output="a", **{"schema": {"table": "fake.table1", "fields": {"x": "int"}}}),
            fake(plugin_output=None, result_table_name="b"),
            fake(plugin_output=None),
        ],
        sink=[
            {"plugin_name": "Console", "source_table_name": "a"},
            {"plugin_name": "Console", "plugin_input": ["b"]},
        ],
    )
    config["source"][2].pop("plugin_output")
    config["source"][1].pop("plugin_output")
    dag = build_plan(config).dag("9")
    assert dag["pipelineEdges"] == {
        "1": [{"inputVertexId": "1", "targetVertexId": "2"}],
        "2": [{"inputVertexId": "3", "targetVertexId": "4"}],
        "3": [],  # ours: a source nothing reads keeps a pipeline of its own
    }
    infos = dag["vertexInfoMap"]
    assert [v["tablePaths"] for v in infos] == [
        ["fake.table1"],
        ["fake.table1"],
        ["b"],
        ["b"],
        ["default.default.default"],
    ]
    assert infos[3]["vertexName"] == "pipeline-2 [Sink[1]-Console-MultiTableSink]"
    assert infos[4]["vertexName"] == "pipeline-3 [Source[2]-FakeSource]"
    assert infos[4]["schemas"] == [{"tablePath": "default.default.default", "fields": SEED_FIELDS}]


def test_dag_schemas_show_row_types_and_distinct_tables() -> None:
    row = {"c_int": "int", "c_inner": {"c_string": "string"}}
    schema = {"fields": {"id": "bigint", "d": "decimal", "m": "map<string, array<int>>", "r": row}}
    config = job(
        [fake(plugin_output="a", schema=schema), fake(plugin_output="b", schema=schema)],
        sink=[{"plugin_name": "Console", "plugin_input": ["a", "b"]}],
    )
    for source in config["source"]:
        source["schema"]["table"] = "same.path"
    dag = build_plan(config).dag("1")
    expected = {
        "tablePath": "same.path",
        "fields": fields(
            ("id", "BIGINT"),
            ("d", "DECIMAL(38, 18)"),
            ("m", "MAP<STRING, ARRAY<INT>>"),
            ("r", "ROW<c_int INT,c_inner ROW<c_string STRING>>"),
        ),
    }
    # two sources of one path and schema: the sink (copied per source) shows it once
    assert [v["schemas"] for v in dag["vertexInfoMap"]] == [[expected]] * 4


def test_dag_schemas_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan may hold limits.fields fields; the stored jobDag keeps a bounded share of them."""
    from app.engine import dag as dag_module

    monkeypatch.setattr(dag_module, "SCHEMA_BUDGET", 3 * 40 + 25)
    dag = build_plan(SEED_JSON).dag("1")
    source, sink = (v["schemas"] for v in dag["vertexInfoMap"])
    assert source == [{"tablePath": "fake", "fields": SEED_FIELDS}]  # 10 + 6 + 7 characters
    assert sink == [{"tablePath": "fake", "fields": SEED_FIELDS[:1], "truncated": True}]


def test_hocon_style_nested_options_and_env() -> None:
    config = job(
        {
            "plugin_name": "fakesource",
            "row": {"num": "7"},
            "schema": {"fields": {"a": "INT"}, "table": "t.x"},
        },
        env={
            "job": {"mode": "streaming", "name": "nightly"},
            "checkpoint": {"interval": 1000},
            "flag": True,
        },
    )
    plan = build_plan(config)
    assert plan.mode == "STREAMING" and plan.name == "nightly"
    assert plan.env_options == {
        "job.mode": "streaming",
        "job.name": "nightly",
        "checkpoint.interval": "1000",
        "flag": "true",
    }
    source = plan.vertices[0]
    assert source.plugin.values["row.num"] == 7 and source.plugin.table_path == "t.x"
    assert plan.dag("1")["vertexInfoMap"][0]["vertexName"] == "pipeline-1 [Source[0]-FakeSource]"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.update(source=[]), "Miss <Source> config! Please check the config file."),
        (lambda c: c.pop("source"), "Miss <Source> config! Please check the config file."),
        (lambda c: c.update(sink=[]), "Miss <Sink> config! Please check the config file."),
        (lambda c: c.pop("sink"), "Miss <Sink> config! Please check the config file."),
        (lambda c: c.pop("env"), "Miss <env> config! Please check the config file."),
        (
            lambda c: c["source"][0].update(plugin_name="Foo"),
            "Plugin 'Foo' (source[0]): unknown plugin_name; known sources: FakeSource, Jdbc, LocalFile",
        ),
        (
            lambda c: c["source"][0].update({"row.num": "abc"}),
            "Plugin 'FakeSource' (source[0]): option 'row.num' must be an integer, got \"abc\"",
        ),
        (
            lambda c: c["source"][0].update({"row.num": True}),
            "Plugin 'FakeSource' (source[0]): option 'row.num' must be an integer, got true",
        ),
        (
            lambda c: c["source"][0].update({"row.num": 1.5}),
            "Plugin 'FakeSource' (source[0]): option 'row.num' must be an integer, got 1.5",
        ),
        (
            lambda c: c["source"][0].update({"row.num": -1}),
            "Plugin 'FakeSource' (source[0]): option 'row.num' must be >= 0, got -1",
        ),
        (
            lambda c: c["source"][0].pop("schema"),
            "Plugin 'FakeSource' (source[0]): option 'schema' is required",
        ),
        (
            lambda c: c["source"][0].update(schema={"table": "x"}),
            "Plugin 'FakeSource' (source[0]): option 'schema.fields' is required (or schema.columns)",
        ),
        (
            lambda c: c["source"][0].update(schema={"fields": {"a": "int", "b": "varchar"}}),
            "Plugin 'FakeSource' (source[0]): option 'schema.fields' field \"b\" has unknown type \"varchar\"",
        ),
        (
            lambda c: c["sink"][0].update(plugin_input=["nowhere"]),
            "Plugin 'Console' (sink[0]): option 'plugin_input' names table \"nowhere\" that no source or transform produces",
        ),
        (
            lambda c: c["sink"][0].update({"log.print.data": "yes"}),
            "Plugin 'Console' (sink[0]): option 'log.print.data' must be a boolean, got \"yes\"",
        ),
        (
            lambda c: c["sink"][0].update(plugin_name=5),
            "Plugin config sink[0] must be an object with a string 'plugin_name', got plugin_name 5",
        ),
        (
            lambda c: c["sink"].append("Console"),
            "Plugin config sink[1] must be an object with a string 'plugin_name', got \"Console\"",
        ),
        (
            lambda c: c["env"].update({"job.mode": "micro"}),
            "env option 'job.mode' must be BATCH or STREAMING, got \"micro\"",
        ),
        (
            lambda c: c["env"].update(parallelism="x"),
            "env option 'parallelism' must be an integer, got \"x\"",
        ),
        (
            lambda c: c["source"].append(copy.deepcopy(c["source"][0])),
            "Plugin 'FakeSource' (source[1]): option 'plugin_output' \"fake\" is already produced by source[0]",
        ),
    ],
)
def test_config_errors(mutate, expected: str) -> None:
    config = copy.deepcopy(SEED_JSON)
    mutate(config)
    got = message(config)
    if "known sources: " in expected:  # other test modules register sources of their own
        from app.engine import REGISTRIES

        ours = [
            n
            for n in REGISTRIES["source"].names()
            if not REGISTRIES["source"].get(n).__module__.startswith("tests.")
        ]
        prefix, listed = got.split("known sources: ")
        got = prefix + "known sources: " + ", ".join(n for n in listed.split(", ") if n in ours)
    assert got == expected


def test_options_accept_strings_and_bool_text() -> None:
    config = copy.deepcopy(SEED_JSON)
    config["source"][0]["row.num"] = "12"
    config["sink"][0]["log.print.data"] = "FALSE"
    plan = build_plan(config)
    assert plan.vertices[0].plugin.values["row.num"] == 12
    assert plan.vertices[1].plugin.values["log.print.data"] is False


def test_env_may_be_empty_and_defaults_to_batch() -> None:
    config = copy.deepcopy(SEED_JSON)
    config["env"] = {}
    plan = build_plan(config)
    assert plan.mode == "BATCH" and plan.env_options == {}


def test_default_inputs() -> None:
    two_sources = job(
        [fake(plugin_output="a"), fake(plugin_output="b")], sink=[{"plugin_name": "Console"}]
    )
    assert message(two_sources).startswith(
        "Plugin 'Console' (sink[0]): option 'plugin_input' is required"
    )
    # the sink takes the last transform, each transform the previous one
    config = job(
        [fake(plugin_output="a"), fake(plugin_output="b")],
        transform=[
            {"plugin_name": "Copy", "plugin_input": ["a", "b"], "fields": {"n2": "name"}},
            {"plugin_name": "Filter", "fields": ["n2"]},
        ],
    )
    plan = build_plan(config)
    assert [v.inputs for v in plan.vertices] == [[], [], [1, 2], [3], [4]]
    infos = plan.dag("1")["vertexInfoMap"]  # one pipeline per source: src, chain, sink each
    assert [(i["type"], i["tablePaths"]) for i in infos[:3]] == [
        ("source", ["a"]),
        ("transform", []),
        ("sink", ["a", "b"]),
    ]


def test_cycle_is_rejected() -> None:
    config = job(
        fake(),
        transform=[
            {
                "plugin_name": "Filter",
                "plugin_input": "y",
                "plugin_output": "x",
                "fields": ["name"],
            },
            {
                "plugin_name": "Filter",
                "plugin_input": "x",
                "plugin_output": "y",
                "fields": ["name"],
            },
        ],
        sink=[{"plugin_name": "Console", "plugin_input": "fake"}],
    )
    assert "cycle" in message(config) and "plugin_input" in message(config)
    config["transform"] = [
        {"plugin_name": "Filter", "plugin_input": "x", "plugin_output": "x", "fields": ["name"]}
    ]
    assert "cycle" in message(config)


def test_fuzzed_configs_raise_only_config_errors() -> None:
    rng = random.Random(1234)
    junk = [None, 0, -1, 1.5, True, "", "x", "abc", [], {}, [1], {"a": 1}, ["fake"], "INT", 10**30]
    keys = [
        "plugin_name",
        "plugin_input",
        "plugin_output",
        "row.num",
        "schema",
        "split.num",
        "rows",
        "field_mapper",
        "include_fields",
        "exclude_fields",
        "fields",
        "log.print.data",
        "replace_field",
        "pattern",
        "replacement",
        "is_regex",
        "seed",
        "string.length",
        "int.min",
    ]
    base = copy.deepcopy(CHAIN)
    base["transform"].append(
        {"plugin_name": "Replace", "replace_field": "who", "pattern": "a", "replacement": "b"}
    )
    for _ in range(800):
        config = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            block = rng.choice(["env", "source", "transform", "sink", "top"])
            if block == "top":
                config[rng.choice(["env", "source", "sink", "transform"])] = rng.choice(junk)
            elif block == "env":
                if isinstance(config.get("env"), dict):
                    config["env"][rng.choice(["job.mode", "parallelism", "job"])] = rng.choice(junk)
            elif isinstance(config.get(block), list) and config[block]:
                item = rng.choice(config[block])
                if isinstance(item, dict):
                    item[rng.choice(keys)] = rng.choice(junk)
        try:
            build_plan(config)
        except ConfigError as exc:
            assert exc.message and "\n" not in exc.message
