"""Jdbc jobs through the REST API: submit Jdbc -> Jdbc (JSON and HOCON), wait for FINISHED, count
the rows; bad Jdbc configs answer 400 with the plugin, option and reason, never the password."""

from __future__ import annotations

import orjson
from flask.testing import FlaskClient

from tests.helpers import wait_for_status
from tests.jdbc.databases import Db
from tests.jdbc.test_plugins import fill, job, sink, source, total

FINAL = ("FINISHED", "FAILED", "CANCELED")


def _submit(client: FlaskClient, config: dict) -> str:
    response = client.post("/submit-job", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def test_jdbc_to_jdbc_through_the_api(client: FlaskClient, db: Db) -> None:
    fill(db, 2000)
    config = job(source(db, **{"split.size": 300}), sink(db, primary_keys=["id"]), parallelism=2)
    job_id = _submit(client, config)
    info = wait_for_status(client, job_id, FINAL, timeout=120)
    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert total(db, "dst") == total(db, "src")
    assert info["metrics"]["SourceReceivedCount"] == info["metrics"]["SinkWriteCount"] == "2000"
    paths = [v["tablePaths"] for v in info["jobDag"]["vertexInfoMap"]]
    expected = {"postgresql": f"{db.name}.public.src", "mysql": f"{db.name}.src", "sqlite": "src"}
    assert paths == [[expected[db.dialect]]] * 2


def test_hocon_config_as_seatunnel_users_write_it(client: FlaskClient, pg: Db) -> None:
    fill(pg, 100)
    hocon = f"""
env {{ parallelism = 2, job.mode = "BATCH" }}
source {{
  Jdbc {{
    url = "{pg.url}"
    driver = "org.postgresql.Driver"
    user = "postgres"
    password = "secret-not-needed"
    query = "select id, name, amount from src"
    partition_column = "id"
    partition_num = 3
  }}
}}
sink {{
  Jdbc {{
    url = "{pg.url}"
    driver = "org.postgresql.Driver"
    user = "postgres"
    generate_sink_sql = true
    database = "{pg.name}"
    table = "public.copied"
    primary_keys = ["id"]
    schema_save_mode = "CREATE_SCHEMA_WHEN_NOT_EXIST"
    data_save_mode = "APPEND_DATA"
  }}
}}
"""
    response = client.post("/submit-job?format=hocon", data=hocon)
    assert response.status_code == 200, response.get_json()
    info = wait_for_status(client, response.get_json()["jobId"], FINAL, timeout=60)
    assert info["jobStatus"] == "FINISHED", info.get("errorMsg")
    assert total(pg, "copied") == total(pg, "src")
    assert "secret-not-needed" not in orjson.dumps(info).decode()


def test_bad_config_is_a_400_without_the_password(client: FlaskClient, pg: Db) -> None:
    config = job(
        {**source(pg), "url": "jdbc:postgresql://127.0.0.1:1/x", "password": "hunter2"}, sink(pg)
    )
    response = client.post("/submit-job", data=orjson.dumps(config))
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["message"].startswith(
        "Plugin 'Jdbc' (source[0]): option 'url' cannot connect to postgresql://127.0.0.1:1/x: "
    )
    assert "hunter2" not in response.get_data(as_text=True)


def test_missing_table_is_a_400(client: FlaskClient, maria: Db) -> None:
    response = client.post("/submit-job", data=orjson.dumps(job(source(maria), sink(maria))))
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": f"Plugin 'Jdbc' (source[0]): option 'table_path' table {maria.name}.src does not exist",
    }
