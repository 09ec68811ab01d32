"""A FINISHED end is rendered by its worker before the shared transaction (issue 12): the
stored job object is the one job-info always gave, and a job that stored checkpoints leaves
none behind (savepoints stay)."""

from __future__ import annotations

import orjson
import sqlalchemy as sa

from tests.helpers import sample_config, wait_for_status


def _stored(app, job_id: str):
    db = app.extensions["seatunnel"].db
    with db.read() as conn:
        job = conn.execute(
            sa.text("select name, dag, info, owner, status from jobs where id = :id"),
            {"id": int(job_id)},
        ).one()
        kinds = (
            conn.execute(
                sa.text("select kind from checkpoints where job_id = :id"), {"id": int(job_id)}
            )
            .scalars()
            .all()
        )
    return job, kinds


def test_finished_job_object_is_rendered_from_its_stored_dag(app, client) -> None:
    config = sample_config(rows=7)
    config["sink"][0]["log.print.data"] = False
    response = client.post("/submit-job", json=config, query_string={"jobName": "fast"})
    job_id = response.get_json()["jobId"]
    body = wait_for_status(client, job_id, ("FINISHED", "FAILED"))
    assert body["jobStatus"] == "FINISHED"
    job, kinds = _stored(app, job_id)
    assert job.owner is None and job.status == "FINISHED"
    assert body["jobName"] == job.name == "fast"
    assert body["jobDag"] == orjson.loads(job.dag)
    assert body["metrics"]["SinkWriteCount"] == "7"
    assert body["finishTime"] and body["createTime"] <= body["finishTime"]
    body.pop("diagnostics", None)  # job-info adds it to the stored object
    assert orjson.loads(job.info) == body
    assert kinds == []


def test_a_finished_job_that_checkpointed_drops_its_checkpoints(app, client) -> None:
    config = sample_config(rows=6, **{"split.num": 3, "split.read-interval": 300})
    config["env"]["checkpoint.interval"] = 100
    config["sink"][0]["log.print.data"] = False
    job_id = client.post("/submit-job", json=config).get_json()["jobId"]
    assert wait_for_status(client, job_id, ("FINISHED", "FAILED"))["jobStatus"] == "FINISHED"
    log = client.get(f"/logs/job-{job_id}.log").get_data(as_text=True)
    assert f"checkpoint 1 of job {job_id} stored" in log  # it did store one during the run
    _, kinds = _stored(app, job_id)
    assert kinds == []
