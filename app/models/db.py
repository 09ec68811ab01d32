"""The database handle: one SQLAlchemy engine per process, created after fork, and the session helpers."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import pq_fetch
from app.models.group_commit import GroupCommit, apply_increments
from app.models.keyed_reads import KeyedReads

T = TypeVar("T")


def _prepare_sqlite_file(url: sa.URL) -> None:
    """Create the directory of a SQLite file on demand (var/ next to the config)."""
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


# How long a statement waits for a lock before failing (SQLite busy timeout, PostgreSQL
# lock_timeout). Worker liveness (services.cluster.WORKER_LIVE_MS) is longer than this plus two
# heartbeat intervals, so a heartbeat stuck behind a lock never makes a live worker look dead.
LOCK_TIMEOUT_MS = 10_000


def _install_sqlite_pragmas(engine: sa.Engine) -> None:
    """WAL + busy timeout so several processes and threads write without 'database is locked'.

    pysqlite's own BEGIN handling is switched off so that write transactions can start with
    BEGIN IMMEDIATE: a deferred transaction that reads first and writes later fails at once with
    SQLITE_BUSY when another writer got in between, whatever the busy timeout.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("sqlite_immediate", False):
            _begin_immediate(conn)
        else:
            conn.exec_driver_sql("BEGIN")


# How often a writer tries again for SQLite's write lock: from 0.1 ms, doubling up to 2 ms.
_RETRY_FIRST_S, _RETRY_MAX_S = 0.0001, 0.002


def _begin_immediate(conn: sa.Connection) -> None:
    """BEGIN IMMEDIATE, trying again every 0.1-2 ms until LOCK_TIMEOUT_MS.

    SQLite's own busy handler (busy_timeout) sleeps 1, 2, 5, 10 ... 100 ms between tries, so
    when the processes of a node take turns at the write lock hundreds of times a second, most
    of their time goes in those sleeps, long after the lock came free. The write lock is only
    ever held for one short transaction, so polling it briefly costs far less.
    """
    raw = conn.connection.dbapi_connection
    raw.execute("PRAGMA busy_timeout=0")
    try:
        delay, deadline = _RETRY_FIRST_S, time.monotonic() + LOCK_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX_S)
        # the last try fails at once (busy_timeout is still 0), as SQLAlchemy's error
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_MS}")


# A pooled connection idle longer than this is pinged before use (a server restart or an idle
# timeout may have closed it); one in steady use is not (see _ping_idle_connections).
PING_IDLE_SECONDS = 1.0
_CHECKED_IN_AT = "seatunnel_checked_in_at"


def _ping_idle_connections(engine: sa.Engine) -> None:
    """SQLAlchemy's pool_pre_ping, for connections that sat idle in the pool only.

    pre_ping pings on every checkout, and every group-commit transaction checks a connection
    out: under load that is a round trip (and two autocommit switches) more per transaction,
    on a connection that was in use a millisecond before. A failed ping recycles the whole
    pool, as with pre_ping. What pre_ping also covered and this does not: a connection last
    used less than a second before the server went away fails its first transaction (the
    pool then recycles itself, as it does for a server lost between a ping and the use).
    """

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy) -> None:
        checked_in = record.info.get(_CHECKED_IN_AT)
        if checked_in is None or time.monotonic() - checked_in < PING_IDLE_SECONDS:
            return  # new (just connected) or in steady use
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            # as pool_pre_ping does: the server went away, so every pooled connection is stale;
            # the pool replaces them all (this one at once, the others at their checkout)
            raise sa.exc.InvalidatePoolError("an idle connection failed its ping") from exc


class _ConnectionHolder:
    """A thread's own DBAPI connection (a weakref target: dropped with the thread's locals)."""

    __slots__ = ("conn", "prepared", "__weakref__")

    def __init__(self, conn) -> None:
        self.conn = conn
        self.prepared = pq_fetch.PreparedReads()  # PostgreSQL: statements prepared on it


