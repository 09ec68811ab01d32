"""Heartbeats (issue 7): their own thread, the database's clock, longer liveness than lock waits,
and no chore can delay them."""

from __future__ import annotations

import threading
import time

import orjson
import pytest
import sqlalchemy as sa

from app import create_app
from app.config import Settings
from app.models.clock import db_now_ms
from app.models.db import LOCK_TIMEOUT_MS
from app.services import cluster, recovery
from tests.helpers import streaming_config, wait_for_status


def test_liveness_outlasts_a_lock_wait_and_two_heartbeats() -> None:
    assert cluster.WORKER_LIVE_MS > LOCK_TIMEOUT_MS + 2 * cluster.HEARTBEAT_MS


def test_the_lock_timeout_is_the_databases(settings: Settings) -> None:
    application = create_app(settings.with_overrides(start_executor=False))
    db = application.extensions["seatunnel"].db
    try:
        with db.read() as conn:
            if db.is_sqlite:
                value = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                assert value == LOCK_TIMEOUT_MS
            else:
                assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "10s"
    finally:
        db.dispose()


def _beats(db, worker_id: str) -> int:
    with db.read() as conn:
        return conn.execute(
            sa.text("SELECT heartbeat_ms FROM workers WHERE id = :id"), {"id": worker_id}
        ).scalar_one()


@pytest.fixture
def running_app(settings: Settings):
    application = create_app(settings)
    yield application
    state = application.extensions["seatunnel"]
    state.executor.stop()
    state.db.dispose()


def test_a_stuck_chore_does_not_delay_the_heartbeat(running_app) -> None:
    state = running_app.extensions["seatunnel"]
    executor = state.executor
    assert "job-heartbeat" in {t.name for t in executor._threads}
    release = threading.Event()
    entered = threading.Event()

    def stuck_chore() -> None:  # a history sweep or a node-figures publish that hangs
        entered.set()
        release.wait(30)

    executor._publish_node_info = stuck_chore
    try:
        assert entered.wait(15)
        first = _beats(state.db, executor.worker_id)
        deadline = time.monotonic() + 10
        while _beats(state.db, executor.worker_id) == first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _beats(state.db, executor.worker_id) > first
    finally:
        release.set()


def test_heartbeats_use_the_databases_clock_not_the_nodes(
    running_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node whose wall clock is an hour slow still looks alive to every other node, and its
    running job is not adopted from under it."""
    state = running_app.extensions["seatunnel"]
    client = running_app.test_client()
    config = streaming_config()
    job_id = client.post("/submit-job", data=orjson.dumps(config)).get_json()["jobId"]
    wait_for_status(client, job_id, ("RUNNING",))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)  # this node's clock is slow
    time.sleep(2 * cluster.HEARTBEAT_MS / 1000 + 1.5)  # the worker and its job beat meanwhile
    monkeypatch.setattr(time, "time", real_time)  # another node's view
    with state.db.read() as conn:
        now = conn.execute(sa.select(db_now_ms())).scalar_one()
        beats = conn.execute(
            sa.text("SELECT heartbeat_ms FROM jobs WHERE id = :id"), {"id": int(job_id)}
        ).scalar_one()
    assert abs(now - beats) < cluster.WORKER_LIVE_MS
    assert abs(now - _beats(state.db, state.executor.worker_id)) < cluster.WORKER_LIVE_MS
    assert recovery.reap_orphans(state.db) == []
    overview = client.get("/overview").get_json()
    assert overview["totalSlot"] == "2" and overview["workers"] == "1"
    client.post("/stop-job", json={"jobId": job_id, "force": True})
    wait_for_status(client, job_id, ("CANCELED",))


def test_leases_expire_on_the_databases_clock(settings: Settings) -> None:
    application = create_app(settings.with_overrides(start_executor=False))
    db = application.extensions["seatunnel"].db
    try:
        assert recovery.take_lease(db, "chore", "a", 60)
        assert not recovery.take_lease(db, "chore", "b", 60)
        with db.write() as session:  # the lease ran out a second ago, by the database's clock
            session.execute(sa.text("UPDATE leases SET expires_ms = expires_ms - 61000"))
        assert recovery.take_lease(db, "chore", "b", 60)
    finally:
        db.dispose()
