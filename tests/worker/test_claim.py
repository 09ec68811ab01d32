"""Claiming: concurrent claimers (threads, two database handles) each get a different job, none left."""

from __future__ import annotations

import threading

import pytest

from app.models import Job
from app.models.db import Database
from app.services import runs
from tests.conftest import PG_URL
from tests.helpers import truncate_all


def _store_pending(
    db: Database, count: int, tag_filter: str | None = None, first: int = 1000
) -> set[int]:
    with db.write() as session:
        for i in range(count):
            session.add(
                Job(
                    id=first + i,
                    tag_filter=tag_filter,
                    name=f"j{i}",
                    status="PENDING",
                    mode="BATCH",
                    config="{}",
                    dag="{}",
                    env_options="{}",
                    start_with_savepoint=False,
                    create_ms=1_700_000_000_000 + first + i,
                )
            )
    return {first + i for i in range(count)}


def test_concurrent_claims_take_each_job_once(database_url: str) -> None:
    truncate_all(database_url)
    handles = [Database(database_url), Database(database_url)]  # like two worker processes
    expected = _store_pending(handles[0], 60)
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()

    try:
        _claim_all(handles, claimed, lock)
    finally:
        for db in handles:
            db.dispose()
    ids = [job_id for _, job_id in claimed]
    assert sorted(ids) == sorted(expected)  # every job once, none twice


def _claim_all(handles, claimed, lock) -> None:
    def claimer(name: str, db: Database) -> None:
        while (job := runs.claim_next(db, name)) is not None:
            with lock:
                claimed.append((name, job.id))

    threads = [threading.Thread(target=claimer, args=(f"w{i}", handles[i % 2])) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with handles[0].read() as conn:
        owners = dict(
            conn.exec_driver_sql("select id, owner from jobs where status = 'RUNNING'").all()
        )
    assert owners == {job_id: name for name, job_id in claimed}


def test_claim_is_oldest_first_and_finish_requires_ownership(db: Database) -> None:
    _store_pending(db, 3)
    assert runs.claim_next(db, "a").id == 1000
    assert runs.finish_job(db, 1000, "someone-else", "FINISHED", None, None) is False
    assert runs.finish_job(db, 1000, "a", "FINISHED", None, '{"SinkWriteCount": "1"}') is True
    with db.read() as conn:
        status, info = conn.exec_driver_sql("select status, info from jobs where id = 1000").one()
    assert status == "FINISHED" and '"jobStatus":"FINISHED"' in info


def test_unmatched_tagged_jobs_do_not_hold_up_the_queue(database_url: str) -> None:
    truncate_all(database_url)
    db = Database(database_url)
    try:
        _store_pending(db, 300, tag_filter='{"zone":"nowhere"}')  # older, and nobody matches
        (untagged,) = _store_pending(db, 1, first=5000)
        _store_pending(db, 1, tag_filter='{"zone":"a"}', first=6000)
        assert runs.claim_next(db, "w", {"zone": "b"}).id == untagged
        assert runs.claim_next(db, "w", {"zone": "b"}) is None
        assert runs.claim_next(db, "w", {"zone": "a"}).id == 6000
    finally:
        db.dispose()


def test_a_matching_tagged_job_is_claimed_behind_any_number_of_unmatched_ones(
    database_url: str,
) -> None:
    """Tags are matched in SQL: 10,000 older jobs for another zone never starve this one."""
    truncate_all(database_url)
    db = Database(database_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                Job.__table__.insert(),
                [
                    dict(
                        id=1 + i,
                        tag_filter='{"zone":"nowhere"}',
                        name="unmatched",
                        status="PENDING",
                        mode="BATCH",
                        config="{}",
                        dag="{}",
                        env_options="{}",
                        start_with_savepoint=False,
                        create_ms=1_600_000_000_000 + i,
                    )
                    for i in range(10_000)
                ],
            )
        _store_pending(
            db, 1, tag_filter=runs.canonical_tags({"zone": "a", "rack": "7"}), first=50_000
        )
        assert runs.claim_next(db, "w", {"zone": "b"}) is None
        assert runs.claim_next(db, "w", {"zone": "a"}) is None  # rack missing
        assert runs.claim_next(db, "w", {"zone": "a", "rack": "7", "x": "y"}).id == 50_000
    finally:
        db.dispose()


def test_tag_values_with_quotes_and_unicode_match_exactly(db: Database) -> None:
    _store_pending(db, 1, tag_filter=runs.canonical_tags({'k"ey': 'vé "x"'}), first=7000)
    assert runs.claim_next(db, "w", {'k"ey': "vé"}) is None
    assert runs.claim_next(db, "w", {'k"ey': 'vé "x"'}).id == 7000


def test_a_node_with_many_tags_matches_by_containment(db: Database) -> None:
    many = {f"tag{i}": str(i) for i in range(runs.MAX_SUBSET_TAGS + 3)}
    _store_pending(db, 1, tag_filter=runs.canonical_tags({"tag3": "3", "tag9": "9"}), first=8000)
    _store_pending(db, 1, tag_filter=runs.canonical_tags({"tag3": "4"}), first=8001)
    assert runs.claim_next(db, "w", many).id == 8000
    assert runs.claim_next(db, "w", many) is None


def test_submitted_tag_filters_are_stored_canonical(client) -> None:
    from tests.helpers import sample_config

    config = sample_config()
    config["env"]["tag_filter"] = {"zone": "a", "rack": 7}
    job_id = client.post("/submit-job", json=config).get_json()["jobId"]
    db = client.application.extensions["seatunnel"].db
    with db.read() as conn:
        stored = conn.exec_driver_sql(f"select tag_filter from jobs where id = {job_id}").scalar()
    assert stored == '{"rack":"7","zone":"a"}'
    config["env"]["tag_filter"] = {"k": "v" * 2000}
    response = client.post("/submit-job", json=config)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "env option 'tag_filter' must be at most 1024 characters."
    )


