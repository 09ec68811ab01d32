"""Real databases for the Jdbc connector tests: a fresh PostgreSQL or MariaDB database per test
(dropped after), a SQLite file, and a private PostgreSQL with max_prepared_transactions > 0."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
MY_HOST, MY_PORT = "127.0.0.1", 3306


@dataclass
class Db:
    """One test database: its JDBC url, driver, user, and a DB-API connect()."""

    dialect: str
    url: str
    driver: str
    user: str | None
    name: str
    port: int = 0

    def connect(self) -> Any:
        """An autocommit DB-API connection (psycopg, pymysql or sqlite3)."""
        if self.dialect == "postgresql":
            import psycopg

            return psycopg.connect(
                host=PG_HOST, port=self.port, user="postgres", dbname=self.name, autocommit=True
            )
        if self.dialect == "mysql":
            import pymysql

            return pymysql.connect(
                host=MY_HOST, port=MY_PORT, user="root", password="", database=self.name,
                autocommit=True,
            )  # fmt: skip
        import sqlite3

        return sqlite3.connect(self.name, isolation_level=None)

    def execute(self, *statements: str) -> None:
        """Run statements."""
        conn = self.connect()
        try:
            for sql in statements:
                cur = conn.cursor()
                cur.execute(sql)
                cur.close()
        finally:
            conn.close()

    def rows(self, sql: str) -> list[tuple]:
        """All rows of a query, as tuples."""
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]
        finally:
            conn.close()

    def options(self) -> dict:
        """The Jdbc connection options of a job config."""
        out = {"url": self.url, "driver": self.driver}
        if self.user:
            out["user"] = self.user
        if self.dialect == "mysql":
            out["password"] = ""
        return out


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_db(port: int = PG_PORT) -> Iterator[Db]:
    """A fresh PostgreSQL database, dropped after."""
    import psycopg

    if not _reachable(PG_HOST, port):
        pytest.skip("PostgreSQL is not running on 127.0.0.1")
    name = "st_jdbc_" + uuid.uuid4().hex[:10]
    admin = psycopg.connect(
        host=PG_HOST, port=port, user="postgres", dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Db(
            "postgresql", f"jdbc:postgresql://{PG_HOST}:{port}/{name}", "org.postgresql.Driver",
            "postgres", name, port,
        )  # fmt: skip
    finally:
        for (gid,) in admin.execute(
            "SELECT gid FROM pg_prepared_xacts WHERE database = %s", (name,)
        ).fetchall():
            conn = psycopg.connect(
                host=PG_HOST, port=port, user="postgres", dbname=name, autocommit=True
            )
            conn.execute(f"ROLLBACK PREPARED '{gid}'")
            conn.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def mariadb_db() -> Iterator[Db]:
    """A fresh MariaDB database, dropped after (with any XA transaction left prepared)."""
    import pymysql

    if not _reachable(MY_HOST, MY_PORT):
        pytest.skip("MariaDB is not running on 127.0.0.1")
    name = "st_jdbc_" + uuid.uuid4().hex[:10]
    admin = pymysql.connect(host=MY_HOST, port=MY_PORT, user="root", password="", autocommit=True)
    admin.cursor().execute(f"CREATE DATABASE `{name}`")
    try:
        yield Db(
            "mysql",
            f"jdbc:mariadb://{MY_HOST}:{MY_PORT}/{name}",
            "org.mariadb.jdbc.Driver",
            "root",
            name,
        )
    finally:
        cur = admin.cursor()
        cur.execute("XA RECOVER")
        for row in cur.fetchall():
            xid = row[3].decode() if isinstance(row[3], bytes) else row[3]
            if xid.startswith("st_"):
                with contextlib.suppress(pymysql.Error):
                    cur.execute(f"XA ROLLBACK '{xid}'")
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def sqlite_db(directory: str) -> Db:
    """A SQLite file in `directory`."""
    path = os.path.join(directory, "test.db")
    return Db("sqlite", f"jdbc:sqlite:{path}", "org.sqlite.JDBC", None, path)


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of our own (max_prepared_transactions=10)."""

    port: int
    directory: str


def start_private_postgres() -> Iterator[PrivatePostgres]:
    """initdb + pg_ctl on a free port in a temp dir owned by postgres; stopped and removed after."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins or shutil.which("runuser") is None:
        pytest.skip("no PostgreSQL server binaries")
    bindir = os.path.dirname(bins[-1])
    directory = tempfile.mkdtemp(prefix="st-pg-")
    shutil.chown(directory, "postgres", "postgres")
    data = os.path.join(directory, "data")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*run, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_prepared_transactions=10 -c fsync=off"
    subprocess.run(
        [*run, f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", f"{directory}/log", "-w", "start"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not _reachable(PG_HOST, port) and time.monotonic() < deadline:
            time.sleep(0.1)
        yield PrivatePostgres(port, directory)
    finally:
        subprocess.run(
            [*run, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)
