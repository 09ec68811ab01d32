"""Pooled PostgreSQL connections: one that sat idle is pinged and replaced when the server
closed it (a restart or an idle timeout costs no failed transaction then); one in steady use is
not pinged at every checkout."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from app.models import db as db_module
from app.models.db import Database
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")


def _backend_pid(session) -> int:
    return session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_an_idle_connection_closed_by_the_server_is_replaced(monkeypatch) -> None:
    monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.05)
    db = Database(PG_URL)
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        first = db.transact(_backend_pid)
        with admin.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(first)})")
        time.sleep(0.2)  # idle past the threshold: pinged at the next checkout
        second = db.transact(_backend_pid)
        assert second != first
    finally:
        admin.dispose()
        db.dispose()


def test_a_connection_in_steady_use_is_not_pinged(monkeypatch) -> None:
    db = Database(PG_URL)
    pings = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(
        db.engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn)
    )
    try:
        for _ in range(20):
            db.transact(_backend_pid)
        assert pings == []
        monkeypatch.setattr(db_module, "PING_IDLE_SECONDS", 0.0)
        db.transact(_backend_pid)
        assert pings == [1]  # idle "longer" than the threshold: pinged
    finally:
        db.dispose()
