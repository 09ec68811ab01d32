"""Job lifecycle through the API: streaming, stop / savepoint / cancel, checkpoints, restore."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from tests.helpers import delivered_rows, streaming_config, uninterrupted_rows, wait_for_status

FINAL = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE")


def _submit(client, config, query: str = "") -> str:
    response = client.post(f"/submit-job{query}", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _stop(client, job_id: str, savepoint: bool = False, force: bool = False):
    body = {"jobId": job_id, "isStopWithSavePoint": savepoint, "force": force}
    return client.post("/stop-job", data=orjson.dumps(body))


def _wait_count(client, job_id: str, at_least: int, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    info: dict = {}
    while time.monotonic() < deadline:
        info = client.get(f"/job-info/{job_id}").get_json()
        if int(info["metrics"]["SourceReceivedCount"]) >= at_least:
            return info
        time.sleep(0.05)
    raise AssertionError(f"metrics did not reach {at_least}: {info['metrics']}")


def test_streaming_runs_until_stopped_and_metrics_move(client) -> None:
    job_id = _submit(client, streaming_config())
    first = _wait_count(client, job_id, 40)
    assert first["jobStatus"] == "RUNNING"
    later = _wait_count(client, job_id, int(first["metrics"]["SourceReceivedCount"]) + 40)
    assert float(later["metrics"]["SourceReceivedQPS"]) > 0
    assert [j["jobId"] for j in client.get("/running-jobs").get_json()] == [job_id]
    response = _stop(client, job_id)
    assert response.status_code == 200 and response.get_json() == {"jobId": job_id}
    info = wait_for_status(client, job_id, FINAL, timeout=10)
    assert info["jobStatus"] == "CANCELED"
    assert client.get("/running-jobs").get_json() == []


def test_stop_with_savepoint_reports_it_and_restore_continues(client) -> None:
    job_id = _submit(client, streaming_config())
    running = _wait_count(client, job_id, 60)
    assert "latestCheckpoint" in running or int(running["metrics"]["SourceReceivedCount"]) >= 60
    assert _stop(client, job_id, savepoint=True).status_code == 200
    stopped = wait_for_status(client, job_id, FINAL, timeout=10)
    assert stopped["jobStatus"] == "SAVEPOINT_DONE"
    assert (
        stopped["savepointPath"]
        == f"/seatunnel/checkpoint/savepoint/{job_id}/{stopped['latestCheckpoint']['checkpointId']}"
    )
    assert stopped["latestCheckpoint"]["kind"] == "savepoint"
    count = int(stopped["metrics"]["SourceReceivedCount"])
    # resume: same id, metrics continue from the stored values
    assert (
        _submit(client, streaming_config(), f"?jobId={job_id}&isStartWithSavePoint=true") == job_id
    )
    resumed = _wait_count(client, job_id, count + 20)
    assert resumed["jobStatus"] == "RUNNING" and resumed["isStartWithSavePoint"] is True
    # a restore submitted while it runs returns the job and starts nothing
    again = client.post(
        f"/submit-job?jobId={job_id}&isStartWithSavePoint=true",
        data=orjson.dumps(streaming_config()),
    )
    assert again.get_json()["jobId"] == job_id
    assert len(client.get("/running-jobs").get_json()) == 1
    _stop(client, job_id, force=True)
    assert wait_for_status(client, job_id, FINAL, timeout=10)["jobStatus"] == "CANCELED"


def test_force_cancel_and_stopping_finished_or_unknown(client) -> None:
    job_id = _submit(client, streaming_config())
    _wait_count(client, job_id, 20)
    assert _stop(client, job_id, force=True).status_code == 200
    info = wait_for_status(client, job_id, FINAL, timeout=10)
    assert info["jobStatus"] == "CANCELED"
    again = _stop(client, job_id)  # already ended: a 200 no-op
    assert again.status_code == 200 and again.get_json() == {"jobId": job_id}
    assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "CANCELED"
    unknown = _stop(client, "123")
    assert unknown.status_code == 404
    assert unknown.get_json() == {"status": "fail", "message": "The job 123 does not exist."}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Request body is empty."),
        (b"{", "Invalid JSON format in request body."),
        (b"{}", "jobId cannot be empty."),
        (b'{"jobId": null}', "jobId cannot be empty."),
        (b'{"jobId": "abc"}', 'For input string: "abc"'),
        (b"[]", "Invalid JSON format in request body: expected an object."),
    ],
)
def test_stop_job_bad_bodies(client, body: bytes, message: str) -> None:
    response = client.post("/stop-job", data=body)
    assert response.status_code == 400
    assert response.get_json() == {"status": "fail", "message": message}


def test_stop_jobs_answers_numbers(client) -> None:
    ids = [_submit(client, streaming_config(seed=s)) for s in (1, 2)]
    body = [{"jobId": int(i), "isStopWithSavePoint": False} for i in ids]
    response = client.post("/stop-jobs", data=orjson.dumps(body))
    assert response.status_code == 200
    assert response.get_json() == [{"jobId": int(i)} for i in ids]
    for job_id in ids:
        assert wait_for_status(client, job_id, FINAL, timeout=10)["jobStatus"] == "CANCELED"
    bad = client.post("/stop-jobs", data=b'{"jobId": 1}')
    assert bad.status_code == 400 and bad.get_json()["message"] == "Json parse list exception!"
    missing = client.post("/stop-jobs", data=orjson.dumps([{"jobId": ids[0]}, {"jobId": 5}]))
    assert missing.status_code == 404


def test_stopping_a_pending_job_cancels_it(client) -> None:
    config = streaming_config()
    config["env"]["tag_filter"] = {"zone": "nowhere"}
    job_id = _submit(client, config)
    assert _stop(client, job_id, savepoint=True).status_code == 200
    info = client.get(f"/job-info/{job_id}").get_json()
    assert info["jobStatus"] == "CANCELED" and info["errorMsg"] is None
    assert client.get("/overview").get_json()["cancelledJobs"] == "1"


def test_exactly_once_across_savepoint_restores(client, tmp_path: Path) -> None:
    """Stop with a savepoint, restore, stop, restore, stop with a savepoint: the sink holds exactly
    the rows one uninterrupted run delivers, none missing, none repeated."""
    out = tmp_path / "out"
    config = streaming_config(out_dir=out, interval_ms=150)
    job_id = _submit(client, config)
    seen = 0
    for step, (savepoint, query) in enumerate(
        [(True, ""), (False, "&isStartWithSavePoint=true"), (True, "&isStartWithSavePoint=true")]
    ):
        if step:
            assert _submit(client, config, f"?jobId={job_id}{query}") == job_id
        seen = int(_wait_count(client, job_id, seen + 60)["metrics"]["SourceReceivedCount"])
        _stop(client, job_id, savepoint=savepoint)
        final = wait_for_status(client, job_id, FINAL, timeout=15)
        assert final["jobStatus"] == ("SAVEPOINT_DONE" if savepoint else "CANCELED")
        seen = int(final["metrics"]["SourceReceivedCount"])
    delivered = delivered_rows(out)
    assert len(delivered) == int(final["metrics"]["SinkWriteCount"]) == seen
    reference = uninterrupted_rows(config, len(delivered))
    assert sorted(map(orjson.dumps, delivered)) == sorted(map(orjson.dumps, reference))
    assert len({orjson.dumps(r) for r in delivered}) == len(delivered)  # none repeated


def test_restore_through_env_job_id_and_savepoint_path(client) -> None:
    job_id = _submit(client, streaming_config())
    _wait_count(client, job_id, 40)
    _stop(client, job_id, savepoint=True)
    stopped = wait_for_status(client, job_id, FINAL, timeout=10)
    count = int(stopped["metrics"]["SourceReceivedCount"])
    # the cookbook's restore.mode / savepoint.path: same job, from that savepoint
    by_path = streaming_config()
    by_path["env"].update({"restore.mode": "savepoint", "savepoint.path": stopped["savepointPath"]})
    assert _submit(client, by_path) == job_id
    resumed = _wait_count(client, job_id, count + 20)
    assert resumed["isStartWithSavePoint"] is True
    _stop(client, job_id)
    count = int(
        wait_for_status(client, job_id, FINAL, timeout=10)["metrics"]["SourceReceivedCount"]
    )
    # env.job.id: resume from the latest checkpoint (the graceful stop stored one)
    by_id = streaming_config()
    by_id["env"]["job.id"] = job_id
    assert _submit(client, by_id) == job_id
    assert int(_wait_count(client, job_id, count + 20)["metrics"]["SourceReceivedCount"]) > count
    _stop(client, job_id, force=True)
    wait_for_status(client, job_id, FINAL, timeout=10)
    missing = streaming_config()
    missing["env"]["savepoint.path"] = f"/seatunnel/checkpoint/savepoint/{job_id}/999"
    response = client.post("/submit-job", data=orjson.dumps(missing))
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": f"Savepoint path not found: no checkpoint 999 of job {job_id}.",
    }


def test_force_cancel_frees_slots_held_by_a_sleeping_console(client) -> None:
    """Console with a day-long print delay holds both slots; force cancels end both jobs
    CANCELED and a new job runs to FINISHED on the freed slots."""
    config = streaming_config()
    config["sink"] = [{"plugin_name": "Console", "log.print.delay.ms": 60_000}]  # limits.delay-ms
    held = [_submit(client, config) for _ in range(2)]  # the test server has 2 slots
    for job_id in held:
        _wait_count(client, job_id, 1, timeout=90)  # a loaded machine imports slowly
    for job_id in held:
        assert _stop(client, job_id, force=True).status_code == 200
    for job_id in held:
        assert wait_for_status(client, job_id, FINAL)["jobStatus"] == "CANCELED"
    batch = streaming_config()
    batch["env"] = {"job.mode": "BATCH"}
    batch["source"][0].pop("endless")
    assert wait_for_status(client, _submit(client, batch), FINAL)["jobStatus"] == "FINISHED"
