"""Settings: yaml keys, env overrides, relative paths, validation."""

from __future__ import annotations

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
    node-tags: {zone: a, rack: 1}
""",
    )
    settings = load_settings(path, env={"SEATUNNEL_DATABASE_URL": "postgresql+psycopg://x@h/db"})
    assert settings.port == 9090 and settings.enable_dynamic_port is True
    assert settings.context_path == "/seatunnel"
    assert settings.history_job_expire_minutes == 5 and settings.slots == 3
    assert settings.log_dir == str(tmp_path / "logs")
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