def test_tags_with_nul_are_refused(client) -> None:
    from tests.helpers import sample_config

    config = sample_config()
    config["env"]["tag_filter"] = {"zone": "a\u0000"}
    response = client.post("/submit-job", json=config)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "env option 'tag_filter' must not contain a NUL character."
    )
    response = client.post("/update-tags", json={"zone\u0000": "a"})
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": "Tags must not contain a NUL character.",
    }


def test_one_claim_takes_several_oldest_first_and_concurrent_batches_split(
    database_url: str,
) -> None:
    truncate_all(database_url)
    handles = [Database(database_url), Database(database_url)]
    try:
        expected = _store_pending(handles[0], 40)
        first = runs.claim_jobs(handles[0], "w0", {}, 3)
        assert [job.id for job in first] == [1000, 1001, 1002]  # oldest first, in order
        assert first[0].dag == "{}" and first[0].create_ms == 1_700_000_000_000 + 1000
        taken: list[int] = [job.id for job in first]
        lock = threading.Lock()

        def claimer(db: Database, name: str) -> None:
            while jobs := runs.claim_jobs(db, name, {}, 4, known_pending=True):
                assert len(jobs) <= 4
                with lock:
                    taken.extend(job.id for job in jobs)

        threads = [
            threading.Thread(target=claimer, args=(handles[i % 2], f"w{i}")) for i in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(taken) == sorted(expected)  # every job once, none twice
        assert runs.claim_jobs(handles[1], "w9", {}, 4, known_pending=True) == []
    finally:
        for db in handles:
            db.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL's planner")
def test_a_claim_never_takes_more_than_its_limit_after_a_burst(database_url: str) -> None:
    # Right after a burst of submissions the statistics still say "no PENDING jobs", and the
    # planner may run an IN (subquery ... FOR UPDATE SKIP LOCKED) once per row it looks at.
    truncate_all(database_url)
    db = Database(database_url)
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO jobs (id, name, status, mode, config, dag, env_options,"
                " start_with_savepoint, create_ms) SELECT g, 'old', 'FINISHED', 'BATCH', '{}',"
                " '{}', '{}', false, g FROM generate_series(1, 100000) AS g"
            )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE jobs")
        _store_pending(db, 10, None, first=200_000)
        _store_pending(db, 10, '{"a":"1"}', first=200_010)
        claimed = runs.claim_jobs(db, "w", {"a": "1"}, 4)
        assert [job.id for job in claimed] == [200_000, 200_001, 200_002, 200_003]
        with db.read() as conn:
            running = conn.exec_driver_sql(
                "select count(*) from jobs where status = 'RUNNING'"
            ).scalar_one()
        assert running == 4
    finally:
        db.dispose()
