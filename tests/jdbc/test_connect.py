"""JDBC URLs and driver class names as SeaTunnel users write them."""

from __future__ import annotations

import pytest

from app.engine.plugins.jdbc.connect import ConnectError, UrlError, connect, parse_url


def test_postgres_url_with_params() -> None:
    target = parse_url(
        "jdbc:postgresql://db.example:5433/sales?currentSchema=app&ssl=false",
        "org.postgresql.Driver", "u", "secret",
    )  # fmt: skip
    assert (target.dialect, target.host, target.port, target.database) == (
        "postgresql",
        "db.example",
        5433,
        "sales",
    )
    assert target.properties["currentSchema"] == "app"
    assert "secret" not in repr(target)
    assert target.describe() == "postgresql://db.example:5433/sales"


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        (
            "jdbc:mysql://localhost:3306/test?useSSL=false&serverTimezone=UTC",
            "com.mysql.cj.jdbc.Driver",
        ),
        ("jdbc:mysql://localhost/test", "com.mysql.jdbc.Driver"),
        ("jdbc:mariadb://localhost:3306/test", "org.mariadb.jdbc.Driver"),
    ],
)
def test_mysql_family(url: str, driver: str) -> None:
    target = parse_url(url, driver, "root", "")
    assert (target.dialect, target.host, target.port, target.database) == (
        "mysql",
        "localhost",
        3306,
        "test",
    )


def test_sqlite_paths() -> None:
    assert parse_url("jdbc:sqlite:/tmp/a.db", "org.sqlite.JDBC").path == "/tmp/a.db"
    assert parse_url("jdbc:sqlite::memory:", "org.sqlite.JDBC").path == ":memory:"


def test_user_and_password_from_url_when_not_given() -> None:
    target = parse_url("jdbc:postgresql://h/db?user=a&password=b")
    assert (target.user, target.password) == ("a", "b")
    assert "password" not in target.properties


@pytest.mark.parametrize(
    ("url", "driver", "message"),
    [
        ("jdbc:oracle:thin:@h:1521:x", "oracle.jdbc.OracleDriver",
         "must be a jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:sqlite: URL"),
        ("jdbc:postgresql://h/db", "com.mysql.cj.jdbc.Driver",
         "driver com.mysql.cj.jdbc.Driver does not fit a postgresql URL"),
        ("jdbc:postgresql://h/db", "org.Nope", "driver class is not supported; supported: "
         "org.postgresql.Driver, com.mysql.cj.jdbc.Driver, com.mysql.jdbc.Driver, "
         "org.mariadb.jdbc.Driver, org.sqlite.JDBC"),
        ("jdbc:postgresql://h:99999/db", None, "has an invalid port"),
        ("jdbc:postgresql:db", None, "must have the form jdbc:<db>://host[:port]/database"),
        ("jdbc:sqlite:", None, "names no SQLite database file"),
    ],
)  # fmt: skip
def test_bad_urls(url: str, driver: str | None, message: str) -> None:
    with pytest.raises(UrlError) as info:
        parse_url(url, driver)
    assert str(info.value) == message


def test_connect_failure_hides_password() -> None:
    target = parse_url("jdbc:postgresql://127.0.0.1:1/x", None, "u", "hunter2", timeout=2)
    with pytest.raises(ConnectError) as info:
        connect(target)
    assert "hunter2" not in str(info.value)
    assert str(info.value).startswith("cannot connect to postgresql://127.0.0.1:1/x: ")


def test_connect_times_out_on_a_silent_server() -> None:
    """A server that accepts TCP but never answers: connect gives up after the timeout."""
    import socket
    import time

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        target = parse_url(f"jdbc:mysql://127.0.0.1:{port}/x", None, "root", "", timeout=1)
        started = time.monotonic()
        with pytest.raises(ConnectError):
            connect(target)
        assert time.monotonic() - started < 10
