"""/submit-jobs is all-or-nothing, and a restore during a savepoint is a 409, never dropped
(issue 7, "Worker faults")."""

from __future__ import annotations

import orjson

from tests.helpers import sample_config, streaming_config, wait_for_status


def _post(client, path: str, body: object):  # noqa: ANN001, ANN202
    return client.post(path, data=orjson.dumps(body), content_type="application/json")


def _stored_ids(client) -> list[str]:  # noqa: ANN001
    running = client.get("/running-jobs").get_json()
    finished = client.get("/finished-jobs").get_json()
    return sorted(job["jobId"] for job in running + finished)


def test_a_conflict_in_a_batch_stores_none_of_it(client) -> None:  # noqa: ANN001
    done = _post(client, "/submit-job?jobId=930000000000000001", sample_config()).get_json()
    wait_for_status(client, done["jobId"], ("FINISHED",))
    batch = [
        {**sample_config(), "params": {"jobId": "930000000000000002"}},
        {**sample_config(), "params": {"jobId": done["jobId"]}},  # finished, no restore: 409
    ]
    response = _post(client, "/submit-jobs", batch)
    assert response.status_code == 409
    assert response.get_json() == {
        "status": "fail",
        "message": f"The job id {done['jobId']} has already been submitted and is not starting"
        " with a savepoint.",
    }
    assert _stored_ids(client) == [done["jobId"]]
    assert client.get("/job-info/930000000000000002").get_json() == {"jobId": "930000000000000002"}


def test_a_missing_savepoint_in_a_batch_stores_none_of_it(client) -> None:  # noqa: ANN001
    missing = sample_config()
    missing["env"]["savepoint.path"] = "/seatunnel/checkpoint/savepoint/930000000000000009/3"
    batch = [sample_config(), sample_config(), missing]
    response = _post(client, "/submit-jobs", batch)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "Savepoint path not found: no checkpoint 3 of job 930000000000000009."
    )
    assert _stored_ids(client) == []


def test_a_good_batch_is_stored_whole(client) -> None:  # noqa: ANN001
    batch = [
        {**sample_config(), "params": {"jobId": "930000000000000011", "jobName": "a"}},
        {**sample_config(), "params": {"jobId": "930000000000000011", "jobName": "b"}},
        sample_config(),
    ]
    answer = _post(client, "/submit-jobs", batch).get_json()
    assert answer[0] == answer[1] == {"jobId": "930000000000000011", "jobName": "a"}  # a retry
    for job in answer:
        assert wait_for_status(client, job["jobId"], ("FINISHED", "FAILED"))["jobStatus"] == (
            "FINISHED"
        )
    assert len(_stored_ids(client)) == 2


def test_a_restore_while_the_savepoint_is_being_taken_is_409(client) -> None:  # noqa: ANN001
    job_id = _post(client, "/submit-job", streaming_config()).get_json()["jobId"]
    wait_for_status(client, job_id, ("RUNNING",))
    assert _post(
        client, "/stop-job", {"jobId": job_id, "isStopWithSavePoint": True}
    ).status_code == (200)
    restore = _post(
        client, f"/submit-job?jobId={job_id}&isStartWithSavePoint=true", streaming_config()
    )
    # the runner sees the request at its next poll (every 200 ms): the job is still saving
    assert restore.status_code == 409
    assert restore.get_json() == {
        "status": "fail",
        "message": f"The job {job_id} is still saving its savepoint: submit the restore"
        " again once it is SAVEPOINT_DONE.",
    }
    wait_for_status(client, job_id, ("SAVEPOINT_DONE",))
    # once the savepoint is done, the same restore runs the job again
    restore = _post(
        client, f"/submit-job?jobId={job_id}&isStartWithSavePoint=true", streaming_config()
    )
    assert restore.status_code == 200
    info = wait_for_status(client, job_id, ("RUNNING",))
    assert info["isStartWithSavePoint"] is True
    _post(client, "/stop-job", {"jobId": job_id, "force": True})
    wait_for_status(client, job_id, ("CANCELED",))
