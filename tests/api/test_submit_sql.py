"""format=sql submissions, .sql uploads, and the Sql transform over the API (400s and failed rows)."""

from __future__ import annotations

import io

import orjson

from tests.helpers import wait_for_status

SQL_JOB = """/* config
env {
  parallelism = 1
  job.mode = "BATCH"
}
*/
-- a FakeSource table and a Console table
CREATE TABLE src WITH (
    'connector' = 'FakeSource',
    'schema' = '{ fields { id = "int", name = "string" } }',
    'rows' = '[ { fields = [1, "anna"], kind = INSERT }, { fields = [2, "bob"], kind = INSERT } ]',
    'type' = 'source'
);
CREATE TABLE dst WITH ('connector' = 'Console', 'log.print.data' = 'false', 'type' = 'sink');
INSERT INTO dst SELECT id, upper(name) AS name FROM src WHERE id > 1;
"""

JSON_JOB = {
    "env": {"parallelism": 1, "job.mode": "BATCH"},
    "source": [
        {
            "plugin_name": "FakeSource",
            "schema": {"fields": {"id": "int", "name": "string"}},
            "rows": [
                {"fields": [1, "anna"], "kind": "INSERT"},
                {"fields": [2, "bob"], "kind": "INSERT"},
            ],
            "plugin_output": "src",
        }
    ],
    "transform": [
        {
            "plugin_name": "Sql",
            "plugin_input": "src",
            "query": "SELECT id, upper(name) AS name FROM src WHERE id > 1",
            "plugin_output": "src__temp1",
        }
    ],
    "sink": [{"plugin_name": "Console", "log.print.data": "false", "plugin_input": "src__temp1"}],
}


def _post(client, body: bytes | str, query: str, content_type: str = "text/plain"):
    return client.post(f"/submit-job{query}", data=body, content_type=content_type)


