"""JDBC URLs and Java driver class names -> a Python connection (psycopg, pymysql, sqlite3).

A SeaTunnel config names a JDBC URL and a driver class; this module turns both into a `Target`
(dialect, host, port, database, credentials, driver properties) and opens connections with
timeouts, so no plan-time catalog lookup or run-time statement can block forever. Passwords stay
inside `Target` and are never part of its repr or of any error message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

POSTGRESQL = "postgresql"
MYSQL = "mysql"
SQLITE = "sqlite"

# Java driver classes SeaTunnel users write, by dialect.
DRIVERS = {
    "org.postgresql.Driver": POSTGRESQL,
    "com.mysql.cj.jdbc.Driver": MYSQL,
    "com.mysql.jdbc.Driver": MYSQL,
    "org.mariadb.jdbc.Driver": MYSQL,
    "org.sqlite.JDBC": SQLITE,
}
_PREFIXES = (
    ("jdbc:postgresql:", POSTGRESQL),
    ("jdbc:mysql:", MYSQL),
    ("jdbc:mariadb:", MYSQL),
    ("jdbc:sqlite:", SQLITE),
)
_DEFAULT_PORTS = {POSTGRESQL: 5432, MYSQL: 3306}
WRITE_SOCKET_TIMEOUT = 600  # seconds: a bulk statement whose server stays silent this long is dead


class UrlError(ValueError):
    """A JDBC URL or driver this module cannot use; the message never contains a password."""


@dataclass(frozen=True)
class Target:
    """Where to connect: parsed from a JDBC URL plus `user`, `password` and `properties`."""

    dialect: str
    host: str = ""
    port: int = 0
    database: str = ""
    path: str = ""  # SQLite file (or ":memory:")
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    properties: dict[str, str] = field(default_factory=dict, repr=False)
    timeout: int = 30  # connection_check_timeout_sec: connect and plan-time statements

    def describe(self) -> str:
        """A loggable name of the target: never the password."""
        if self.dialect == SQLITE:
            return f"sqlite:{self.path}"
        return f"{self.dialect}://{self.host}:{self.port}/{self.database}"

    def adbc_uri(self) -> str:
        """A libpq URI for ADBC (PostgreSQL only); holds the password, never log it."""
        auth = quote(self.user or "", safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        query = f"connect_timeout={self.timeout}"
        for key in ("sslmode", "application_name"):
            if key in self.properties:
                query += f"&{key}={quote(str(self.properties[key]), safe='')}"
        return (
            f"postgresql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}?{query}"
        )

    def connectorx_uri(self) -> str:
        """A connectorx URI (MySQL/MariaDB); holds the password, never log it."""
        auth = quote(self.user or "", safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"mysql://{auth}@{self.host}:{self.port}/{quote(self.database, safe='')}"


def dialect_of_driver(driver: str) -> str | None:
    """The dialect a Java driver class name stands for, or None."""
    return DRIVERS.get(driver.strip())


def parse_url(
    url: str,
    driver: str | None = None,
    user: str | None = None,
    password: str | None = None,
    properties: dict | None = None,
    timeout: int = 30,
) -> Target:
    """Parse a JDBC URL (checked against `driver` when given); raises UrlError."""
    text = (url or "").strip()
    dialect = next((d for prefix, d in _PREFIXES if text.lower().startswith(prefix)), None)
    if dialect is None:
        raise UrlError("must be a jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:sqlite: URL")
    if driver is not None:
        by_driver = dialect_of_driver(driver)
        if by_driver is None:
            raise UrlError(f"driver class is not supported; supported: {', '.join(DRIVERS)}")
        if by_driver != dialect:
            raise UrlError(f"driver {driver.strip()} does not fit a {dialect} URL")
    props = {str(k): str(v) for k, v in (properties or {}).items()}
    if dialect == SQLITE:
        path = text[len("jdbc:sqlite:") :].split("?", 1)[0]
        if path.startswith("//"):
            path = path[2:]
        if not path:
            raise UrlError("names no SQLite database file")
        return Target(SQLITE, path=path, properties=props, timeout=timeout)
    rest = text.split(":", 2)[2]
    if not rest.startswith("//"):
        raise UrlError("must have the form jdbc:<db>://host[:port]/database")
    rest = rest[2:]
    rest, _, query = rest.partition("?")
    hostport, _, database = rest.partition("/")
    params = dict(parse_qsl(query.replace(";", "&"), keep_blank_values=True))
    hostport = hostport.split(",", 1)[0]  # failover host lists: the first host
    if "@" in hostport:
        raise UrlError("must not carry credentials before the host; use user and password")
    host, port = _host_port(hostport, _DEFAULT_PORTS[dialect])
    merged = {**params, **props}
    return Target(
        dialect,
        host=host or "localhost",
        port=port,
        database=unquote(database.strip("/")),
        user=user if user is not None else merged.pop("user", None),
        password=password if password is not None else merged.pop("password", None),
        properties=merged,
        timeout=timeout,
    )


def _host_port(text: str, default: int) -> tuple[str, int]:
    if text.startswith("["):  # [ipv6]:port
        host, _, tail = text[1:].partition("]")
        port_text = tail.lstrip(":")
    else:
        host, _, port_text = text.partition(":")
    if not port_text:
        return host, default
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UrlError("has an invalid port")
    return host, int(port_text)


def connect(target: Target, autocommit: bool = True, read_timeout: int | None = None) -> Any:
    """A DB-API connection with connect and socket/statement timeouts.

    `read_timeout` bounds each statement (PostgreSQL statement_timeout, MySQL socket reads);
    None means the target's `connection_check_timeout_sec`, 0 means no bound (bulk writes)."""
    if read_timeout is None:
        read_timeout = max(1, target.timeout)
    if target.dialect == POSTGRESQL:
        return _connect_pg(target, autocommit, read_timeout)
    if target.dialect == MYSQL:
        return _connect_mysql(target, autocommit, read_timeout)
    return _connect_sqlite(target, autocommit)


