"""Job log lines mirrored to the server's console: SeaTunnel's `[jobId] ` console layout,
stdout below WARN and stderr from WARN, batched, masked, and harmless when the console is gone."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.worker import console_mirror
from app.worker.console_mirror import ConsoleMirror
from app.worker.joblog import JobLog

WRITER = "org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter"


def _drain(fd: int) -> str:
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


Pipes = tuple[tuple[int, int], tuple[int, int]]  # (read, write) for stdout, for stderr


@pytest.fixture
def pipes() -> Iterator[Pipes]:
    out, err = os.pipe(), os.pipe()
    yield out, err
    for fd in (*out, *err):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_lines_reach_the_console_with_the_job_id_and_the_file_layout(
    tmp_path: Path, pipes: Pipes
) -> None:
    (out_r, out_w), (err_r, err_w) = pipes
    mirror = ConsoleMirror(862969647010611201, out_fd=out_w, err_fd=err_w)
    log = JobLog(
        tmp_path, 862969647010611201, mask=lambda s: s.replace("hunter2", "******"), console=mirror
    )
    log.write("output rowType: name<STRING>, age<INT>, card<INT>", logger=WRITER)
    log.write("password hunter2 in\ntwo lines")
    log.write("careful", level="WARN")
    assert _drain(out_r) == ""  # batched: nothing written per line
    log.close()
    out, err = _drain(out_r), _drain(err_r)
    file_lines = (tmp_path / "job-862969647010611201.log").read_text().splitlines()
    assert out.splitlines() + err.splitlines() == [
        f"[862969647010611201] {line}" if not line.startswith("    ") else line
        for line in file_lines
    ]
    assert re.search(
        r"^\[862969647010611201\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO\s+"
        r"\[.a.s.c.s.c.s.ConsoleSinkWriter\] \[[^\]]+\] - output rowType: name<STRING>",
        out,
        re.M,
    )
    assert "hunter2" not in out and "password ****** in\n    two lines" in out
    assert "careful" not in out and re.match(r"^\[862969647010611201\] .* WARN .*careful\n$", err)


def test_a_batch_is_written_once_it_is_old_or_large(
    tmp_path: Path, pipes: Pipes, monkeypatch: pytest.MonkeyPatch
) -> None:
    (out_r, out_w), (_, err_w) = pipes
    monkeypatch.setattr(console_mirror, "MAX_PENDING", 300)
    log = JobLog(tmp_path, 7, console=ConsoleMirror(7, out_fd=out_w, err_fd=err_w))
    log.write("x" * 100)
    assert _drain(out_r) == ""
    log.write("y" * 300)  # over MAX_PENDING: both lines in one write
    assert [line[-3:] for line in _drain(out_r).splitlines()] == ["xxx", "yyy"]
    log.write("idle")
    log._console._since -= console_mirror.MAX_DELAY_SECONDS  # age the batch
    log.flush_due()  # what the executor's housekeeping does for an idle job
    assert _drain(out_r).endswith(" - idle\n")
    log.close()


def test_a_console_that_cannot_be_written_never_fails_the_job(tmp_path: Path, pipes: Pipes) -> None:
    (out_r, out_w), (_, err_w) = pipes
    os.close(out_r)  # nobody reads: EPIPE (SIGPIPE is ignored by Python)
    mirror = ConsoleMirror(9, out_fd=out_w, err_fd=err_w)
    log = JobLog(tmp_path, 9, console=mirror)
    log.write("one")
    log.close()
    assert mirror.broken and log.error is None
    assert "one" in (tmp_path / "job-9.log").read_text()
