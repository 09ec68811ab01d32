"""A FINISHED end is rendered by its worker before the shared transaction (issue 12): the
stored job object is the one job-info always gave, and a job that stored checkpoints leaves
none behind (savepoints stay)."""

from __future__ import annotations

from types import SimpleNamespace

import orjson
import sqlalchemy as sa

from app.models import Job
from app.models.status import JobStatus
from app.services import runs, transitions
from app.services.samples import Sample
from app.timefmt import now_ms
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


def test_an_end_writes_its_last_sample_only_when_the_job_is_still_ours(app) -> None:
    db = app.extensions["seatunnel"].db
    job_id = 424242
    with db.write() as session:
        session.add(
            Job(
                id=job_id,
                name="taken",
                status=JobStatus.RUNNING.value,
                mode="BATCH",
                config="{}",
                dag="{}",
                env_options="{}",
                create_ms=now_ms(),
                owner="another-worker",
            )
        )
    row = SimpleNamespace(id=job_id, name="taken", create_ms=now_ms(), dag="{}")
    sample = Sample(job_id, read_rows=3, write_rows=3, read_bytes=30, write_bytes=30)

    def end_by(worker: str) -> bool:
        ending = transitions.Ending.finished(row, worker, "{}", drop_checkpoints=False)
        return runs.finish_rendered(db, ending, sample)

    def stored() -> tuple:
        with db.read() as conn:
            status = conn.execute(
                sa.text("select status from jobs where id = :id"), {"id": job_id}
            ).scalar_one()
            rows = conn.execute(
                sa.text("select write_rows from metric_samples where job_id = :id"), {"id": job_id}
            ).scalars()
            return status, list(rows)

    assert end_by("this-worker") is False  # taken over: neither the end nor the sample is ours
    assert stored() == ("RUNNING", [])
    assert end_by("another-worker") is True
    assert stored() == ("FINISHED", [3])
