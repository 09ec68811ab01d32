"""The Jdbc source and sink plugins on the runtime: Jdbc -> Jdbc on each database, plan-time
catalog in jobDag, config errors, and crash/restore with exactly-once."""

from __future__ import annotations

import gc
import json
import warnings

import pytest

from app.engine import ConfigError, InjectedCrash, build_plan, crash_at
from tests.jdbc.databases import Db

FILL = {
    "postgresql": "INSERT INTO src SELECT i, 'name-' || i, i * 0.25 FROM generate_series(1, {n}) i",
    "mysql": "INSERT INTO src SELECT seq, CONCAT('name-', seq), seq * 0.25 FROM seq_1_to_{n}",
    "sqlite": "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
    "INSERT INTO src SELECT i, 'name-' || i, i * 0.25 FROM s",
}


def fill(db: Db, rows: int) -> None:
    """A source table src(id, name, amount) with `rows` rows."""
    db.execute("CREATE TABLE src (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(12,2))")
    db.execute(FILL[db.dialect].format(n=rows))


def source(db: Db, **options: object) -> dict:
    """A Jdbc source block reading src."""
    return {"plugin_name": "Jdbc", **db.options(), "table_path": "src", **options}


def sink(db: Db, table: str = "dst", **options: object) -> dict:
    """A Jdbc sink block writing `table` (created from the upstream schema)."""
    block = {"plugin_name": "Jdbc", **db.options(), "generate_sink_sql": True, "table": table}
    if db.dialect != "sqlite":
        block["database"] = db.name
    block.update(options)
    return block


def job(src: dict, dst: dict, **env: object) -> dict:
    """A BATCH job config."""
    return {"env": {"job.mode": "BATCH", **env}, "source": [src], "sink": [dst]}


def total(db: Db, table: str) -> tuple:
    """Row count, id sum and amount sum of a table."""
    count, ids, amount = db.rows(f"SELECT COUNT(*), SUM(id), SUM(amount) FROM {table}")[0]
    return int(count), int(ids or 0), float(amount or 0)


class Store:
    """In-memory checkpoint store."""

    def __init__(self) -> None:
        self.saved: list[tuple[int, str, dict]] = []

    def save(
        self, checkpoint_id: int, kind: str, state: dict, trigger_ms: int | None = None
    ) -> None:
        self.saved.append((checkpoint_id, kind, json.loads(json.dumps(state))))


