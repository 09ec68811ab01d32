"""Load seatunnel.yaml (plus environment overrides) into one typed, validated Settings object."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from app.engine.limits import YAML_KEYS as LIMIT_KEYS
from app.engine.limits import Limits

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
    # HTTP threads per worker: a submission mostly waits (for its group commit), and more
    # requests in flight share each commit (PostgreSQL, wrk -c32: 8 -> 16 threads, +30 % jobs/s)
    threads: int = 16
    log_dir: str = "var/logs"
    # mirror every job log line to the server's stdout/stderr, `[jobId] `-prefixed (SeaTunnel's
    # console appenders); the lines are masked as in the job log
    job_log_console: bool = True
    node_tags: dict[str, str] = field(default_factory=dict)
    max_body_bytes: int = 10 * 1024 * 1024
    # SeaTunnel 3.x limits (MiB; 0 or less: unlimited): /submit-job/upload, log file responses
    upload_max_file_size_mb: int = 10
    upload_max_request_size_mb: int = 10
    log_response_max_size_mb: int = 64
    # SeaTunnel 2.3.11 HTTPS (served by gunicorn's TLS; PEM files, see docs/compatibility.md)
    enable_http: bool = True
    enable_https: bool = False
    https_port: int = 8443
    key_store_path: str = ""
    key_store_password: str = field(default="", repr=False)
    key_manager_password: str = field(default="", repr=False)
    trust_store_path: str = ""
    trust_store_password: str = field(default="", repr=False)
    poll_interval_ms: int = 200
    metric_sample_interval_ms: int = 5000
    # /metrics/realtime (SeaTunnel 3.0): off answers 503 and stores no realtime points
    realtime_metrics_enabled: bool = True
    start_executor: bool = True
    config_path: str | None = None
    # job-config limits (seatunnel.engine.limits.*, security.allowed-paths), handed to the engine
    limits: Limits = field(default_factory=Limits)

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
    "http.upload-max-file-size-mb": ("upload_max_file_size_mb", int),
    "http.upload-max-request-size-mb": ("upload_max_request_size_mb", int),
    "http.log-response-max-size-mb": ("log_response_max_size_mb", int),
    "http.enable-http": ("enable_http", bool),
    "http.enable-https": ("enable_https", bool),
    "http.https-port": ("https_port", int),
    "http.key-store-path": ("key_store_path", str),
    "http.key-store-password": ("key_store_password", str),
    "http.key-manager-password": ("key_manager_password", str),
    "http.trust-store-path": ("trust_store_path", str),
    "http.trust-store-password": ("trust_store_password", str),
    "telemetry.metric.enabled": ("telemetry_enabled", bool),
    "database.url": ("database_url", str),
    "worker.slots": ("slots", int),
    "worker.processes": ("processes", int),
    "worker.threads": ("threads", int),
    "worker.poll-interval-ms": ("poll_interval_ms", int),
    "worker.metric-sample-interval-ms": ("metric_sample_interval_ms", int),
    "realtime-metrics.enabled": ("realtime_metrics_enabled", bool),
    "log-dir": ("log_dir", str),
    "job-log-console": ("job_log_console", bool),
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
    "SEATUNNEL_ALLOWED_PATHS": "security.allowed-paths",  # comma-separated
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
    values["limits"] = _limits(raw, config_path.parent)
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


DEFAULT_ALLOWED_PATHS = ("var/data", "/tmp")


def _limits(raw: dict[str, Any], base: Path) -> Limits:
    """The engine's Limits from `limits.*` and `security.allowed-paths` (relative to the file)."""
    changes: dict[str, Any] = {}
    for name, yaml_key in LIMIT_KEYS.items():
        key = f"limits.{yaml_key}"
        if key in raw:
            value = _coerce(key, raw[key], int)
            if value < 1:
                raise SettingsError(f"seatunnel.engine.{key} must be at least 1")
            changes[name] = value
    paths = raw.get("security.allowed-paths", list(DEFAULT_ALLOWED_PATHS))
    if isinstance(paths, str):
        paths = [p for p in paths.split(",") if p.strip()]
    if not isinstance(paths, list) or not all(isinstance(p, str) and p.strip() for p in paths):
        raise SettingsError("seatunnel.engine.security.allowed-paths must be a list of paths")
    changes["allowed_paths"] = tuple(_resolve(p.strip(), base) for p in paths)
    return Limits(**changes)


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
        (1 <= settings.https_port <= 65535, "http.https-port must be between 1 and 65535"),
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
