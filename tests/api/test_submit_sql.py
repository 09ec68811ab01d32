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


def _post(client, body: bytes | str, query: str, content_type: str = "text/plain"):  # noqa: ANN001, ANN202
    return client.post(f"/submit-job{query}", data=body, content_type=content_type)


def test_format_sql_runs_and_has_the_json_jobs_dag(client) -> None:  # noqa: ANN001
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


def test_upload_sql_file(client) -> None:  # noqa: ANN001
    response = client.post(
        "/submit-job/upload?jobId=9103",
        data={"config_file": (io.BytesIO(SQL_JOB.encode()), "job.sql")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    info = wait_for_status(client, "9103", ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED", info
    assert info["metrics"]["SinkWriteCount"] == "1"


def test_bad_sql_configs_are_400(client) -> None:  # noqa: ANN001
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


def test_sql_transform_errors_over_the_api(client) -> None:  # noqa: ANN001
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
