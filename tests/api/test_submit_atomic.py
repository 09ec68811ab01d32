"""/submit-jobs is all-or-nothing, and a restore during a savepoint is a 409, never dropped
(issue 7, "Worker faults")."""

from __future__ import annotations

import orjson

from tests.helpers import sample_config, streaming_config, wait_for_status


def _post(client, path: str, body: object):
    return client.post(path, data=orjson.dumps(body), content_type="application/json")


def _stored_ids(client) -> list[str]:
    running = client.get("/running-jobs").get_json()
    finished = client.get("/finished-jobs").get_json()
    return sorted(job["jobId"] for job in running + finished)


def test_a_conflict_in_a_batch_stores_none_of_it(client) -> None:
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


def test_a_missing_savepoint_in_a_batch_stores_none_of_it(client) -> None:
    missing = sample_config()
    missing["env"]["savepoint.path"] = "/seatunnel/checkpoint/savepoint/930000000000000009/3"
    batch = [sample_config(), sample_config(), missing]
    response = _post(client, "/submit-jobs", batch)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "Savepoint path not found: no checkpoint 3 of job 930000000000000009."
    )
    assert _stored_ids(client) == []


def test_a_good_batch_is_stored_whole(client) -> None:
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


def test_a_restore_while_the_savepoint_is_being_taken_is_409(settings) -> None:
    """The job is held in DOING_SAVEPOINT by a worker (claimed through the real service, so no
    runner races the test); a restore is refused until the savepoint is done, then accepted."""
    from app import create_app
    from app.services import runs

    application = create_app(settings.with_overrides(start_executor=False))
    db = application.extensions["seatunnel"].db
    client = application.test_client()
    try:
        job_id = _post(client, "/submit-job", streaming_config()).get_json()["jobId"]
        assert runs.claim_next(db, "worker-1").id == int(job_id)
        stop = _post(client, "/stop-job", {"jobId": job_id, "isStopWithSavePoint": True})
        assert stop.status_code == 200
        assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "DOING_SAVEPOINT"
        query = f"/submit-job?jobId={job_id}&isStartWithSavePoint=true"
        for path in (query, "/submit-jobs"):
            body = (
                streaming_config()
                if path == query
                else [
                    {
                        **streaming_config(),
                        "params": {"jobId": job_id, "isStartWithSavePoint": "true"},
                    }
                ]
            )
            restore = _post(client, path, body)
            assert restore.status_code == 409
            assert restore.get_json() == {
                "status": "fail",
                "message": f"The job {job_id} is still saving its savepoint: submit the restore"
                " again once it is SAVEPOINT_DONE.",
            }
        # a plain resubmission of the same id stays a safe retry
        assert _post(client, f"/submit-job?jobId={job_id}", streaming_config()).status_code == 200
        assert runs.finish_job(db, int(job_id), "worker-1", "SAVEPOINT_DONE", None, None)
        restore = _post(client, query, streaming_config())
        assert restore.status_code == 200
        info = client.get(f"/job-info/{job_id}").get_json()
        assert info["jobStatus"] == "PENDING" and info["isStartWithSavePoint"] is True
    finally:
        db.dispose()
