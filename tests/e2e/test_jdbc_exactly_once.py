"""End to end: a streaming FakeSource -> Jdbc (is_exactly_once) job whose worker is SIGKILLed at
random moments three times, restored each time by another worker: the target table holds exactly
the rows of one uninterrupted run, on PostgreSQL (PREPARE TRANSACTION) and MariaDB (XA)."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator

import pytest
import requests

from app.engine import build_plan
from tests.e2e.test_recovery import FINAL, _count, _owner, _wait
from tests.jdbc.databases import Db, mariadb_db, postgres_db, start_private_postgres

pytestmark = pytest.mark.e2e

ROWS_PER_READER, PARALLELISM = 300, 2
XA_CLASS = {
    "postgresql": "org.postgresql.xa.PGXADataSource",
    "mysql": "org.mariadb.jdbc.MariaDbDataSource",
}


@pytest.fixture(scope="module")
def private_pg() -> Iterator:
    """A PostgreSQL server with max_prepared_transactions > 0."""
    yield from start_private_postgres()


@pytest.fixture(params=["postgresql", "mariadb"])
def xadb(request: pytest.FixtureRequest) -> Iterator[Db]:
    """A fresh database that has prepared transactions."""
    if request.param == "postgresql":
        yield from postgres_db(request.getfixturevalue("private_pg").port)
    else:
        yield from mariadb_db()


def config(db: Db, table: str, mode: str, exactly_once: bool) -> dict:
    """FakeSource (deterministic, 600 rows in 60 splits read 250 ms apart) -> Jdbc."""
    sink = {
        "plugin_name": "Jdbc", **db.options(), "generate_sink_sql": True, "database": db.name,
        "table": table,
    }  # fmt: skip
    if exactly_once:
        sink.update(is_exactly_once=True, xa_data_source_class_name=XA_CLASS[db.dialect])
    return {
        "env": {"job.mode": mode, "parallelism": PARALLELISM, "checkpoint.interval": 400},
        "source": [
            {
                "plugin_name": "FakeSource",
                "row.num": ROWS_PER_READER,
                "split.num": 30,
                "split.read-interval": 250,
                "seed": 17,
                "schema": {
                    "table": "fake",
                    "fields": {"id": "bigint", "name": "string", "score": "double"},
                },
            }
        ],
        "sink": [sink],
    }


def test_sigkilled_workers_deliver_exactly_once(server, database_url: str, xadb: Db) -> None:
    job_id = requests.post(
        f"{server.url}/submit-job", json=config(xadb, "dst", "STREAMING", True), timeout=10
    ).json()["jobId"]
    rng = random.Random()
    for _kill in range(3):
        progressed = _wait(
            server.url, job_id,
            lambda i: i.get("jobStatus") == "RUNNING" and "latestCheckpoint" in i and _count(i) >= 20,
            60,
        )  # fmt: skip
        time.sleep(rng.uniform(0.0, 1.5))  # a random moment: mid-batch, mid-checkpoint, mid-commit
        owner = _owner(database_url, job_id)
        os.kill(int(owner.split("/")[2]), signal.SIGKILL)
        _wait(
            server.url, job_id,
            lambda i, owner=owner: i.get("jobStatus") == "RUNNING"
            and _owner(database_url, job_id) not in (None, owner),
            60,
        )  # fmt: skip
        assert progressed
    total = ROWS_PER_READER * PARALLELISM
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and xadb.rows("SELECT COUNT(*) FROM dst")[0][0] < total:
        time.sleep(0.5)
    requests.post(f"{server.url}/stop-job", json={"jobId": job_id}, timeout=10)
    final = _wait(server.url, job_id, lambda i: i.get("jobStatus") in FINAL, 30)
    assert final["jobStatus"] == "CANCELED"
    # one uninterrupted run of the same source, in-process, into another table
    assert (
        build_plan(config(xadb, "reference", "BATCH", False)).runner(lambda _: None).run()
        == "FINISHED"
    )
    got = xadb.rows("SELECT id, name, score FROM dst ORDER BY id, name, score")
    want = xadb.rows("SELECT id, name, score FROM reference ORDER BY id, name, score")
    assert len(want) == total
    assert got == want
