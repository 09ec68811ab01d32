"""Worker faults (issue 7): a slot thread never dies. A job log that cannot be written, a database
error while recording a job's end: the job ends FAILED with the message (or is adopted again) and
the slot takes the next job."""

from __future__ import annotations

import os
import time
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from app import create_app
from app.config import Settings
from app.models.db import Database
from app.services import recovery
from tests.helpers import sample_config, wait_for_status


@pytest.fixture
def make_app(settings: Settings):
    """Build apps with changed settings; all stopped at teardown."""
    apps = []

    def build(**changes):
        application = create_app(settings.with_overrides(**changes))
        apps.append(application)
        return application

    yield build
    for application in apps:
        state = application.extensions["seatunnel"]
        state.executor.stop()
        state.db.dispose()


def _submit(client, config: dict | None = None, query: str = "") -> str:
    response = client.post(
        f"/submit-job{query}",
        data=orjson.dumps(config or sample_config()),
        content_type="application/json",
    )
    assert response.status_code == 200, response.data
    return response.get_json()["jobId"]


def _alive_slots(application) -> int:
    executor = application.extensions["seatunnel"].executor
    return sum(1 for t in executor._threads if t.name.startswith("job-slot-") and t.is_alive())


def test_a_log_dir_that_is_a_file_fails_each_job_and_keeps_the_slots(
    make_app, tmp_path: Path
) -> None:
    log_dir = tmp_path / "logs"
    log_dir.write_text("not a directory")
    application = make_app(log_dir=str(log_dir))
    client = application.test_client()
    ids = [_submit(client) for _ in range(5)]  # more jobs than the 2 slots
    for job_id in ids:
        info = wait_for_status(client, job_id, ("FAILED", "FINISHED"), timeout=30)
        assert info["jobStatus"] == "FAILED"
        assert info["errorMsg"] == f"Cannot write the job log job-{job_id}.log: File exists"
    assert _alive_slots(application) == 2
    log_dir.unlink()  # the operator fixes it: the same slots run the next job
    job_id = _submit(client)
    assert wait_for_status(client, job_id, ("FINISHED", "FAILED"))["jobStatus"] == "FINISHED"


def test_a_full_disk_fails_the_job_with_the_message(make_app, settings: Settings) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    application = make_app()
    client = application.test_client()
    log_dir = Path(settings.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    job_ids = ["910000000000000001", "910000000000000002", "910000000000000003"]
    for job_id in job_ids:
        (log_dir / f"job-{job_id}.log").symlink_to("/dev/full")  # every write: ENOSPC
    config = sample_config(rows=200)
    for job_id in job_ids:
        _submit(client, config, f"?jobId={job_id}")
    for job_id in job_ids:
        info = wait_for_status(client, job_id, ("FAILED", "FINISHED"), timeout=30)
        assert info["jobStatus"] == "FAILED"
        assert (
            f"Cannot write the job log job-{job_id}.log: No space left on device"
            in (info["errorMsg"])
        )
    assert _alive_slots(application) == 2
    job_id = _submit(client)
    assert wait_for_status(client, job_id, ("FINISHED", "FAILED"))["jobStatus"] == "FINISHED"


def _refuse_ending(db: Database, job_id: int) -> None:
    """A real database error for one job's final update (a trigger that aborts it)."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_end BEFORE UPDATE OF status ON jobs "
                f"WHEN NEW.id = {job_id} AND NEW.status IN ('FINISHED', 'FAILED') "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION refuse_end() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.id = {job_id} AND NEW.status IN ('FINISHED', 'FAILED') THEN "
                "RAISE EXCEPTION 'disk I/O error'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_end BEFORE UPDATE ON jobs "
                "FOR EACH ROW EXECUTE FUNCTION refuse_end()"
            )


def _allow_ending(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP TRIGGER IF EXISTS refuse_end" + ("" if db.is_sqlite else " ON jobs")
        )
        if not db.is_sqlite:
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS refuse_end()")


def _heartbeat(db: Database, job_id: int) -> int:
    with db.read() as conn:
        return conn.execute(
            sa.text("SELECT heartbeat_ms FROM jobs WHERE id = :id"), {"id": job_id}
        ).scalar_one()


def test_a_database_error_recording_the_end_keeps_the_slot_and_the_job_is_adopted(
    make_app,
) -> None:
    application = make_app()
    state = application.extensions["seatunnel"]
    executor = state.executor
    executor.record_attempts = 2  # give up quickly (production retries longer)
    client = application.test_client()
    stuck = 920000000000000001
    _refuse_ending(state.db, stuck)
    try:
        _submit(client, query=f"?jobId={stuck}")
        deadline = time.monotonic() + 30
        while stuck in executor._held and time.monotonic() < deadline:
            time.sleep(0.05)
        assert stuck not in executor._held  # the slot gave the job up...
        # ...and runs the next jobs, more than the slots
        others = [_submit(client) for _ in range(3)]
        for job_id in others:
            assert wait_for_status(client, job_id, ("FINISHED", "FAILED"))["jobStatus"] == (
                "FINISHED"
            )
        assert _alive_slots(application) == 2
        # the job it could not end is no longer heart-beaten, so it is adopted again
        info = client.get(f"/job-info/{stuck}").get_json()
        assert info["jobStatus"] == "RUNNING"
        beat = _heartbeat(state.db, stuck)
        time.sleep(2.5)  # longer than a heartbeat interval
        assert _heartbeat(state.db, stuck) == beat
    finally:
        _allow_ending(state.db)
    assert recovery.reap_orphans(state.db, live_ms=1000) == [stuck]
    executor.wake()
    info = wait_for_status(client, str(stuck), ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED"


def test_an_error_message_with_nul_or_a_lone_surrogate_is_still_recorded(database_url: str) -> None:
    """PostgreSQL refuses NUL in text; a surrogate cannot be encoded: neither may keep a job
    from ending (it would be adopted and fail again, forever)."""
    from app.models import Job
    from app.services import runs
    from tests.helpers import truncate_all

    truncate_all(database_url)
    db = Database(database_url)
    try:
        with db.write() as session:
            session.add(
                Job(
                    id=940000000000000001,
                    name="j",
                    status="RUNNING",
                    mode="BATCH",
                    config="{}",
                    dag="{}",
                    env_options="{}",
                    start_with_savepoint=False,
                    create_ms=1,
                    owner="w",
                )
            )
        message = "Console: bad value 'a\x00b\ud800c'"
        assert runs.finish_job(db, 940000000000000001, "w", "FAILED", message, None)
        with db.read() as conn:
            stored = conn.execute(
                sa.text("SELECT error_msg, info FROM jobs WHERE id = 940000000000000001")
            ).one()
        assert stored.error_msg == "Console: bad value 'a\\x00b?c'"
        assert orjson.loads(stored.info)["errorMsg"] == stored.error_msg
    finally:
        db.dispose()
