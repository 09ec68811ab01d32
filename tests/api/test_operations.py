"""Operations endpoints: update-tags and tag filters, monitoring, thread-dump, logs, telemetry,
encrypt-config, basic auth, v1 paths and the context path."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import orjson
import pytest

from app import create_app
from tests.helpers import sample_config, wait_for_status


def _submit(client, config, query: str = "") -> str:
    response = client.post(f"/submit-job{query}", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _app(settings, **changes):
    application = create_app(settings.with_overrides(**changes))
    return application


def _close(application) -> None:
    state = application.extensions["seatunnel"]
    if state.executor is not None:
        state.executor.stop()
    state.db.dispose()


def test_update_tags_bodies_and_overview_filter(client) -> None:
    response = client.post("/update-tags", data=orjson.dumps({"tag1": "dev_1", "tag2": "dev_2"}))
    assert response.status_code == 200
    assert response.get_json() == {"status": "success", "message": "update node tags done."}
    assert client.get("/overview?tag1=dev_1").get_json()["workers"] == "1"
    assert client.get("/overview?tag1=dev_1&tag2=dev_2").get_json()["totalSlot"] == "2"
    assert client.get("/overview?tag1=dev_2").get_json()["workers"] == "0"
    assert client.post("/update-tags", data=b"{}").get_json()["status"] == "success"
    assert client.get("/overview?tag1=dev_1").get_json()["workers"] == "0"
    for body, message in [
        (b"", "Request body is empty."),
        (b"[1, 2]", "Invalid JSON format in request body."),
        (b"{oops", "Invalid JSON format in request body."),
    ]:
        response = client.post("/update-tags", data=body)
        assert response.status_code == 400
        assert response.get_json() == {"status": "fail", "message": message}


def test_tag_filter_job_waits_until_a_node_matches(client) -> None:
    config = sample_config()
    config["env"]["tag_filter"] = {"zone": "east"}
    job_id = _submit(client, config)
    time.sleep(0.5)
    assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "PENDING"
    client.post("/update-tags", data=orjson.dumps({"zone": "east"}))
    assert wait_for_status(client, job_id, ("FINISHED",))["metrics"]["SinkWriteCount"] == "5"


def test_system_monitoring_and_thread_dump(client) -> None:
    entries = client.get("/system-monitoring-information").get_json()
    assert len(entries) == 1
    entry = entries[0]
    assert list(entry)[:4] == ["isMaster", "host", "port", "processors"]
    assert entry["isMaster"] == "true" and entry["host"] == "localhost" and entry["port"] == "18080"
    assert all(isinstance(v, str) for v in entry.values())
    assert int(entry["thread.count"]) >= 3
    assert entry["physical.memory.total"][-1] in "GMK"
    dump = client.get("/thread-dump").get_json()
    names = {t["threadName"] for t in dump}
    assert "job-dispatcher" in names and "job-housekeeping" in names
    assert all(isinstance(t["threadId"], int) and "stackTrace" in t for t in dump)


def test_logs_endpoints(client, settings) -> None:
    job_id = _submit(client, sample_config())
    wait_for_status(client, job_id, ("FINISHED",))
    name = f"job-{job_id}.log"
    listing = client.get("/logs?format=JSON").get_json()
    assert {
        "node": "localhost:18080",
        "logLink": f"http://localhost:18080/logs/{name}",
        "logName": name,
    } in listing
    html = client.get("/logs")
    assert html.mimetype == "text/html" and b"<title>Seatunnel log</title>" in html.data
    assert f'<a href="http://localhost:18080/logs/{name}">{name}</a>'.encode() in html.data
    assert [e["logName"] for e in client.get(f"/logs/{job_id}?format=json").get_json()] == [name]
    assert client.get("/logs/no-such-job?format=json").get_json() == []
    content = client.get(f"/logs/{name}")
    assert content.status_code == 200 and content.mimetype == "text/plain"
    assert (
        content.data.decode()
        .splitlines()[0]
        .endswith(f"Init JobMaster for Job SeaTunnel_Job ({job_id})")
    )
    assert client.get(f"/log/{name}").data == content.data
    assert f'<a href="log/{name}">'.encode() in client.get("/log").data
    assert client.get("/logs/job-1.log").status_code == 404


@pytest.mark.parametrize(
    "path", ["/log/..%2Fsecret.log", "/log/../secret.log", "/logs/.hidden.log", "/log/a%00.log"]
)
def test_log_names_cannot_leave_the_log_dir(client, settings, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response.get_json()["status"] == "fail"


def test_telemetry_off_is_empty(client) -> None:
    for path in ("/metrics", "/openmetrics"):
        response = client.get(path)
        assert response.status_code == 200 and response.data == b""


def test_telemetry_on(settings) -> None:
    application = _app(settings, telemetry_enabled=True)
    try:
        client = application.test_client()
        job_id = _submit(client, sample_config())
        wait_for_status(client, job_id, ("FINISHED",))
        text = client.get("/metrics").data.decode()
        # SeaTunnel's simpleclient layout: a comma after the last label, Java doubles
        assert 'job_count{cluster="seatunnel",type="finished",} 1.0' in text
        assert 'job_count{cluster="seatunnel",type="running",} 0.0' in text
        assert 'node_slots_total{node="localhost:18080",} 2.0' in text
        assert "process_resident_memory_bytes" in text
        assert (
            'seatunnel_http_requests_total{method="GET",endpoint="/job-info/<path:raw>",status="200",}'
            in text
        )
        open_text = client.get("/openmetrics").data.decode()
        assert open_text.rstrip().endswith("# EOF")
    finally:
        _close(application)


def test_encrypt_config_and_run_encoded(client, settings) -> None:
    config = sample_config()
    config["env"]["shade.identifier"] = "base64"
    config["source"][0].update(username="seatunnel", password="seatunnel_password")
    config["sink"][0]["token"] = ["a", "b"]
    encoded = client.post("/encrypt-config", data=orjson.dumps(config)).get_json()
    assert encoded["source"][0]["username"] == "c2VhdHVubmVs"
    assert encoded["source"][0]["password"] == "c2VhdHVubmVsX3Bhc3N3b3Jk"
    assert encoded["sink"][0]["token"] == ["YQ==", "Yg=="]
    assert encoded["source"][0]["row.num"] == 5 and encoded["env"] == config["env"]
    job_id = _submit(client, encoded)
    info = wait_for_status(client, job_id, ("FINISHED",))
    assert "seatunnel_password" not in orjson.dumps(info).decode()
    assert "seatunnel_password" not in (Path(settings.log_dir) / f"job-{job_id}.log").read_text()


def test_encrypt_config_errors(client) -> None:
    assert (
        client.post("/encrypt-config", data=b"").get_json()["message"] == "Request body is empty."
    )
    response = client.post("/encrypt-config", data=orjson.dumps({"env": {}, "source": []}))
    assert response.status_code == 400
    assert response.get_json()["message"] == "Miss <Source> config! Please check the config file."
    config = sample_config()
    config["env"]["shade.identifier"] = "rot13"
    response = client.post("/encrypt-config", data=orjson.dumps(config))
    assert response.status_code == 400 and "rot13" in response.get_json()["message"]


def test_basic_auth(settings, monkeypatch) -> None:
    application = _app(
        settings, enable_basic_auth=True, basic_auth_username="admin", basic_auth_password="s3cret"
    )
    try:
        client = application.test_client()
        for headers in (
            {},
            {"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()},
            {"Authorization": "Basic !!!"},
            {"Authorization": "Bearer x"},
        ):
            response = client.get("/overview", headers=headers)
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"] == 'Basic realm="SeaTunnel Web UI"'
            assert response.get_json() == {"status": "fail", "message": "Unauthorized"}
        good = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret").decode()}
        assert client.get("/overview", headers=good).status_code == 200
        assert client.get("/metrics", headers=good).status_code == 200
        assert client.get("/metrics").status_code == 401
    finally:
        _close(application)


def test_v1_paths_and_context_path(settings) -> None:
    application = _app(settings, context_path="/seatunnel")
    try:
        client = application.test_client()
        assert client.get("/overview").status_code == 404
        job_id = client.post(
            "/seatunnel/hazelcast/rest/maps/submit-job", data=orjson.dumps(sample_config())
        ).get_json()["jobId"]
        info: dict = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            info = client.get(f"/seatunnel/hazelcast/rest/maps/running-job/{job_id}").get_json()
            if info.get("jobStatus") == "FINISHED":
                break
            time.sleep(0.02)
        assert info["jobStatus"] == "FINISHED"
        v2 = client.get(f"/seatunnel/job-info/{job_id}").get_json()
        # v1 adds its own names beside the v2 ones
        assert info["jobDag"]["vertices"] == v2["jobDag"]["vertexInfoMap"]
        assert info["jobDag"]["edges"] == [{"inputVertexId": "1", "targetVertexId": "2"}]
        assert (
            info["metrics"]["sourceReceivedCount"] == info["metrics"]["SourceReceivedCount"] == "5"
        )
        assert info["metrics"]["sinkWriteCount"] == "5"
        for key in ("vertices", "edges"):
            info["jobDag"].pop(key)
        for key in ("sourceReceivedCount", "sinkWriteCount"):
            info["metrics"].pop(key)
        for body in (info, v2):
            body["diagnostics"].pop("generatedAt")  # the time each answer was made
        assert info == v2
        assert (
            client.get("/seatunnel/hazelcast/rest/maps/overview").get_json()["finishedJobs"] == "1"
        )
    finally:
        _close(application)


def test_invented_methods_and_paths_do_not_create_metric_series(settings) -> None:
    application = _app(settings, telemetry_enabled=True)
    try:
        client = application.test_client()
        for method in ("FOO", "BAR", "PROPFIND", "X" * 200):
            assert client.open("/overview", method=method).status_code == 405
        for path in ("/no/such/a", "/no/such/b", "/job-info/1", "/job-info/2"):
            client.get(path)
        text = client.get("/metrics").data.decode()
        for invented in ("FOO", "BAR", "PROPFIND", "XXXX", "/no/such", "/job-info/1"):
            assert invented not in text
        assert 'method="other",endpoint="unmatched",status="405"' in text
        assert 'method="GET",endpoint="unmatched",status="404"' in text
    finally:
        _close(application)