@pytest.mark.parametrize("parallelism", [1, 3])
def test_jdbc_to_jdbc(db: Db, parallelism: int) -> None:
    fill(db, 5000)
    plan = build_plan(job(source(db, **{"split.size": 500}), sink(db), parallelism=parallelism))
    runner = plan.runner(lambda _: None)
    assert runner.run() == "FINISHED"
    assert total(db, "dst") == total(db, "src") == (5000, 5000 * 5001 // 2, 0.25 * 5000 * 5001 / 2)
    metrics = runner.metrics.to_rest()
    assert metrics["SourceReceivedCount"] == metrics["SinkWriteCount"] == "5000"


def test_job_dag_shows_catalog_path_and_schema(pg: Db) -> None:
    fill(pg, 3)
    plan = build_plan(job(source(pg, table_path="public.src"), sink(pg)))
    table = f"{pg.name}.public.src"
    assert [v["tablePaths"] for v in plan.dag("1")["vertexInfoMap"]] == [[table], [table]]
    (info,) = plan.vertices[0].plugin.tables()
    assert (info.path, info.schema.row_type()) == (
        table,
        "id<INT>, name<STRING>, amount<DECIMAL(12, 2)>",
    )


def test_query_with_partition_column_and_where(db: Db) -> None:
    fill(db, 1000)
    src = source(db, query="SELECT id, name FROM src", partition_column="id", partition_num=4,
                 where_condition="where id > 100")  # fmt: skip
    src.pop("table_path")
    assert build_plan(job(src, sink(db))).runner(lambda _: None).run() == "FINISHED"
    assert db.rows("SELECT COUNT(*), MIN(id) FROM dst")[0] == (900, 101)


def test_table_list_reads_several_tables_into_their_own_targets(db: Db) -> None:
    fill(db, 10)
    db.execute(
        "CREATE TABLE src2 (k INT PRIMARY KEY, v VARCHAR(5))",
        "INSERT INTO src2 VALUES (1, 'a'), (2, 'b')",
    )
    src = source(db, table_list=[{"table_path": "src"}, {"table_path": "src2"}])
    src.pop("table_path")
    dst = sink(db, table="copy_${table_name}")
    assert build_plan(job(src, dst)).runner(lambda _: None).run() == "FINISHED"
    assert total(db, "copy_src")[0] == 10
    assert db.rows("SELECT k, v FROM copy_src2 ORDER BY k") == [(1, "a"), (2, "b")]


def test_upsert_sink_is_idempotent(db: Db) -> None:
    fill(db, 300)
    config = job(source(db), sink(db, primary_keys=["id"]))
    for _ in range(2):
        assert build_plan(config).runner(lambda _: None).run() == "FINISHED"
    assert total(db, "dst") == total(db, "src")


def test_user_query_sink(db: Db) -> None:
    fill(db, 20)
    db.execute("CREATE TABLE dst (id INT, name VARCHAR(40))")
    dst = {
        "plugin_name": "Jdbc",
        **db.options(),
        "query": "INSERT INTO dst (id, name) VALUES (?, ?)",
    }
    src = source(db, query="SELECT id, name FROM src")
    src.pop("table_path")
    assert build_plan(job(src, dst)).runner(lambda _: None).run() == "FINISHED"
    assert db.rows("SELECT COUNT(*) FROM dst")[0][0] == 20


def test_save_mode_error_fails_the_job(db: Db) -> None:
    from app.engine import JobError

    fill(db, 3)
    plan = build_plan(job(source(db), sink(db, schema_save_mode="ERROR_WHEN_SCHEMA_NOT_EXIST")))
    with pytest.raises(JobError) as info:
        plan.runner(lambda _: None).run()
    assert "ERROR_WHEN_SCHEMA_NOT_EXIST" in str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "jdbc:oracle:thin:@x:1521:y"},
         "option 'url' must be a jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:sqlite: URL"),
        ({"driver": "com.mysql.cj.jdbc.Driver"},
         "option 'driver' driver com.mysql.cj.jdbc.Driver does not fit a postgresql URL"),
        ({"table_path": "public.nope"}, "option 'table_path' table {db}.public.nope does not exist"),
        ({"table_path": "other.public.src"},
         "option 'table_path' names database \"other\", but the url connects to \"{db}\""),
        ({"where_condition": "id > 1"}, "option 'where_condition' must start with 'where', got \"id > 1\""),
        ({"partition_column": "zz"}, "option 'partition_column' names unknown column 'zz'; columns: id, name, amount"),
        ({"url": "jdbc:postgresql://127.0.0.1:1/x", "password": "hunter2"},
         "option 'url' cannot connect to postgresql://127.0.0.1:1/x: "),
    ],
)  # fmt: skip
def test_source_config_errors(pg: Db, change: dict, message: str) -> None:
    fill(pg, 1)
    with pytest.raises(ConfigError) as info:
        build_plan(job({**source(pg), **change}, sink(pg)))
    text = str(info.value)
    assert text.startswith("Plugin 'Jdbc' (source[0]): " + message.format(db=pg.name))
    assert "hunter2" not in text


