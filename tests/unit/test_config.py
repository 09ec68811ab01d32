"""Settings: yaml keys, env overrides, relative paths, validation."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from app.config import SettingsError, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seatunnel.yaml"
    path.write_text(text)
    return path


def test_defaults_of_the_shipped_file() -> None:
    settings = load_settings(env={})
    root = Path(__file__).resolve().parents[2]
    assert settings.port == 8080 and settings.context_path == ""
    assert settings.database_url == f"sqlite:///{root / 'var' / 'seatunnel.db'}"
    assert settings.log_dir == str(root / "var" / "logs")
    assert (settings.slots, settings.processes) == (4, 2)
    assert settings.job_log_console is True  # SeaTunnel prints job lines on its console too


def test_keys_paths_and_env_overrides(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
seatunnel:
  engine:
    history-job-expire-minutes: 5
    http:
      port: "9090"
      context-path: seatunnel/
      enable-dynamic-port: "true"
    worker:
      slots: 3
    log-dir: logs
    job-log-console: false
    node-tags: {zone: a, rack: 1}
""",
    )
    settings = load_settings(path, env={"SEATUNNEL_DATABASE_URL": "postgresql+psycopg://x@h/db"})
    assert settings.port == 9090 and settings.enable_dynamic_port is True
    assert settings.context_path == "/seatunnel"
    assert settings.history_job_expire_minutes == 5 and settings.slots == 3
    assert settings.log_dir == str(tmp_path / "logs") and settings.job_log_console is False
    assert settings.node_tags == {"zone": "a", "rack": "1"}
    assert settings.database_url == "postgresql+psycopg://x@h/db"
    assert "admin" not in repr(settings).split("basic_auth_username")[1].split(",")[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seatunnel: {engine: {http: {port: abc}}}", "http.port must be a int"),
        ("seatunnel: {engine: {http: {port: 0}}}", "http.port must be between 1 and 65535"),
        ("seatunnel: {engine: {worker: {slots: 0}}}", "worker.slots must be at least 1"),
        ("seatunnel: [", "invalid YAML"),
    ],
)
def test_invalid_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(_write(tmp_path, text), env={})


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_secret_from_env_body_limit_and_node_address(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
seatunnel:
  engine:
    http: {port: 8123, enable-basic-auth: true, basic-auth-password: in-file, max-request-size-mb: 2}
""",
    )
    settings = load_settings(path, env={"SEATUNNEL_BASIC_AUTH_PASSWORD": "from-env"})
    assert settings.basic_auth_password == "from-env"
    assert "from-env" not in repr(settings)
    assert settings.max_body_bytes == 2 * 1024 * 1024
    # bound to every address: other nodes reach this one by host name, never "localhost"
    assert settings.node_id == f"{socket.gethostname()}:8123"
    bound = _write(tmp_path, "seatunnel: {engine: {http: {port: 8123, host: 10.1.2.3}}}")
    assert load_settings(bound, env={}).node_id == "10.1.2.3:8123"
    told = "seatunnel: {engine: {http: {port: 8123, advertised-host: node-a.example}}}"
    assert load_settings(_write(tmp_path, told), env={}).node_id == "node-a.example:8123"


def test_limits_and_allowed_paths(tmp_path: Path) -> None:
    from app.engine import Limits

    default = load_settings(_write(tmp_path, "seatunnel: {engine: {}}"), env={})
    assert default.limits == Limits(allowed_paths=(str(tmp_path / "var" / "data"), "/tmp"))
    shipped = load_settings(env={})
    root = Path(__file__).resolve().parents[2]
    assert shipped.limits == Limits(allowed_paths=(str(root / "var" / "data"), "/tmp"))
    path = _write(
        tmp_path,
        """
seatunnel:
  engine:
    security:
      allowed-paths: [data, /srv/out]
    limits:
      config-max-bytes: 2048
      string-length: "100"
      delay-ms: 5
""",
    )
    settings = load_settings(path, env={})
    assert settings.limits == Limits(
        config_max_bytes=2048,
        string_length=100,
        delay_ms=5,
        allowed_paths=(str(tmp_path / "data"), "/srv/out"),
    )
    settings = load_settings(path, env={"SEATUNNEL_ALLOWED_PATHS": "/a,b"})
    assert settings.limits.allowed_paths == ("/a", str(tmp_path / "b"))
    for text, message in [
        ("limits: {type-depth: 0}", "seatunnel.engine.limits.type-depth must be at least 1"),
        ("limits: {fields: x}", "seatunnel.engine.limits.fields must be a int, got 'x'"),
        ("security: {allowed-paths: 5}", "seatunnel.engine.security.allowed-paths must be a list"),
    ]:
        with pytest.raises(SettingsError) as info:
            load_settings(_write(tmp_path, f"seatunnel: {{engine: {{{text}}}}}"), env={})
        assert str(info.value).startswith(message)
