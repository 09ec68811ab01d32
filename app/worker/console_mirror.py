"""Job log lines mirrored to the server's console, as SeaTunnel's console appenders print them.

SeaTunnel's config/log4j2.properties prints each line of a job on the server's console as
`[%X{ST-JID}] %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%-30.30c{1.}] [%t] - %m%n`: the job id in
brackets, then the same line as the job's own log file; levels below WARN go to stdout
(`consoleStdoutAppender`), WARN and above to stderr (`consoleStderrAppender`). JobLogIT looks
for a job's Console lines in the container's output this way.

Lines arrive already masked and on one line (JobLog does both). Each job collects its own
lines and writes them with one `os.write` per batch (when the oldest is MAX_DELAY_SECONDS old,
MAX_PENDING characters are waiting, or the log closes): no lock is shared between jobs and no
system call is made per row. A console that cannot be written (closed, a broken pipe) turns the
mirror off for that job; it never fails the job.
"""

from __future__ import annotations

import os

MAX_DELAY_SECONDS = 0.2
MAX_PENDING = 64 * 1024
_STDERR_LEVELS = frozenset({"WARN", "WARNING", "ERROR", "FATAL"})


class ConsoleMirror:
    """One job's pending console lines; the owner (JobLog) calls it under its own lock."""

    def __init__(self, job_id: int | str, out_fd: int = 1, err_fd: int = 2) -> None:
        self.prefix = f"[{job_id}] "
        self.out_fd = out_fd
        self.err_fd = err_fd
        self.broken = False
        self._out: list[str] = []
        self._err: list[str] = []
        self._pending = 0
        self._since: float | None = None  # when the oldest pending line was added

    def add(self, line: str, level: str, now: float) -> None:
        """Queue `line` (ending in a newline) and write the batch if it is due."""
        if self.broken:
            return
        (self._err if level in _STDERR_LEVELS else self._out).append(self.prefix + line)
        self._pending += len(line) + len(self.prefix)
        if self._since is None:
            self._since = now
        if self._pending >= MAX_PENDING or now - self._since >= MAX_DELAY_SECONDS:
            self.flush()

    def due(self, now: float) -> bool:
        """Whether lines have waited long enough to be written now."""
        return self._since is not None and now - self._since >= MAX_DELAY_SECONDS

    def flush(self) -> None:
        """Write what is pending: one write to stdout, one to stderr."""
        out, err = self._out, self._err
        self._out, self._err, self._pending, self._since = [], [], 0, None
        if self.broken:
            return
        try:
            if out:
                _write_all(self.out_fd, "".join(out))
            if err:
                _write_all(self.err_fd, "".join(err))
        except (OSError, ValueError):
            self.broken = True  # no console to write to: the job log file still has every line


def _write_all(fd: int, text: str) -> None:
    data = memoryview(text.encode("utf-8", "replace"))
    while data:
        written = os.write(fd, data)
        data = data[written:]
