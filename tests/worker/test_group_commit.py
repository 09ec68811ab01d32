"""Group commit: many threads' small writes share transactions, and each unit keeps its own fate."""

from __future__ import annotations

import contextlib
import threading

import pytest
import sqlalchemy as sa

from app.models import Job, JobCount, JobStatus
from app.models.db import Database
from app.services import counts
from app.timefmt import now_ms


def _job(job_id: int) -> Job:
    return Job(
        id=job_id,
        name=f"j{job_id}",
        status=JobStatus.PENDING.value,
        mode="BATCH",
        config="{}",
        dag="{}",
        env_options="{}",
        create_ms=now_ms(),
    )


@pytest.fixture
def db(settings) -> Database:  # the settings fixture truncates the tables
    database = Database(settings.database_url)
    yield database
    database.dispose()


def _count_commits(db: Database) -> list[int]:
    commits = [0]

    def on_commit(_conn) -> None:
        commits[0] += 1

    sa.event.listen(db.engine, "commit", on_commit)
    return commits


def test_threads_units_are_all_stored_in_fewer_transactions(db: Database) -> None:
    commits = _count_commits(db)
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def submit(base: int) -> None:
        start.wait()
        try:
            for n in range(25):
                db.transact(lambda session, i=base + n: session.add(_job(i)))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(1000 * t,)) for t in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Job)).scalar_one() == 400
    assert commits[0] < 400  # 16 threads at once: units shared transactions


def test_a_failing_unit_rolls_back_alone(db: Database) -> None:
    db.transact(lambda session: session.add(_job(1)))
    outcomes: dict[int, object] = {}
    start = threading.Barrier(8)

    def unit(job_id: int) -> None:
        start.wait()
        try:
            db.transact(lambda session: (session.add(_job(job_id)), session.flush()))
            outcomes[job_id] = "stored"
        except sa.exc.IntegrityError:
            outcomes[job_id] = "duplicate"

    ids = [1, 2, 3, 4, 1, 5, 6, 7]  # job 1 exists: its units fail, the others do not
    threads = [threading.Thread(target=unit, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes[1] == "duplicate"
    assert all(outcomes[i] == "stored" for i in (2, 3, 4, 5, 6, 7))
    with db.read() as conn:
        stored = sorted(conn.execute(sa.select(Job.id)).scalars())
    assert stored == [1, 2, 3, 4, 5, 6, 7]


def test_counter_increments_are_summed_and_those_of_failed_units_dropped(db: Database) -> None:
    def before() -> int:
        with db.read() as conn:
            return conn.execute(
                sa.select(JobCount.count).where(JobCount.status == "FINISHED")
            ).scalar_one()

    start_count = before()
    start = threading.Barrier(10)

    def unit(fail: bool) -> None:
        def work(session) -> None:
            counts.bump(session, "FINISHED", +1)
            if fail:
                raise ValueError("this unit fails")

        start.wait()
        with contextlib.suppress(ValueError):
            db.transact(work)

    threads = [threading.Thread(target=unit, args=(n % 3 == 0,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert before() - start_count == 6  # 10 units, 4 of them (0, 3, 6, 9) failed


def test_a_unit_error_reaches_its_caller_and_the_result_is_returned(db: Database) -> None:
    assert db.transact(lambda session: 42) == 42
    with pytest.raises(KeyError):
        db.transact(lambda session: {}["missing"])
