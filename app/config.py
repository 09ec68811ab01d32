"""Load seatunnel.yaml (plus environment overrides) into one typed, validated Settings object."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

MASTER_PID_ENV = "SEATUNNEL_NODE_MASTER_PID"  # set by `serve` for its workers (node-wide figures)
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "seatunnel.yaml"


class SettingsError(ValueError):
    """The configuration file or an override is invalid; the message names the key."""


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from seatunnel.yaml; paths are already absolute."""

    database_url: str = "sqlite:///var/seatunnel.db"
    port: int = 8080
    host: str = "0.0.0.0"
    advertised_host: str = "localhost"
    context_path: str = ""
    enable_dynamic_port: bool = False
    port_range: int = 100
    enable_basic_auth: bool = False
    basic_auth_username: str = "admin"
    basic_auth_password: str = field(default="admin", repr=False)
    telemetry_enabled: bool = False
    history_job_expire_minutes: int = 1440
    slots: int = 4
    processes: int = 2
    threads: int = 8
    log_dir: str = "var/logs"
    node_tags: dict[str, str] = field(default_factory=dict)
    max_body_bytes: int = 10 * 1024 * 1024
    poll_interval_ms: int = 200
    metric_sample_interval_ms: int = 5000
    start_executor: bool = True
    config_path: str | None = None

    @property
    def node_id(self) -> str:
        """This server's address as other nodes and clients reach it."""
        return f"{self.advertised_host}:{self.port}"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use this)."""
        return replace(self, **changes)


# yaml path under seatunnel.engine -> (Settings field, type)
_KEYS: dict[str, tuple[str, type]] = {
    "history-job-expire-minutes": ("history_job_expire_minutes", int),
    "http.port": ("port", int),
    "http.host": ("host", str),
    "http.advertised-host": ("advertised_host", str),
    "http.context-path": ("context_path", str),
    "http.enable-dynamic-port": ("enable_dynamic_port", bool),
    "http.port-range": ("port_range", int),
    "http.enable-basic-auth": ("enable_basic_auth", bool),
    "http.basic-auth-username": ("basic_auth_username", str),
    "http.basic-auth-password": ("basic_auth_password", str),
    "http.max-request-size-mb": ("max_body_bytes", int),
    "telemetry.metric.enabled": ("telemetry_enabled", bool),
    "database.url": ("database_url", str),
    "worker.slots": ("slots", int),
    "worker.processes": ("processes", int),
    "worker.threads": ("threads", int),
    "worker.poll-interval-ms": ("poll_interval_ms", int),
    "worker.metric-sample-interval-ms": ("metric_sample_interval_ms", int),
    "log-dir": ("log_dir", str),
    "node-tags": ("node_tags", dict),
}

# environment variable -> yaml key
_ENV: dict[str, str] = {
    "SEATUNNEL_DATABASE_URL": "database.url",
    "SEATUNNEL_HTTP_PORT": "http.port",
    "SEATUNNEL_CONTEXT_PATH": "http.context-path",
    "SEATUNNEL_LOG_DIR": "log-dir",
    "SEATUNNEL_WORKER_SLOTS": "worker.slots",
    "SEATUNNEL_WORKER_PROCESSES": "worker.processes",
    "SEATUNNEL_BASIC_AUTH_PASSWORD": "http.basic-auth-password",
    "SEATUNNEL_HISTORY_JOB_EXPIRE_MINUTES": "history-job-expire-minutes",
}


def _flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path != "node-tags":
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def _coerce(key: str, value: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif kind is str:
        if value is None:
            return ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    elif kind is dict:
        if value is None:
            return {}
        if isinstance(value, dict):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
    raise SettingsError(f"seatunnel.engine.{key} must be a {kind.__name__}, got {value!r}")


def _resolve(path: str, base: Path) -> str:
    p = Path(path)
    return str(p if p.is_absolute() else (base / p).resolve())


def _resolve_db_url(url: str, base: Path) -> str:
    """Relative SQLite paths are taken relative to the config file, like log-dir."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + _resolve(url[len(prefix) :], base)
    return url


def load_settings(
    path: str | os.PathLike | None = None, env: dict[str, str] | None = None
) -> Settings:
    """Read the yaml file (default: SEATUNNEL_CONFIG, then ./seatunnel.yaml of the repo) and env overrides."""
    env = dict(os.environ) if env is None else env
    config_path = Path(path or env.get("SEATUNNEL_CONFIG") or DEFAULT_CONFIG).resolve()
    raw: dict = {}
    if config_path.exists():
        try:
            loaded = yaml.safe_load(config_path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{config_path}: invalid YAML: {exc}") from exc
        if not isinstance(loaded, dict):
            raise SettingsError(f"{config_path}: the top level must be a mapping")
        engine = (loaded.get("seatunnel") or {}).get("engine") or {}
        if not isinstance(engine, dict):
            raise SettingsError(f"{config_path}: seatunnel.engine must be a mapping")
        raw = _flatten(engine)
    elif path is not None:
        raise SettingsError(f"config file not found: {config_path}")
    for var, key in _ENV.items():
        if env.get(var):
            raw[key] = env[var]

    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _KEYS:
            name, kind = _KEYS[key]
            values[name] = _coerce(key, value, kind)
    if "max_body_bytes" in values:
        values["max_body_bytes"] = values["max_body_bytes"] * 1024 * 1024
    if not values.get("advertised_host"):
        values["advertised_host"] = default_advertised_host(values.get("host", Settings.host))
    base = config_path.parent
    settings = Settings(**values, config_path=str(config_path))
    settings = settings.with_overrides(
        log_dir=_resolve(settings.log_dir, base),
        database_url=_resolve_db_url(settings.database_url, base),
        context_path=normalize_context_path(settings.context_path),
    )
    validate(settings)
    return settings


def default_advertised_host(bind_host: str) -> str:
    """How other nodes reach this one when http.advertised-host is not set: the bind address if
    it is a specific one, else this machine's host name (two machines must never share a node id)."""
    if bind_host and bind_host not in ("0.0.0.0", "::"):
        return bind_host
    return socket.gethostname()


def normalize_context_path(path: str) -> str:
    """'' or '/x/y' (leading slash, no trailing slash)."""
    path = (path or "").strip().strip("/")
    return f"/{path}" if path else ""


def validate(settings: Settings) -> None:
    """Reject values that cannot work, naming the key."""
    checks = [
        (1 <= settings.port <= 65535, "http.port must be between 1 and 65535"),
        (settings.port_range >= 1, "http.port-range must be at least 1"),
        (settings.slots >= 1, "worker.slots must be at least 1"),
        (settings.processes >= 1, "worker.processes must be at least 1"),
        (settings.threads >= 1, "worker.threads must be at least 1"),
        (settings.history_job_expire_minutes >= 0, "history-job-expire-minutes must be >= 0"),
        (settings.poll_interval_ms >= 10, "worker.poll-interval-ms must be at least 10"),
        (
            settings.metric_sample_interval_ms >= 100,
            "worker.metric-sample-interval-ms must be at least 100",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise SettingsError(message)
