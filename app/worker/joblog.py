"""The per-job log file `job-<id>.log` under log-dir; the Console sink's rows land here too.

Lines follow SeaTunnel's per-job layout (config/log4j2.properties):
`%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%-30.30c{1.}] [%t] - %m%n`, i.e.
`2026-11-23 12:00:00,123 INFO  [.a.s.c.s.c.s.ConsoleSinkWriter] [job-slot-0] - output rowType: ...`.
Each line names a logger (SeaTunnel's class names, e.g. the Console sink writes as
`org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter`); a line is written
only if the Python logger of that name is enabled for its level, so `/loggers` can silence or
open a logger in job logs at run time.

Whatever a message holds (a job name, a row value, a traceback) cannot start a line of its own:
continuation lines are indented, so nobody can forge a log entry. Secrets are masked before
anything is written, to the file or to the server's console (console_mirror.py: SeaTunnel's
`[jobId] `-prefixed console copy of every job line, `job-log-console` in seatunnel.yaml).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from app.worker.console_mirror import ConsoleMirror

# the logger of lines that name none: job lifecycle lines, written by SeaTunnel's JobMaster
DEFAULT_LOGGER = "org.apache.seatunnel.engine.server.master.JobMaster"
# the configured ("file") level of every job-log logger, as SeaTunnel's log4j2.properties sets it
BASE_LOGGER = "org.apache.seatunnel"
BASE_LEVEL = logging.INFO
_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50}

_CONTROL = {i: f"\\x{i:02x}" for i in range(32)} | {0x7F: "\\x7f"}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\x85"})
_LINE_BREAKS = {ord("\r"): "\n", 0x0B: "\n", 0x0C: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"}


class JobLogError(OSError):
    """The job log cannot be written (full disk, a log dir that is not a directory, ...)."""


def one_line(text: str) -> str:
    """`text` with control characters and line breaks escaped (for names inside a log line)."""
    return text.translate(_CONTROL)


def job_log_path(log_dir: str | Path, job_id: int) -> Path:
    """Where job `job_id` logs on this node."""
    return Path(log_dir) / f"job-{job_id}.log"


def _open(path: Path):  # a text file
    return open(path, "a", encoding="utf-8", errors="replace", buffering=1 << 16)


def _reason(exc: OSError) -> str:
    # strerror, not str(exc): the latter names the server's own paths
    return exc.strerror or type(exc).__name__


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
    """Appends timestamped lines; buffered, flushed at least once a second and at close.

    An OSError (at open, write, flush or close) is raised as JobLogError and remembered in
    `error`; the executor ends the job FAILED with its message. With `console`, every line is
    also mirrored to the server's console (a console that fails only stops the mirror).
    """

    def __init__(
        self,
        log_dir: str | Path,
        job_id: int,
        mask: Callable[[str], str] | None = None,
        console: ConsoleMirror | None = None,
    ) -> None:
        path = job_log_path(log_dir, job_id)
        self.name = path.name
        self.error: JobLogError | None = None
        self._mask = mask
        self._console = console
        self._lock = threading.Lock()
        self._last_flush = time.time()
        ensure_base_level()
        try:
            try:  # the log directory exists but for the first job (or after someone removed it)
                self._file = _open(path)
            except (FileNotFoundError, NotADirectoryError):
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = _open(path)
        except OSError as exc:
            raise self._fail(exc) from exc

    def _fail(self, exc: OSError) -> JobLogError:
        if self.error is None:
            self.error = JobLogError(f"Cannot write the job log {self.name}: {_reason(exc)}")
        return self.error

    def write(self, message: str, level: str = "INFO", logger: str | None = None) -> None:
        """Append one entry as `logger` at `level`; a multi-line message continues on indented
        lines."""
        name = logger or DEFAULT_LOGGER
        level = level.upper()
        if not _logger(name).isEnabledFor(_LEVELS.get(level, logging.INFO)):
            return
        if self._mask is not None:
            message = self._mask(message)
        message = message.translate(_LINE_BREAKS).rstrip("\n").replace("\n", "\n    ")
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        thread = threading.current_thread().name
        line = (
            f"{stamp},{int(now * 1000) % 1000:03d} {level:<5} [{abbreviate(name)}] [{thread}] - "
            f"{message}\n"
        )
        with self._lock:
            if self.error is not None:
                raise self.error
            if self._file.closed:
                return
            try:
                self._file.write(line)
                if now - self._last_flush >= 1.0:
                    self._file.flush()
                    self._last_flush = now
            except OSError as exc:
                raise self._fail(exc) from exc
            if self._console is not None:
                self._console.add(line, level, now)

    def flush_due(self) -> None:
        """Flush what has waited a second (the file) or MAX_DELAY_SECONDS (the console), so an
        idle job's last lines do not wait for its next one (the executor calls this)."""
        now = time.time()
        with self._lock:
            if self._file.closed or self.error is not None:
                return
            if self._console is not None and self._console.due(now):
                self._console.flush()
            if now - self._last_flush >= 1.0:
                try:
                    self._file.flush()
                except OSError as exc:
                    raise self._fail(exc) from exc
                self._last_flush = now

    def close(self) -> None:
        """Flush and close; later writes are dropped."""
        with self._lock:
            if self._file.closed:
                return
            if self._console is not None:
                self._console.flush()
            try:
                self._file.close()
            except OSError as exc:
                raise self._fail(exc) from exc
