"""Reading jobs back: job-info, running-job, running-jobs, finished-jobs, overview; generic errors."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from tests.helpers import sample_config, wait_for_status

TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
METRIC_KEYS = {
    "SourceReceivedCount",
    "SinkWriteCount",
    "SourceReceivedBytes",
    "SinkWriteBytes",
    "SourceReceivedQPS",
    "SinkWriteQPS",
    "SourceReceivedBytesPerSeconds",
    "SinkWriteBytesPerSeconds",
    "TableSourceReceivedCount",
    "TableSinkWriteCount",
    "TableSourceReceivedBytes",
    "TableSinkWriteBytes",
    "TableSourceReceivedQPS",
    "TableSinkWriteQPS",
    "TableSourceReceivedBytesPerSeconds",
    "TableSinkWriteBytesPerSeconds",
    # SeaTunnel 2.3.13: what commits made visible, and the (always empty) operator queues
    "SinkCommittedCount",
    "SinkCommittedBytes",
    "SinkCommittedQPS",
    "SinkCommittedBytesPerSeconds",
    "TableSinkCommittedCount",
    "TableSinkCommittedBytes",
    "TableSinkCommittedQPS",
    "TableSinkCommittedBytesPerSeconds",
    "IntermediateQueueSize",
}


def _submit(client, config, query: str = "") -> str:
    response = client.post(f"/submit-job{query}", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _streaming_config() -> dict:
    config = sample_config()
    config["env"] = {"job.mode": "STREAMING", "checkpoint.interval": 5000}
    return config


def test_finished_job_object_shape(client, settings) -> None:
    job_id = _submit(client, sample_config(rows=5), "?jobName=shape")
    info = wait_for_status(client, job_id, ("FINISHED",))
    assert list(info) == [
        "jobId",
        "jobName",
        "jobStatus",
        "errorMsg",
        "createTime",
        "finishTime",
        "finishedTime",
        "jobDag",
        "pluginJarsUrls",
        "metrics",
        "diagnostics",  # SeaTunnel 3.0: job-info only, not the listings
    ]
    assert "diagnostics" not in client.get("/finished-jobs").get_json()[0]
    stamps = info["diagnostics"]["stateTimestamps"]
    assert list(stamps) == ["PENDING", "RUNNING", "FINISHED"]
    assert all(isinstance(ms, int) and ms > 0 for ms in stamps.values())
    assert info["diagnostics"]["pipelines"] == []
    assert info["jobId"] == job_id and info["jobName"] == "shape"
    assert TIME.match(info["createTime"]) and info["finishTime"] == info["finishedTime"]
    assert info["pluginJarsUrls"] == []
    fields = [
        {"name": "name", "type": "STRING", "nullable": True},
        {"name": "age", "type": "INT", "nullable": True},
        {"name": "card", "type": "INT", "nullable": True},
    ]
    dag = copy.deepcopy(info["jobDag"])
    # ours, after SeaTunnel's keys: the plan-time schemas; the rest is exactly SeaTunnel's
    assert [v.pop("schemas") for v in dag["vertexInfoMap"]] == [
        [{"tablePath": "fake", "fields": fields}]
    ] * 2
    assert dag == {
        "jobId": job_id,
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
    metrics = info["metrics"]
    assert set(metrics) == METRIC_KEYS
    assert all(isinstance(metrics[k], str) for k in METRIC_KEYS if not k.startswith("Table"))
    assert metrics["SourceReceivedCount"] == metrics["SinkWriteCount"] == "5"
    assert float(metrics["SourceReceivedQPS"]) > 0
    # the running-job alias answers the same
    alias = client.get(f"/running-job/{job_id}").get_json()
    alias["diagnostics"].pop("generatedAt")  # when each answer was made
    info["diagnostics"].pop("generatedAt")
    assert alias == info
    log = Path(settings.log_dir) / f"job-{job_id}.log"
    text = log.read_text()
    assert f"Init JobMaster for Job shape ({job_id})" in text
    assert "output rowType: name<STRING>, age<INT>, card<INT>" in text
    assert text.count("SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT") == 5


def test_running_job_object_shape(client) -> None:
    job_id = _submit(client, _streaming_config(), "?jobName=stream")
    info = wait_for_status(client, job_id, ("RUNNING",))
    assert list(info) == [
        "jobId",
        "jobName",
        "jobStatus",
        "envOptions",
        "createTime",
        "jobDag",
        "pluginJarsUrls",
        "isStartWithSavePoint",
        "metrics",
        "diagnostics",
    ]
    diagnostics = info["diagnostics"]
    assert list(diagnostics) == [
        "jobId",
        "generatedAt",
        "stateTimestamps",
        "pipelines",
        "totalPipelineRestoreCount",
    ]
    assert diagnostics["jobId"] == job_id and list(diagnostics["stateTimestamps"]) == [
        "PENDING",
        "RUNNING",
    ]
    assert diagnostics["pipelines"] == [
        {
            "pipelineId": 1,
            "pipelineStatus": "RUNNING",
            "restoreCount": 0,
            "maxRestoreCount": 0,
            "stateTimestamps": {"RUNNING": diagnostics["stateTimestamps"]["RUNNING"]},
        }
    ]
    assert info["envOptions"] == {"job.mode": "STREAMING", "checkpoint.interval": "5000"}
    assert info["isStartWithSavePoint"] is False
    assert set(info["metrics"]) == METRIC_KEYS
    running = client.get("/running-jobs").get_json()
    assert [job["jobId"] for job in running] == [job_id]
    assert "diagnostics" not in running[0]
    assert running[0]["jobStatus"] == "RUNNING"


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/job-info/123", 200, {"jobId": "123"}),
        ("/job-info/", 400, {"status": "fail", "message": "The jobId must not be empty."}),
        ("/job-info", 400, {"status": "fail", "message": "The jobId must not be empty."}),
        ("/job-info/abc", 400, {"status": "fail", "message": 'For input string: "abc"'}),
        ("/job-info/1/x", 400, {"status": "fail", "message": 'For input string: "1/x"'}),
        ("/running-job/abc", 400, {"status": "fail", "message": 'For input string: "abc"'}),
        ("/finished-jobs/FOO", 200, []),
        ("/no-such-endpoint", 404, {"status": "fail", "message": "Not Found"}),
    ],
)
def test_lookup_edge_cases(client, path: str, status: int, body) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.get_json() == body


def test_wrong_method_is_405_json(client) -> None:
    response = client.get("/submit-job")
    assert response.status_code == 405
    assert response.get_json() == {
        "status": "fail",
        "message": "HTTP method GET is not supported by this URL",
    }
    assert client.post("/overview").status_code == 405


def test_body_too_large_is_413_json(app) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = app.test_client().post("/submit-job", data=b"x" * 4096)
    assert response.status_code == 413
    assert response.get_json() == {"status": "fail", "message": "Request body too large."}


def test_finished_jobs_filters_orders_and_pages(client) -> None:
    ids = [_submit(client, sample_config(rows=1)) for _ in range(7)]
    for job_id in ids:
        wait_for_status(client, job_id, ("FINISHED",))
    failing = sample_config()
    failing["env"]["job.mode"] = "batch"
    everything = client.get("/finished-jobs").get_json()
    assert len(everything) == 7
    finish_order = [job["finishTime"] for job in everything]
    assert finish_order == sorted(finish_order, reverse=True)  # newest first
    assert len(client.get("/finished-jobs/finished").get_json()) == 7
    assert client.get("/finished-jobs/FAILED").get_json() == []

    page1 = client.get("/finished-jobs/FINISHED?page=1&rows=5").get_json()
    page2 = client.get("/finished-jobs/FINISHED?page=2&rows=5").get_json()
    assert page1["total"] == page2["total"] == 7
    assert len(page1["data"]) == 5 and len(page2["data"]) == 2
    assert {j["jobId"] for j in page1["data"] + page2["data"]} == set(ids)
    assert list(page1) == ["data", "total"]
    assert client.get("/finished-jobs?page=1").get_json()["total"] == 7

    for query, message in [
        ("?page=0", "Page number must be greater than 0"),
        ("?page=10&rows=5", "Page number exceeds total pages"),
        ("?page=x", 'For input string: "x"'),
    ]:
        response = client.get(f"/finished-jobs/FINISHED{query}")
        assert response.status_code == 400
        assert response.get_json() == {"status": "fail", "message": message}


def test_running_jobs_paging(client) -> None:
    ids = [_submit(client, _streaming_config()) for _ in range(3)]
    paged = client.get("/running-jobs?page=1&rows=2").get_json()
    assert paged["total"] == 3
    assert [j["jobId"] for j in paged["data"]] == ids[:2]  # oldest first
    assert client.get("/running-jobs?page=2&rows=2").get_json()["data"][0]["jobId"] == ids[2]


def test_overview(client) -> None:
    wait_for_status(client, _submit(client, sample_config()), ("FINISHED",))
    body = client.get("/overview").get_json()
    assert list(body) == [
        "projectVersion",
        "gitCommitAbbrev",
        "totalSlot",
        "unassignedSlot",
        "runningJobs",
        "pendingJobs",
        "finishedJobs",
        "failedJobs",
        "cancelledJobs",
        "workers",
        "works",
    ]
    assert all(isinstance(v, str) for v in body.values())
    assert body["finishedJobs"] == "1" and body["runningJobs"] == "0"
    assert body["workers"] == body["works"] == "1"
    assert body["totalSlot"] == body["unassignedSlot"] == "2"
    # every query parameter is a tag filter; this node has no tags
    filtered = client.get("/overview?tag1=dev").get_json()
    assert filtered["workers"] == "0" and filtered["totalSlot"] == "0"
    assert filtered["finishedJobs"] == "1"


def test_a_job_dag_stored_before_schemas_still_renders(client, settings) -> None:
    """Jobs stored by an older version have no `schemas` in their jobDag: served as stored."""
    job_id = _submit(client, sample_config(rows=2))
    wait_for_status(client, job_id, ("FINISHED",))
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:
        dag, info = conn.execute(
            sa.text("SELECT dag, info FROM jobs WHERE id = :id"), {"id": int(job_id)}
        ).one()
        old_dag = orjson.loads(dag)
        for vertex in old_dag["vertexInfoMap"]:
            del vertex["schemas"]
        old_info = orjson.loads(info)
        old_info["jobDag"] = old_dag
        conn.execute(
            sa.text("UPDATE jobs SET dag = :dag, info = :info WHERE id = :id"),
            {
                "dag": orjson.dumps(old_dag).decode(),
                "info": orjson.dumps(old_info).decode(),
                "id": int(job_id),
            },
        )
    engine.dispose()
    for path in (f"/job-info/{job_id}", f"/running-job/{job_id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json()["jobDag"] == old_dag
    assert client.get("/finished-jobs").get_json()[0]["jobDag"] == old_dag
    v1 = client.get(f"/hazelcast/rest/maps/job-info/{job_id}").get_json()
    assert v1["jobDag"]["vertices"] == old_dag["vertexInfoMap"]
