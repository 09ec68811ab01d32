"""Hot statements run as the driver's own SQL: the same rows and the same errors as Core."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Job
from app.models.db import Database
from app.models.driver_sql import DriverStatement
from app.models.status import JobStatus
from tests.helpers import truncate_all

_JOBS = Job.__table__


def _row(job_id: int, **values) -> dict:
    row = dict.fromkeys(column.key for column in _JOBS.columns)
    row.update(
        id=job_id,
        name=f"job {job_id}",
        status=JobStatus.PENDING.value,
        mode="BATCH",
        config="{}",
        dag="{}",
        env_options="{}",
        start_with_savepoint=False,
        create_ms=job_id,
    )
    row.update(values)
    return row


def test_insert_update_returning_and_errors(database_url: str) -> None:
    truncate_all(database_url)
    db = Database(database_url)
    insert = DriverStatement(sa.insert(_JOBS))
    # a fixed value (the status literal), a parameter used twice, RETURNING
    claim = DriverStatement(
        sa.update(_JOBS)
        .where(
            _JOBS.c.status == JobStatus.PENDING.value,
            _JOBS.c.create_ms >= sa.bindparam("since"),
            _JOBS.c.id >= sa.bindparam("since"),
        )
        .values(status=JobStatus.RUNNING.value, owner=sa.bindparam("owner"))
        .returning(_JOBS.c.id, _JOBS.c.owner, _JOBS.c.start_with_savepoint)
    )
    try:
        with Session(db.engine) as session:
            conn = session.connection()
            insert.execute(conn, _row(1))
            insert.execute(conn, _row(2, start_with_savepoint=True))
            insert.execute(conn, _row(3, status=JobStatus.FINISHED.value))
            rows = sorted(claim.execute(conn, {"since": 2, "owner": "w1"}).all())
            session.commit()
        assert [(r.id, r.owner, bool(r.start_with_savepoint)) for r in rows] == [(2, "w1", True)]
        with db.engine.connect() as conn:
            stored = dict(conn.execute(sa.select(_JOBS.c.id, _JOBS.c.status)).all())
            flags = dict(conn.execute(sa.select(_JOBS.c.id, _JOBS.c.start_with_savepoint)).all())
        assert stored == {1: "PENDING", 2: "RUNNING", 3: "FINISHED"}
        assert flags == {1: False, 2: True, 3: False}
        with Session(db.engine) as session, pytest.raises(sa.exc.IntegrityError):
            insert.execute(session.connection(), _row(1))  # wrapped as Core would wrap it
    finally:
        db.dispose()
        truncate_all(database_url)


def test_an_expanding_list_runs_through_core(database_url: str) -> None:
    truncate_all(database_url)
    db = Database(database_url)
    count = DriverStatement(
        sa.select(sa.func.count())
        .select_from(_JOBS)
        .where(_JOBS.c.id.in_(sa.bindparam("ids", expanding=True)))
    )
    try:
        with Session(db.engine) as session:
            conn = session.connection()
            DriverStatement(sa.insert(_JOBS)).execute(conn, _row(5))
            assert count.execute(conn, {"ids": [5, 6]}).scalar_one() == 1
            session.rollback()
    finally:
        db.dispose()
        truncate_all(database_url)


def test_a_new_job_row_sets_exactly_the_inserted_columns() -> None:
    from app.services import jobs

    config = jobs.parse_job_config(
        b'{"env": {"job.mode": "BATCH"}, "source": [{"plugin_name": "FakeSource",'
        b' "schema": {"fields": {"a": "int"}}}], "sink": [{"plugin_name": "Console"}]}',
        "json",
    )
    row = jobs._new_values(7, jobs.prepare_submission(config, jobs.SubmitParams()))
    assert set(row) == set(jobs._NEW_COLUMNS)
