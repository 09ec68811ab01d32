"""The per-job log file `job-<id>.log` under log-dir; the Console sink's rows land here too.

Lines follow SeaTunnel's per-job layout (config/log4j2.properties):
`%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%-30.30c{1.}] [%t] - %m%n`, i.e.
`2026-11-23 12:00:00,123 INFO  [.a.s.c.s.c.s.ConsoleSinkWriter] [job-slot-0] - output rowType: ...`.
Each line names a logger (SeaTunnel's class names, e.g. the Console sink writes as
`org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter`); a line is written
only if the Python logger of that name is enabled for its level, so `/loggers` can silence or
open a logger in job logs at run time.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache
from pathlib import Path

# the logger of lines that name none: job lifecycle lines, written by SeaTunnel's JobMaster
DEFAULT_LOGGER = "org.apache.seatunnel.engine.server.master.JobMaster"
# the configured ("file") level of every job-log logger, as SeaTunnel's log4j2.properties sets it
BASE_LOGGER = "org.apache.seatunnel"
BASE_LEVEL = logging.INFO
_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50}


def job_log_path(log_dir: str | Path, job_id: int) -> Path:
    """Where job `job_id` logs on this node."""
    return Path(log_dir) / f"job-{job_id}.log"


@lru_cache(maxsize=1024)
def abbreviate(name: str) -> str:
    """log4j's `%-30.30c{1.}`: packages to one letter, then the last 30 characters, padded."""
    parts = name.split(".")
    short = ".".join([p[:1] for p in parts[:-1]] + parts[-1:])
    return f"{short[-30:]:<30}"


_loggers: dict[str, logging.Logger] = {}


def _logger(name: str) -> logging.Logger:
    """logging.getLogger without its module lock on the per-line path (Console prints rows)."""
    found = _loggers.get(name)
    if found is None:
        found = _loggers[name] = logging.getLogger(name)
    return found


def ensure_base_level() -> None:
    """Give the job-log logger tree its configured level once (unless someone already set one)."""
    base = logging.getLogger(BASE_LOGGER)
    if base.level == logging.NOTSET:
        base.setLevel(BASE_LEVEL)


class JobLog:
    """Appends formatted lines; buffered, flushed at least once a second and at close."""

    def __init__(self, log_dir: str | Path, job_id: int) -> None:
        path = job_log_path(log_dir, job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        ensure_base_level()
        self._file = path.open("a", encoding="utf-8", buffering=1 << 16)
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def write(self, message: str, level: str = "INFO", logger: str | None = None) -> None:
        """Append one line (or several, if the message has newlines) as `logger` at `level`."""
        name = logger or DEFAULT_LOGGER
        level = level.upper()
        if not _logger(name).isEnabledFor(_LEVELS.get(level, logging.INFO)):
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        thread = threading.current_thread().name
        line = (
            f"{stamp},{int(now * 1000) % 1000:03d} {level:<5} [{abbreviate(name)}] [{thread}] - "
            f"{message}\n"
        )
        with self._lock:
            if self._file.closed:
                return
            self._file.write(line)
            if now - self._last_flush >= 1.0:
                self._file.flush()
                self._last_flush = now

    def close(self) -> None:
        """Flush and close; later writes are dropped."""
        with self._lock:
            if not self._file.closed:
                self._file.close()
