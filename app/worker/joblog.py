"""The per-job log file `job-<id>.log` under log-dir; the Console sink's rows land here too."""

from __future__ import annotations

import threading
import time
from pathlib import Path


def job_log_path(log_dir: str | Path, job_id: int) -> Path:
    """Where job `job_id` logs on this node."""
    return Path(log_dir) / f"job-{job_id}.log"


class JobLog:
    """Appends timestamped lines; buffered, flushed at least once a second and at close."""

    def __init__(self, log_dir: str | Path, job_id: int) -> None:
        path = job_log_path(log_dir, job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8", buffering=1 << 16)
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def write(self, message: str, level: str = "INFO") -> None:
        """Append one line (or several, if the message has newlines)."""
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        line = f"{stamp},{int(now * 1000) % 1000:03d} {level:<5} - {message}\n"
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