def test_format_sql_runs_and_has_the_json_jobs_dag(client) -> None:
    response = _post(client, SQL_JOB, "?format=sql&jobId=9101&jobName=sqljob")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"jobId": "9101", "jobName": "sqljob"}
    info = wait_for_status(client, "9101", ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED", info
    assert info["metrics"]["SourceReceivedCount"] == "2"
    assert info["metrics"]["SinkWriteCount"] == "1"

    response = _post(client, orjson.dumps(JSON_JOB), "?jobId=9102", "application/json")
    assert response.status_code == 200, response.get_json()
    twin = wait_for_status(client, "9102", ("FINISHED", "FAILED"))
    dag, twin_dag = dict(info["jobDag"]), dict(twin["jobDag"])
    assert dag.pop("jobId") == "9101" and twin_dag.pop("jobId") == "9102"
    assert dag == twin_dag


def test_upload_sql_file(client) -> None:
    response = client.post(
        "/submit-job/upload?jobId=9103",
        data={"config_file": (io.BytesIO(SQL_JOB.encode()), "job.sql")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    info = wait_for_status(client, "9103", ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED", info
    assert info["metrics"]["SinkWriteCount"] == "1"


def test_bad_sql_configs_are_400(client) -> None:
    cases = [
        (
            "CREATE TABLE dst WITH ('connector' = 'Console', 'type' = 'sink');\n"
            "INSERT INTO dst SELECT * FROM src;",
            "Invalid SQL config: The source table[src] is not found",
        ),
        (
            "CREATE TABLE src WITH ('connector' = 'FakeSource', 'type' = 'source');",
            "Invalid SQL config: The SQL config must contain `INSERT INTO ... SELECT ...` syntax",
        ),
        ("DROP TABLE x;", "Invalid SQL config: Unsupported SQL syntax: DROP TABLE x"),
        (
            SQL_JOB.replace("WHERE id > 1", "JOIN other ON 1 = 1"),
            "Plugin 'Sql' (transform[0]): option 'query' JOIN is not supported: "
            "`JOIN other ON 1 = 1`",
        ),
    ]
    for body, message in cases:
        response = _post(client, body, "?format=sql")
        assert response.status_code == 400, body
        assert response.get_json() == {"status": "fail", "message": message}


def test_sql_transform_errors_over_the_api(client) -> None:
    job = orjson.loads(orjson.dumps(JSON_JOB))
    job["transform"][0]["query"] = "select id, nope from src"
    response = _post(client, orjson.dumps(job), "", "application/json")
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": "Plugin 'Sql' (transform[0]): option 'query' unknown column `nope`; "
        "input fields: id, name",
    }
    job["transform"][0]["query"] = "select id / (id - 2) as q from src"
    response = _post(client, orjson.dumps(job), "?jobId=9104", "application/json")
    assert response.status_code == 200
    info = wait_for_status(client, "9104", ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FAILED"
    assert "Traceback" not in info["errorMsg"]
    assert (
        "Sql (transform[0]): cannot evaluate `id / (id - 2)` for value 2: division by zero"
        in info["errorMsg"]
    )


SCHEMA_QUERY = (
    "select id, upper(name) as name, price * 1.1 as price, cast(id as string) as s, "
    "case when price > 100 then 'big' when price > 50 then 'mid' end as size, "
    "case when id > 1 then id else 10000000000 end as big, "
    "concat(name, '-', note) as tag, note from t where price > 10"
)
COLUMNS = [
    {"name": "id", "type": "int", "nullable": False},
    {"name": "name", "type": "string", "nullable": False},
    {"name": "price", "type": "decimal(10, 2)"},
    {"name": "note", "type": "string"},
]
SCHEMA_ROWS = [
    {"fields": [1, "anna", "5.00", "x"]},
    {"fields": [2, "bob", "60.50", None]},
    {"fields": [3, "cy", "200.00", "z"]},
]
SCHEMA_JOB = {
    "env": {"parallelism": 1, "job.mode": "BATCH"},
    "source": [
        {
            "plugin_name": "FakeSource",
            "schema": {"columns": COLUMNS},
            "rows": SCHEMA_ROWS,
            "plugin_output": "t",
        }
    ],
    "transform": [
        {
            "plugin_name": "Sql",
            "plugin_input": "t",
            "query": SCHEMA_QUERY,
            "plugin_output": "t__temp1",
        }
    ],
    "sink": [{"plugin_name": "Console", "log.print.data": "false", "plugin_input": "t__temp1"}],
}
SCHEMA_SQL_JOB = f"""/* config
env {{
  parallelism = 1
  job.mode = "BATCH"
}}
*/
CREATE TABLE t WITH (
    'connector' = 'FakeSource',
    'schema' = '{{ columns = {orjson.dumps(COLUMNS).decode()} }}',
    'rows' = '{orjson.dumps(SCHEMA_ROWS).decode()}',
    'type' = 'source'
);
CREATE TABLE dst WITH ('connector' = 'Console', 'log.print.data' = 'false', 'type' = 'sink');
INSERT INTO dst {SCHEMA_QUERY};
"""


def _field(name: str, kind: str, nullable: bool = True) -> dict:
    return {"name": name, "type": kind, "nullable": nullable}


def test_job_dag_shows_the_sql_output_schema(client) -> None:
    """§4.1: pass-through columns keep their nullability, computed ones are nullable; CASE takes
    the max of its branches, DECIMAL with DOUBLE stays the DECIMAL."""
    response = _post(client, orjson.dumps(SCHEMA_JOB), "?jobId=9110", "application/json")
    assert response.status_code == 200, response.get_json()
    info = wait_for_status(client, "9110", ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED", info
    assert info["metrics"]["SinkWriteCount"] == "2"
    source = [
        _field("id", "INT", False),
        _field("name", "STRING", False),
        _field("price", "DECIMAL(10, 2)"),
        _field("note", "STRING"),
    ]
    output = [
        _field("id", "INT", False),
        _field("name", "STRING"),
        _field("price", "DECIMAL(10, 2)"),
        _field("s", "STRING"),
        _field("size", "STRING"),
        _field("big", "BIGINT"),
        _field("tag", "STRING"),
        _field("note", "STRING"),
    ]
    vertices = info["jobDag"]["vertexInfoMap"]
    assert [(v["vertexName"], v["tablePaths"], v["schemas"]) for v in vertices] == [
        ("pipeline-1 [Source[0]-FakeSource]", ["t"], [{"tablePath": "t", "fields": source}]),
        (
            "pipeline-1 [Sink[0]-Console-MultiTableSink]",
            ["t"],
            [{"tablePath": "t", "fields": output}],
        ),
        (
            "pipeline-1 [TransformChain[Transform[0]-Sql]]",
            [],
            [{"tablePath": "t", "fields": output}],
        ),
    ]
    assert client.get("/running-job/9110").get_json()["jobDag"] == info["jobDag"]
    finished = client.get("/finished-jobs/FINISHED").get_json()
    assert next(j for j in finished if j["jobId"] == "9110")["jobDag"] == info["jobDag"]

    # the same job written as SQL: the same jobDag, schemas included
    response = _post(client, SCHEMA_SQL_JOB, "?format=sql&jobId=9111")
    assert response.status_code == 200, response.get_json()
    twin = wait_for_status(client, "9111", ("FINISHED", "FAILED"))
    assert twin["jobStatus"] == "FINISHED", twin
    dag, twin_dag = dict(info["jobDag"]), dict(twin["jobDag"])
    assert dag.pop("jobId") == "9110" and twin_dag.pop("jobId") == "9111"
    assert dag == twin_dag


ROW_JOB = {
    "env": {"parallelism": 1, "job.mode": "BATCH"},
    "source": [
        {
            "plugin_name": "FakeSource",
            "schema": {
                "fields": {
                    "id": "int",
                    "c_row": {"c_int": "int", "c_inner": {"c_string": "string"}},
                }
            },
            "rows": [
                {"fields": [1, {"c_int": 5, "c_inner": {"c_string": "x"}}]},
                {"fields": [2, None]},
                {"fields": [3, {"c_int": -1, "c_inner": {"c_string": "y"}}]},
            ],
            "plugin_output": "t",
        }
    ],
    "transform": [
        {
            "plugin_name": "Sql",
            "query": "select c_row.c_int, c_row.c_inner.c_string as s from t where c_row.c_int > 0",
        }
    ],
    "sink": [{"plugin_name": "Console"}],
}


def test_nested_row_paths_over_the_api(client) -> None:
    response = _post(client, orjson.dumps(ROW_JOB), "?jobId=9112", "application/json")
    assert response.status_code == 200, response.get_json()
    info = wait_for_status(client, "9112", ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED", info
    assert info["metrics"]["SinkWriteCount"] == "1"  # the null parent fails the filter
    source, sink, chain = info["jobDag"]["vertexInfoMap"]
    assert source["schemas"][0]["fields"] == [
        _field("id", "INT"),
        _field("c_row", "ROW<c_int INT,c_inner ROW<c_string STRING>>"),
    ]
    assert (
        chain["schemas"]
        == sink["schemas"]
        == [{"tablePath": "t", "fields": [_field("c_int", "INT"), _field("s", "STRING")]}]
    )

    job = orjson.loads(orjson.dumps(ROW_JOB))
    job["transform"][0]["query"] = "select c_row.c_inner.nope from t"
    response = _post(client, orjson.dumps(job), "", "application/json")
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": "Plugin 'Sql' (transform[0]): option 'query' unknown field `nope` in "
        "`c_row.c_inner.nope`: c_row.c_inner is ROW<c_string STRING>",
    }
    job["transform"][0]["query"] = "select id from t where c_row.c_int.x > 0"
    response = _post(client, orjson.dumps(job), "", "application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "Plugin 'Sql' (transform[0]): option 'query' `c_row.c_int.x`: c_row.c_int is INT; "
        "a dotted path goes into ROW fields and may end in one MAP key"
    )
