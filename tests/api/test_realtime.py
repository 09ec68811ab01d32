"""SeaTunnel 3.0 realtime observability: /metrics/realtime[/jobs] and a job's vertices and
edges, measured by the runtime and served from the database by any process."""

from __future__ import annotations

import time

import orjson
import pytest

from app import create_app
from app.config import Settings
from tests.helpers import sample_config, wait_for_status

RATIOS = ("sourceReadRatio", "sourceIdleRatio", "transformBusyRatio", "sinkBusyRatio")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Sample (and so collect realtime points) every 200 ms."""
    return settings.with_overrides(metric_sample_interval_ms=200)


def _streaming(rows: int = 20, **env: object) -> dict:
    config = sample_config(rows=rows)
    config["env"] = {
        "job.mode": "STREAMING",
        "checkpoint.interval": 1000,
        "engine.observability.bucket_ms": 1000,
        **env,
    }
    config["transform"] = [
        {
            "plugin_name": "FieldMapper",
            "plugin_input": ["fake"],
            "plugin_output": "mapped",
            "field_mapper": {"name": "name", "age": "age"},
        }
    ]
    config["sink"] = [{"plugin_name": "Console", "plugin_input": ["mapped"]}]
    return config


def _submit(client, config: dict) -> str:
    response = client.post("/submit-job", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _stop(client, job_id: str) -> None:
    client.post("/stop-job", data=orjson.dumps({"jobId": job_id}))
    wait_for_status(client, job_id, ("CANCELED",))


def test_vertices_and_edges_of_a_streaming_job(client) -> None:
    job_id = _submit(client, _streaming())
    wait_for_status(client, job_id, ("RUNNING",))
    time.sleep(3.5)  # the FakeSource emits its rows at once, then idles for three buckets
    listing = client.get("/metrics/realtime").get_json()
    assert client.get("/metrics/realtime/jobs").get_json()["jobs"] == listing["jobs"]
    (entry,) = listing["jobs"]
    assert entry["jobId"] == int(job_id) and entry["enabled"] is True
    assert (entry["bucketMs"], entry["retentionMinutes"]) == (1000, 3)
    assert entry["latestBucketStartMs"] % 1000 == 0 and entry["latestBucketStartMs"] > 0
    assert listing["collector"]["pollIntervalMs"] == 200
    body = client.get(f"/metrics/realtime/jobs/{job_id}/vertices").get_json()
    edges = client.get(f"/metrics/realtime/jobs/{job_id}/edges?windowMs=60000").get_json()
    dag = client.get(f"/job-info/{job_id}").get_json()["jobDag"]
    _stop(client, job_id)

    assert list(body) == ["enabled", "bucketMs", "fromMs", "toMs", "vertices"]
    assert body["enabled"] is True and body["bucketMs"] == 1000
    assert body["toMs"] - body["fromMs"] == 180_000  # the default window (within retention)
    kinds = {v["vertexId"]: v["type"] for v in dag["vertexInfoMap"]}
    by_id = {v["vertexId"]: v["points"] for v in body["vertices"]}
    assert set(by_id) == set(kinds)  # the jobDag's ids: source, TransformChain, sink
    for points in by_id.values():
        assert [p["ts"] for p in points] == sorted({p["ts"] for p in points})
        for point in points:
            assert point["ts"] % 1000 == 0 and point["subtaskCount"] == 1
            assert all(0.0 <= point[r] <= 1.0 for r in RATIOS), point

    def total(kind: str, key: str) -> int:
        return sum(p[key] for vid, ps in by_id.items() if kinds[vid] == kind for p in ps)

    assert total("source", "sourceRecordsOut") == 20
    assert total("transform", "transformRecordsIn") == total("transform", "transformRecordsOut")
    assert total("transform", "transformRecordsIn") == 20
    assert total("sink", "sinkRecordsIn") == 20
    assert total("sink", "sinkWriteNs") > 0 and total("transform", "transformProcessNs") > 0
    (source,) = [ps for vid, ps in by_id.items() if kinds[vid] == "source"]
    # every row emitted, the streaming FakeSource idles: whole buckets of idle time
    assert max(p["sourceIdleRatio"] for p in source) > 0.8, source

    pairs = [(int(e["inputVertexId"]), int(e["targetVertexId"])) for e in dag["pipelineEdges"]["1"]]
    assert [(e["inputVertexId"], e["targetVertexId"]) for e in edges["edges"]] == sorted(
        pairs, key=lambda p: p[1]
    )
    assert edges["toMs"] - edges["fromMs"] == 60_000
    for edge in edges["edges"]:
        assert edge["queueId"] == edge["targetVertexId"]
        for point in edge["points"]:
            assert list(point) == [
                "ts",
                "emitBlockedNs",
                "subtaskCount",
                "bpRatio",
                "queueCapacity",
                "queueSize",
                "queueFillRatio",
            ]
            assert 0.0 <= point["bpRatio"] <= 1.0
            assert point["queueSize"] == point["queueCapacity"] == point["queueFillRatio"] == 0
    # the source waited for the chain and the sink: at least as long as the sink wrote
    (first,) = [e for e in edges["edges"] if kinds[e["inputVertexId"]] == "source"]
    assert sum(p["emitBlockedNs"] for p in first["points"]) >= total("sink", "sinkWriteNs")
    # an ended job is no longer listed, its points stay readable within retention
    assert client.get("/metrics/realtime").get_json()["jobs"] == []
    assert client.get(f"/metrics/realtime/jobs/{job_id}/vertices").get_json()["vertices"]


def test_bad_input_unknown_jobs_and_disabled_jobs(client) -> None:
    job_id = _submit(client, _streaming(**{"engine.observability.enabled": "false"}))
    wait_for_status(client, job_id, ("RUNNING",))
    for suffix in ("vertices", "edges"):
        url = f"/metrics/realtime/jobs/{job_id}/{suffix}"
        for bad, message in (("abc", 'For input string: "abc"'), ("-1", None), ("1.5", None)):
            response = client.get(f"{url}?windowMs={bad}")
            assert response.status_code == 400, bad
            assert response.get_json()["status"] == "fail"
            if message:
                assert response.get_json()["message"] == message
        assert client.get(f"{url}?windowMs=-1").get_json()["message"] == (
            "windowMs must not be negative"
        )
        clamped = client.get(f"{url}?windowMs=99999999999").get_json()
        assert clamped["enabled"] is False and clamped[suffix] == []
        assert clamped["toMs"] - clamped["fromMs"] == 180_000  # at most the retention
        missing = client.get(f"/metrics/realtime/jobs/123/{suffix}")
        assert missing.status_code == 404
        assert missing.get_json() == {"status": "fail", "message": "Job 123 not found."}
        bad_id = client.get(f"/metrics/realtime/jobs/x1/{suffix}")
        assert bad_id.status_code == 400
        assert bad_id.get_json() == {"status": "fail", "message": "Invalid jobId"}
    (entry,) = client.get("/metrics/realtime").get_json()["jobs"]
    assert entry["enabled"] is False and entry["latestBucketStartMs"] == -1
    _stop(client, job_id)


def test_disabled_on_the_server_answers_503(settings: Settings) -> None:
    application = create_app(settings.with_overrides(realtime_metrics_enabled=False))
    try:
        client = application.test_client()
        for url in (
            "/metrics/realtime",
            "/metrics/realtime/jobs",
            "/metrics/realtime/jobs/1/vertices",
            "/metrics/realtime/jobs/1/edges?windowMs=5",
        ):
            response = client.get(url)
            assert response.status_code == 503, url
            assert response.get_json() == {
                "status": "fail",
                "message": "Realtime metrics disabled",
            }
    finally:
        state = application.extensions["seatunnel"]
        if state.executor is not None:
            state.executor.stop()
        state.db.dispose()