class Database:
    """Owns the engine; `write()` and `read()` hand out sessions that commit or roll back."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = sa.make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # psycopg 3: the hot one-row reads go through libpq directly (models.pq_fetch)
        self.is_postgresql = self.url.get_backend_name() == "postgresql" and (
            self.url.get_driver_name() == "psycopg"
        )
        self.pid = os.getpid()
        # hide_parameters: a logged database error must not show the job config (secrets)
        kwargs: dict = {"echo": echo, "future": True, "hide_parameters": True}
        if self.is_sqlite:
            _prepare_sqlite_file(self.url)
            kwargs["connect_args"] = {
                "check_same_thread": False,
                "timeout": LOCK_TIMEOUT_MS / 1000,
            }
            kwargs["pool_size"] = 16
            kwargs["max_overflow"] = 16
        else:
            kwargs["pool_size"] = 8
            kwargs["max_overflow"] = 16
            # the connection returned last is handed out first: in steady use the same few stay
            # busy (and unpinged, see _ping_idle_connections) while the rest idle
            kwargs["pool_use_lifo"] = True
            if self.url.get_backend_name() == "postgresql":
                kwargs["connect_args"] = {"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"}
        self.engine = sa.create_engine(self.url, **kwargs)
        if self.is_sqlite:
            _install_sqlite_pragmas(self.engine)
        else:
            _ping_idle_connections(self.engine)
        self._write_engine = (
            self.engine.execution_options(sqlite_immediate=True) if self.is_sqlite else self.engine
        )
        self._local = threading.local()
        self._raw_connections: set = set()
        self._raw_lock = threading.Lock()
        self._keyed_reads: dict[str, KeyedReads] = {}  # PostgreSQL: by statement
        self._qmark = self.engine.dialect.paramstyle == "qmark"
        # one lane for every small write of the job lifecycle, submissions included: on
        # PostgreSQL a lane of their own was measured to cost 11 % more server CPU and 10 %
        # more database CPU per job (smaller batches, more commits), for no gain in throughput
        self._group = GroupCommit(lambda: Session(self._write_engine, expire_on_commit=False))

    def transact(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a write transaction that may be shared with other threads of
        this process (group commit) and return its result once that transaction committed.

        For the small writes of the job lifecycle (store, claim, checkpoint, end, heartbeat):
        `work` must not commit, and should be quick (other threads' units wait for it).
        """
        return self._group.run(work)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for a transaction that writes: committed on success, rolled back on error."""
        with Session(self._write_engine, expire_on_commit=False) as session:
            try:
                yield session
                apply_increments(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A plain connection for read-only queries (no write lock taken on SQLite)."""
        with self.engine.connect() as conn:
            yield conn

    def fetch_one(self, sql: str, params: tuple) -> tuple | None:
        """One row of a read-only statement (`?` placeholders) on this thread's own connection.

        The hot read paths (job-info) skip the ORM, the pool checkout and statement compilation:
        each request thread keeps one autocommit DBAPI connection, so a primary-key lookup costs
        about what the database itself takes.
        """
        return self._read(sql, params, first_only=True)

    def fetch_by_id(self, sql: str, key: int) -> tuple | None:
        """The row of `sql` (`... WHERE id = ?`, the id its first column) for id `key`.

        On PostgreSQL, lookups by several threads at once are answered by one query
        (models.keyed_reads): the same statement with `id = ANY(?)`.
        """
        if not self.is_postgresql:
            return self.fetch_one(sql, (key,))
        reads = self._keyed_reads.get(sql)
        if reads is None:
            if not sql.endswith(" WHERE id = ?"):
                raise ValueError("fetch_by_id needs a statement ending in WHERE id = ?")
            many = sql.removesuffix("?") + "ANY(?::bigint[])"
            reads = self._keyed_reads.setdefault(
                sql,
                KeyedReads(lambda keys: self._read(many, (_int_array(keys),), first_only=False)),
            )
        return reads.get(key)

    def _read(self, sql: str, params: tuple, *, first_only: bool):
        """The rows of a read-only statement on this thread's own connection (PostgreSQL:
        through libpq where it can); the first row (or None) with `first_only`, else a list."""
        for attempt in (1, 2):
            conn = self._thread_connection()
            try:
                if self.is_postgresql:
                    prepared = self._local.holder.prepared
                    rows = pq_fetch.fetch(conn, prepared, sql, params, first_only=first_only)
                    if rows is not pq_fetch.UNSUPPORTED:
                        return rows
                cursor = conn.cursor()
                try:
                    cursor.execute(sql if self._qmark else sql.replace("?", "%s"), params)
                    return cursor.fetchone() if first_only else cursor.fetchall()
                finally:
                    cursor.close()
            except Exception:
                self._drop_thread_connection()  # a broken connection: reconnect once
                if attempt == 2:
                    raise
        return None

    def _thread_connection(self):
        holder = getattr(self._local, "holder", None)
        if holder is None:
            fairy = self.engine.raw_connection()
            fairy.detach()  # ours for the thread's lifetime, outside the pool's accounting
            conn = fairy.dbapi_connection
            if not self.is_sqlite:
                conn.autocommit = True  # no transaction left open between requests
            if self.is_postgresql:
                # a read that hangs would hold up every lookup batched behind it (keyed_reads)
                try:
                    conn.execute(f"SET statement_timeout = {LOCK_TIMEOUT_MS}")
                except Exception:
                    conn.close()
                    raise
            holder = _ConnectionHolder(conn)
            # a thread that ends drops its locals: its connection is closed then, not leaked
            weakref.finalize(holder, self._forget, conn)
            self._local.holder = holder
            with self._raw_lock:
                self._raw_connections.add(conn)
        return holder.conn

    def _drop_thread_connection(self) -> None:
        holder = getattr(self._local, "holder", None)
        self._local.holder = None
        if holder is not None:
            self._forget(holder.conn)

    def _forget(self, conn) -> None:
        with self._raw_lock:
            self._raw_connections.discard(conn)
        with contextlib.suppress(Exception):  # already broken or closed
            conn.close()

    def dispose(self) -> None:
        """Close pooled and per-thread connections (at shutdown)."""
        with self._raw_lock:
            connections, self._raw_connections = self._raw_connections, set()
        for conn in connections:
            with contextlib.suppress(Exception):  # closing at shutdown, nothing to do
                conn.close()
        self.engine.dispose()


def _int_array(keys: list[int]) -> str:
    """PostgreSQL's text form of an integer array: {1,2,3}."""
    return "{" + ",".join(str(int(key)) for key in keys) + "}"
