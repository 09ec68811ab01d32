"""Our console endpoints: metric samples, job list, checkpoints, masked config, log, restore, nodes."""

from __future__ import annotations

import time

import pytest

from app import create_app
from tests.helpers import sample_config, streaming_config, wait_for_status


@pytest.fixture
def fast_client(settings):
    """A client whose executor samples metrics every 200 ms."""
    application = create_app(settings.with_overrides(metric_sample_interval_ms=200))
    yield application.test_client()
    state = application.extensions["seatunnel"]
    state.executor.stop()
    state.db.dispose()


def _submit(client, config: dict, name: str = "job") -> str:
    response = client.post(f"/submit-job?jobName={name}", json=config)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _wait_samples(client, job_id: str, enough, timeout: float = 30.0) -> list[dict]:
    """Poll the samples of a job until `enough(samples)`."""
    deadline = time.monotonic() + timeout
    samples: list[dict] = []
    while time.monotonic() < deadline:
        samples = client.get(f"/jobs/{job_id}/metric-samples").get_json()["samples"]
        if enough(samples):
            return samples
        time.sleep(0.1)
    raise AssertionError(f"samples of job {job_id}: {samples}")


def test_running_job_is_sampled_and_rows_rise(fast_client) -> None:
    job_id = _submit(fast_client, streaming_config(interval_ms=300))
    samples = _wait_samples(
        fast_client, job_id, lambda s: len(s) >= 3 and 0 < s[-3]["readRows"] < s[-1]["readRows"]
    )
    reads = [s["readRows"] for s in samples]
    assert reads == sorted(reads)
    assert any(s["readRowsPerSecond"] > 0 for s in samples[1:])
    assert [s["time"] for s in samples] == sorted(s["time"] for s in samples)
    since = samples[-1]["time"]
    _wait_samples(fast_client, job_id, lambda s: s[-1]["time"] > since)
    newer = fast_client.get(f"/jobs/{job_id}/metric-samples?since={since}").get_json()["samples"]
    assert newer and all(s["time"] > since for s in newer)
    assert newer[0]["readRows"] >= samples[-1]["readRows"]
    fast_client.post("/stop-job", json={"jobId": job_id, "force": True})
    wait_for_status(fast_client, job_id, ("CANCELED",))


def test_finished_batch_job_has_a_final_sample(fast_client) -> None:
    job_id = _submit(fast_client, sample_config(rows=7))
    wait_for_status(fast_client, job_id, ("FINISHED",))
    samples = fast_client.get(f"/jobs/{job_id}/metric-samples").get_json()["samples"]
    assert samples[-1]["readRows"] == 7 and samples[-1]["writeRows"] == 7


def test_unknown_job_answers_404_in_the_envelope(client) -> None:
    for path in ("metric-samples", "checkpoints", "config", "log"):
        response = client.get(f"/jobs/42/{path}")
        assert response.status_code == 404
        assert response.get_json() == {"status": "fail", "message": "Job 42 not found."} or (
            path == "log"
            and response.get_json()
            == {"status": "fail", "message": "No log of job 42 on this node."}
        )
    response = client.get("/jobs/abc/config")
    assert response.status_code == 400
    assert response.get_json() == {"status": "fail", "message": 'For input string: "abc"'}


def test_job_list_filters_by_state_and_name_newest_first(client) -> None:
    first = _submit(client, sample_config(), "alpha-one")
    wait_for_status(client, first, ("FINISHED",))
    second = _submit(client, sample_config(), "beta")
    wait_for_status(client, second, ("FINISHED",))
    third = _submit(client, sample_config(), "Alpha-two")
    wait_for_status(client, third, ("FINISHED",))
    body = client.get("/job-list?name=ALPHA").get_json()
    assert [j["jobId"] for j in body["data"]] == [third, first]
    assert body["total"] == 2
    body = client.get("/job-list?state=finished&rows=1&page=2").get_json()
    assert [j["jobId"] for j in body["data"]] == [second] and body["total"] == 3
    assert client.get("/job-list?state=running").get_json() == {"data": [], "total": 0}
    response = client.get("/job-list?state=sleeping")
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("Unknown job state: sleeping.")


def test_config_is_shown_with_every_secret_masked(client) -> None:
    config = sample_config()
    config["sink"][0]["password"] = "hunter2-secret"
    config["sink"][0]["auth"] = {"token": "tok-123"}
    config["env"]["shade.identifier"] = "base64"
    encrypted = client.post("/encrypt-config", json=config).get_json()
    job_id = _submit(client, encrypted)
    body = client.get(f"/jobs/{job_id}/config").get_json()
    sink = body["config"]["sink"][0]
    assert sink["password"] == "******" and sink["auth"] == "******"
    assert "hunter2" not in str(body) and "aHVudGVy" not in str(body)


def test_stop_with_savepoint_then_restore_from_it(client) -> None:
    job_id = _submit(client, streaming_config(interval_ms=200))
    wait_for_status(client, job_id, ("RUNNING",))
    time.sleep(0.5)
    client.post("/stop-job", json={"jobId": job_id, "isStopWithSavePoint": True})
    wait_for_status(client, job_id, ("SAVEPOINT_DONE",))
    points = client.get(f"/jobs/{job_id}/checkpoints").get_json()["checkpoints"]
    savepoint = next(p for p in points if p["kind"] == "savepoint")
    assert savepoint["size"] > 0 and savepoint["savepointPath"].endswith(
        f"/{job_id}/{savepoint['checkpointId']}"
    )
    response = client.post(f"/jobs/{job_id}/restore", json={"checkpointId": "999"})
    assert response.status_code == 400
    assert response.get_json()["message"] == f"Checkpoint 999 of job {job_id} not found."
    response = client.post(
        f"/jobs/{job_id}/restore", json={"checkpointId": savepoint["checkpointId"]}
    )
    assert response.status_code == 200 and response.get_json()["jobId"] == job_id
    wait_for_status(client, job_id, ("RUNNING",))
    response = client.post(f"/jobs/{job_id}/restore")
    assert response.status_code == 409
    assert response.get_json() == {
        "status": "fail",
        "message": f"Job {job_id} is RUNNING; only an ended job can be restored.",
    }
    client.post("/stop-job", json={"jobId": job_id, "force": True})
    wait_for_status(client, job_id, ("CANCELED",))
    log = client.get(f"/jobs/{job_id}/log").get_json()
    assert f"Restoring job {job_id} from checkpoint {savepoint['checkpointId']}" in log["text"]
    tail = client.get(f"/jobs/{job_id}/log?offset={log['size']}").get_json()
    assert tail["text"] == "" and tail["offset"] == log["size"]


def test_nodes_list_this_node_with_tags(client) -> None:
    client.post("/update-tags", json={"zone": "a"})
    nodes = client.get("/nodes").get_json()
    assert nodes[0]["isMaster"] is True and nodes[0]["tags"] == {"zone": "a"}