def test_sink_config_errors(pg: Db, lite: Db) -> None:
    fill(pg, 1)
    cases = [
        ({"generate_sink_sql": False}, "option 'query' is required when generate_sink_sql is false"),
        ({"data_save_mode": "CUSTOM_PROCESSING"}, "option 'custom_sql' is required when data_save_mode is CUSTOM_PROCESSING"),
        ({"is_exactly_once": True}, "option 'xa_data_source_class_name' is required when is_exactly_once is true"),
        ({"is_exactly_once": True, "xa_data_source_class_name": "org.postgresql.xa.PGXADataSource"},
         "option 'is_exactly_once' needs PostgreSQL's max_prepared_transactions > 0 (the server has 0)"),
        ({"primary_keys": ["nope"]}, "option 'primary_keys' names unknown field \"nope\"; input fields: id, name, amount"),
        ({"schema_save_mode": "sometimes"}, "option 'schema_save_mode' must be one of RECREATE_SCHEMA, "
         "CREATE_SCHEMA_WHEN_NOT_EXIST, ERROR_WHEN_SCHEMA_NOT_EXIST, IGNORE, got \"sometimes\""),
    ]  # fmt: skip
    for change, message in cases:
        with pytest.raises(ConfigError) as info:
            build_plan(job(source(pg), {**sink(pg), **change}))
        assert str(info.value) == "Plugin 'Jdbc' (sink[0]): " + message
    with pytest.raises(ConfigError) as info:
        build_plan(
            job(
                source(pg),
                {**sink(lite), "is_exactly_once": True, "xa_data_source_class_name": "x"},
            )
        )
    assert str(info.value) == (
        "Plugin 'Jdbc' (sink[0]): option 'is_exactly_once' needs XA or prepared transactions; SQLite has neither"
    )


@pytest.fixture(params=["pg2pc", "maria"])
def xadb(request: pytest.FixtureRequest) -> Db:
    """The databases with prepared transactions."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("point", ["after_prepare", "after_store", "after_commit"])
def test_exactly_once_crash_and_restore(xadb: Db, point: str) -> None:
    """A crash around checkpoint 1, then a restore from the stored checkpoint: every source row
    lands exactly once (finished splits are not re-read, later prepared transactions vanish)."""
    fill(xadb, 3000)
    xa = (
        "org.postgresql.xa.PGXADataSource"
        if xadb.dialect == "postgresql"
        else "org.mariadb.jdbc.MariaDbDataSource"
    )
    config = job(
        source(xadb, **{"split.size": 100}),
        sink(xadb, is_exactly_once=True, xa_data_source_class_name=xa, batch_size=50),
        parallelism=2,
        **{"checkpoint.interval": 30},
    )
    plan = build_plan(config)
    store = Store()
    first = plan.runner(lambda _: None, None, store, job_id="77", fault=crash_at(point, 1))
    with pytest.raises(InjectedCrash):
        first.run()
    del first
    with warnings.catch_warnings():  # the "dead" run's connections were never closed, by design
        warnings.simplefilter("ignore")
        gc.collect()
    assert store.saved or point == "after_prepare"
    state = store.saved[-1][2] if store.saved else None
    again = build_plan(config).runner(lambda _: None, None, store, restore=state, job_id="77")
    assert again.run() == "FINISHED"
    assert total(xadb, "dst") == total(xadb, "src")
    assert xadb.rows("SELECT COUNT(DISTINCT id) FROM dst")[0][0] == 3000


def test_create_index_false_creates_no_primary_key(pg: Db) -> None:
    fill(pg, 5)
    config = job(
        source(pg),
        sink(pg, primary_keys=["id"], create_index=False, support_upsert_by_insert_only=True),
    )
    assert build_plan(config).runner(lambda _: None).run() == "FINISHED"
    assert pg.rows("SELECT COUNT(*) FROM pg_index WHERE indrelid = 'public.dst'::regclass") == [
        (0,)
    ]
    assert total(pg, "dst")[0] == 5


def test_field_ide_uppercases_generated_identifiers(pg: Db) -> None:
    fill(pg, 4)
    assert (
        build_plan(job(source(pg), sink(pg, field_ide="UPPERCASE"))).runner(lambda _: None).run()
        == "FINISHED"
    )
    assert pg.rows('SELECT COUNT("ID"), SUM("ID") FROM dst') == [(4, 10)]