def _connect_pg(target: Target, autocommit: bool, read_timeout: int | None) -> Any:
    import psycopg

    kwargs: dict[str, Any] = {
        "host": target.host,
        "port": target.port,
        "dbname": target.database,
        "connect_timeout": max(1, target.timeout),
        "autocommit": autocommit,
        # a dead server is noticed by TCP keepalives instead of a read that never returns
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "application_name": target.properties.get("ApplicationName", "seatunnel-rest"),
    }
    if target.user:
        kwargs["user"] = target.user
    if target.password:
        kwargs["password"] = target.password
    if "sslmode" in target.properties:
        kwargs["sslmode"] = target.properties["sslmode"]
    options = []
    if read_timeout:
        options.append(f"-c statement_timeout={int(read_timeout) * 1000}")
    schema = target.properties.get("currentSchema")
    if schema and all(c.isalnum() or c in "_," for c in schema):
        options.append(f"-c search_path={schema}")
    if options:
        kwargs["options"] = " ".join(options)
    try:
        return psycopg.connect(**kwargs)
    except psycopg.Error as exc:
        raise ConnectError(target, exc) from None


def _connect_mysql(target: Target, autocommit: bool, read_timeout: int | None) -> Any:
    import pymysql

    try:
        return pymysql.connect(
            host=target.host,
            port=target.port,
            user=target.user or "",
            password=target.password or "",
            database=target.database or None,
            charset="utf8mb4",
            autocommit=autocommit,
            connect_timeout=max(1, target.timeout),
            read_timeout=read_timeout or WRITE_SOCKET_TIMEOUT,
            write_timeout=read_timeout or WRITE_SOCKET_TIMEOUT,
            local_infile=False,
        )
    except pymysql.Error as exc:
        raise ConnectError(target, exc) from None


def _connect_sqlite(target: Target, autocommit: bool) -> Any:
    import sqlite3

    path = target.path
    if path != ":memory:" and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise ConnectError(target, "the directory of the database file does not exist")
    try:
        conn = sqlite3.connect(
            path,
            timeout=max(1, target.timeout),
            check_same_thread=False,
            isolation_level=None if autocommit else "DEFERRED",
        )
    except sqlite3.Error as exc:
        raise ConnectError(target, exc) from None
    return conn


class ConnectError(RuntimeError):
    """Connecting failed; the message names the target (never the password) and the reason."""

    def __init__(self, target: Target, reason: Any) -> None:
        text = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
        if target.password:
            text = text.replace(target.password, "******")
        super().__init__(f"cannot connect to {target.describe()}: {text}")
