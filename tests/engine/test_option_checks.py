"""Submit-time option checks (issue 7): unknown and unsupported options, memory limits, allowed
paths and file name expressions, error messages that never echo a config object or a secret,
and planning linear in the number of fields."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from app.engine import REGISTRIES, ConfigError, Limits, build_plan, parse_config
from app.engine.paths import resolve_allowed
from tests.engine.conftest import fake, job


def message(config: dict, limits: Limits | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        build_plan(config, limits)
    return info.value.message


# -- unknown and unsupported options ------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            fake(**{"row.nmu": 3}),
            "Plugin 'FakeSource' (source[0]): unknown option 'row.nmu'; did you mean 'row.num'?",
        ),
        (
            fake(row={"nmu": 3}),
            "Plugin 'FakeSource' (source[0]): unknown option 'row.nmu'; did you mean 'row.num'?",
        ),
        (
            fake(schema={"fields": {"a": "int"}, "tabel": "x"}),
            "Plugin 'FakeSource' (source[0]): unknown option 'schema.tabel'; "
            "did you mean 'schema.table'?",
        ),
        (fake(zzz=1), "Plugin 'FakeSource' (source[0]): unknown option 'zzz'"),
        (
            fake(tables_configs=[]),
            "Plugin 'FakeSource' (source[0]): option 'tables_configs' is not supported yet by "
            "this server (a SeaTunnel option it does not implement)",
        ),
        (
            fake(**{"string.fake.mode": "template"}),
            "Plugin 'FakeSource' (source[0]): option 'string.fake.mode' is not supported yet by "
            "this server (a SeaTunnel option it does not implement)",
        ),
    ],
)
def test_unknown_and_unsupported_source_options(block: dict, expected: str) -> None:
    assert message(job(block)) == expected


def test_unknown_option_in_hocon_nested_keys() -> None:
    text = """
    env { job.mode = BATCH }
    source { FakeSource { row { nmu = 3 }, schema { fields { id = int } } } }
    sink { Console {} }
    """
    assert message(parse_config(text, "hocon")) == (
        "Plugin 'FakeSource' (source[0]): unknown option 'row.nmu'; did you mean 'row.num'?"
    )


@pytest.mark.parametrize(
    ("sink", "expected"),
    [
        (
            {"log.print.dta": False},
            "unknown option 'log.print.dta'; did you mean 'log.print.data'?",
        ),
        ({"multi_table_sink_replica": 2}, "option 'multi_table_sink_replica' is not supported yet"),
    ],
)
def test_console_options(sink: dict, expected: str) -> None:
    config = job(fake(), sink=[{"plugin_name": "Console", **sink}])
    assert message(config).startswith(f"Plugin 'Console' (sink[0]): {expected}")


@pytest.mark.parametrize(
    "option",
    [
        "partition_by",
        "partition_dir_expression",
        "is_partition_field_write_in_file",
        "have_partition",
        "save_mode",
        "data_save_mode",
        "schema_save_mode",
        "compress_codec",
        "filename_time_format",
        "single_file_mode",
    ],
)
def test_local_file_options_we_do_not_implement(option: str, tmp_path: Path) -> None:
    sink = {"plugin_name": "LocalFile", "path": str(tmp_path), option: "x"}
    assert message(job(fake(), sink=[sink])) == (
        f"Plugin 'LocalFile' (sink[0]): option '{option}' is not supported yet by this server "
        "(a SeaTunnel option it does not implement)"
    )


def test_transform_table_transform_is_not_supported() -> None:
    transform = {"plugin_name": "Filter", "include_fields": ["name"], "table_transform": []}
    assert message(job(fake(), [transform])) == (
        "Plugin 'Filter' (transform[0]): option 'table_transform' is not supported yet by this "
        "server (a SeaTunnel option it does not implement)"
    )


def test_legitimate_seatunnel_env_keys_and_fallbacks_pass() -> None:
    env = {
        "job.mode": "STREAMING",
        "job.name": "x",
        "parallelism": 2,
        "checkpoint.interval": 1000,
        "checkpoint.timeout": 60000,
        "shade.identifier": "default",
        "read_limit.rows_per_second": 10,
        "job.retry.times": 3,
        "spark.executor.cores": 1,
        "flink.execution.checkpointing.mode": "EXACTLY_ONCE",
    }
    source = fake(result_table_name="r", row={"num": 3}, schema={"fields": {"a": "int"}})
    del source["plugin_output"]
    sink = {"plugin_name": "Console", "source_table_name": "r", "log.print.data": False}
    plan = build_plan(job(source, sink=[sink], env=env))
    assert plan.parallelism == 2


def test_every_option_of_every_plugin_has_a_description() -> None:
    from app.engine.plugin import COMMON_OPTIONS

    missing = [o.key for o in COMMON_OPTIONS if not o.description]
    for kind, registry in REGISTRIES.items():
        for name in registry.names():
            cls = registry.get(name)
            if cls.__module__.startswith("app.engine.plugins"):
                missing += [f"{kind}/{name}/{o.key}" for o in cls.options if not o.description]
    assert missing == []


# -- memory limits -----------------------------------------------------------------------------


def test_type_nesting_is_capped() -> None:
    deep = "array<" * 500 + "int" + ">" * 500
    started = time.perf_counter()
    assert message(job(fake(schema={"fields": {"a": deep}}))) == (
        "Plugin 'FakeSource' (source[0]): option 'schema.fields' field \"a\": the type nests "
        "array/map deeper than 16 levels (limits.type-depth)"
    )
    assert time.perf_counter() - started < 5
    assert build_plan(job(fake(schema={"fields": {"a": "array<" * 3 + "int" + ">" * 3}})))


@pytest.mark.parametrize(
    ("options", "limits", "expected"),
    [
        (
            {"string.length": 2_000_000},
            None,
            "option 'string.length' must be <= 1048576 (limits.string-length), got 2000000",
        ),
        (
            {"array.size": 10},
            Limits(collection_size=8),
            "option 'array.size' must be <= 8 (limits.collection-size), got 10",
        ),
        (
            {"row.num": 1001},
            Limits(row_num=1000),
            "option 'row.num' must be <= 1000 (limits.row-num), got 1001",
        ),
        (
            {"split.read-interval": 600_000},
            None,
            "option 'split.read-interval' must be <= 60000 (limits.delay-ms), got 600000",
        ),
        (
            {"batch.size": 1 << 24, "string.length": 1 << 20, "row.num": 10**9},
            None,
            "option 'batch.size' times the estimated row width (1048588 bytes) must be <= "
            "268435456 bytes (limits.batch-bytes), got 16777216 rows",
        ),
        (
            {
                "schema": {"fields": {"a": "array<array<array<string>>>"}},
                "array.size": 65536,
                "string.length": 1000,
            },
            None,
            "option 'schema.fields' rows are estimated at",
        ),
        (
            {"split.num": 11},
            Limits(splits=10),
            "option 'split.num' must be <= 10 (limits.splits), got 11",
        ),
        (
            {"schema": {"fields": {f"f{i}": "int" for i in range(11)}}},
            Limits(fields=10),
            "option 'schema.fields' must declare at most 10 fields (limits.fields), got 11",
        ),
    ],
)
def test_memory_bounding_options(options: dict, limits: Limits | None, expected: str) -> None:
    text = message(job(fake(**options)), limits)
    assert text.startswith(f"Plugin 'FakeSource' (source[0]): {expected}")


def test_default_batch_size_shrinks_to_fit_the_batch_bytes_limit() -> None:
    plan = build_plan(job(fake(**{"string.length": 1 << 20, "row.num": 1000})))
    values = plan.vertices[0].plugin.values
    assert values["batch.size"] == (256 << 20) // (4 + (1 << 20) + 4 + 4) == 255


def test_console_delay_is_capped() -> None:
    config = job(fake(), sink=[{"plugin_name": "Console", "log.print.delay.ms": 1_000_000_000}])
    assert message(config) == (
        "Plugin 'Console' (sink[0]): option 'log.print.delay.ms' must be <= 60000 "
        "(limits.delay-ms), got 1000000000"
    )


def _wide(fields: int) -> dict:
    names = {f"f{i}": "int" for i in range(fields)}
    keep = [f"f{i}" for i in range(0, fields, 2)]
    return job(
        fake(schema={"fields": names}, **{"row.num": 1}),
        [
            {"plugin_name": "Filter", "include_fields": keep},
            {"plugin_name": "FieldMapper", "field_mapper": {k: k + "_m" for k in keep}},
            {"plugin_name": "Copy", "fields": {"c_" + k: k + "_m" for k in keep[:1000]}},
        ],
    )


def test_planning_is_linear_in_the_number_of_fields() -> None:
    # CPU time of this process, not wall time: the ratio must hold on a busy, shared machine
    def plan_seconds(fields: int) -> float:
        config = _wide(fields)
        started = time.process_time()
        build_plan(config).dag("1")
        return time.process_time() - started

    plan_seconds(1000)  # warm up imports
    small = min(plan_seconds(1000) for _ in range(3))
    large = plan_seconds(100_000)
    # linear: ~100x; quadratic is ~10,000x (minutes). 1000x leaves room for a noisy machine.
    assert large < max(small, 0.002) * 1000


def test_planning_is_linear_in_the_number_of_plugins() -> None:
    def plan_seconds(transforms: int) -> float:
        chain = [{"plugin_name": "Filter", "include_fields": ["name", "age"]}] * transforms
        config = job(fake(), chain)
        gc.disable()  # a full collection of the whole test run's objects is not planning time
        try:
            started = time.process_time()
            build_plan(config)
            return time.process_time() - started
        finally:
            gc.enable()

    small = min(plan_seconds(200) for _ in range(3))
    large = min(plan_seconds(4000) for _ in range(2))
    # linear: ~20x; the former cycle check alone was quadratic (~400x)
    assert large < max(small, 0.002) * 120


def test_fields_over_all_tables_of_a_plan_are_capped() -> None:
    copies = [{"plugin_name": "Copy", "fields": {f"c{i}": "name"}} for i in range(100)]
    assert message(job(fake(), copies), Limits(fields=1000)) == (
        "Plugin 'Copy' (transform[41]): option 'plugin_input' brings the plan over 1000 fields "
        "in all tables (limits.fields)"
    )


# -- files -------------------------------------------------------------------------------------


def _local_file(tmp: Path, **options: object) -> dict:
    sink = {"plugin_name": "LocalFile", "path": str(tmp / "out"), "tmp_path": str(tmp / "t")}
    sink.update(options)
    return job(fake(), sink=[sink])


def test_paths_must_resolve_under_an_allowed_root(tmp_path: Path) -> None:
    limits = Limits(allowed_paths=(str(tmp_path / "data"), "/nonexistent-root"))
    (tmp_path / "data").mkdir()
    root = os.path.realpath(tmp_path / "data")
    allowed = f"security.allowed-paths: {root}, /nonexistent-root"
    for option, value in [
        ("path", "/etc"),
        ("path", str(tmp_path / "data" / ".." / "elsewhere")),
        ("tmp_path", str(tmp_path)),
        ("path", "../../x"),
    ]:
        config = _local_file(tmp_path / "data", **{option: value})
        assert message(config, limits) == (
            f"Plugin 'LocalFile' (sink[0]): option '{option}' must resolve under an allowed "
            f'path ({allowed}), got "{value}"'
        )
    os.symlink("/etc", tmp_path / "data" / "link")
    config = _local_file(tmp_path / "data", path=str(tmp_path / "data" / "link" / "x"))
    assert "option 'path' must resolve under an allowed path" in message(config, limits)
    plan = build_plan(_local_file(tmp_path / "data", path="rel/out"), limits)
    assert plan.vertices[1].plugin.values["path"] == os.path.join(root, "rel", "out")
    assert plan.vertices[1].plugin.values["tmp_path"] == os.path.join(root, "t")


def test_resolve_allowed_helper(tmp_path: Path) -> None:
    limits = Limits(allowed_paths=(str(tmp_path),))
    assert resolve_allowed("p", "a/../b", limits) == os.path.join(os.path.realpath(tmp_path), "b")
    with pytest.raises(ConfigError, match="option 'p' must be a non-empty path"):
        resolve_allowed("p", " ", limits)
    with pytest.raises(ConfigError, match="security.allowed-paths is empty"):
        resolve_allowed("p", "/tmp", Limits(allowed_paths=()))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"file_name_expression": "../../../../tmp/x_${transactionId}"},
            "option 'file_name_expression' must be a file name without path separators or '..'",
        ),
        (
            {"file_name_expression": "sub/x_${transactionId}"},
            "option 'file_name_expression' must be a file name without path separators or '..'",
        ),
        (
            {"file_name_expression": "transactionId"},
            "option 'file_name_expression' must contain ${transactionId} while "
            'is_enable_transaction is true (exactly-once needs it), got "transactionId"',
        ),
        (
            {"file_name_expression": "x_${now}_${transactionId}"},
            "option 'file_name_expression' uses ${now}, which is not supported yet by this "
            "server (supported: ${transactionId}, ${uuid})",
        ),
        (
            {"path": "/tmp/${table_name}"},
            "option 'path' uses ${...} placeholders, which are not supported yet by this server",
        ),
    ],
)
def test_file_name_expressions(options: dict, expected: str, tmp_path: Path) -> None:
    assert message(_local_file(tmp_path, **options)) == f"Plugin 'LocalFile' (sink[0]): {expected}"


def test_file_name_without_transaction_id_when_transactions_are_off(tmp_path: Path) -> None:
    config = _local_file(tmp_path, file_name_expression="x_${uuid}", is_enable_transaction=False)
    assert build_plan(config)


# -- error messages never echo a config object or a secret --------------------------------------


def test_errors_never_echo_a_plugin_object_or_a_secret() -> None:
    plugin = {"plugin_name": 5, "password": "hunter2-secret", "row.num": 1}
    text = message(job(fake(), sink=[plugin]))
    assert (
        text
        == "Plugin config sink[0] must be an object with a string 'plugin_name', got plugin_name 5"
    )
    plugin = {"password": "hunter2-secret"}
    assert "hunter2" not in message(job(fake(), sink=[plugin]))
    assert message(job(fake(), sink=["hunter2-secret"])) == (
        "Plugin config sink[0] must be an object with a string 'plugin_name', got \"hunter2-secret\""
    )
    config = job(fake(), sink=[{"plugin_name": "Console", "log.print.data": {"token": "s3"}}])
    assert message(config) == (
        "Plugin 'Console' (sink[0]): option 'log.print.data' must be a boolean, got an object"
    )
    config = job(fake())
    config["source"] = {"x": {"password": "p"}, "y": 1}
    assert "password" not in message(config) and '"p"' not in message(config)
    rows = [{"fields": ["hunter2-secret"]}]
    config = job(fake(schema={"fields": {"password": "int"}}, rows=rows))
    assert message(config) == (
        "Plugin 'FakeSource' (source[0]): option 'rows' row 0 field \"password\": not a valid "
        "value, got a string"
    )
