"""Benchmark helpers: start a real `seatunnel-rest serve` in a temporary directory, wait for it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    """A started server process and what it took to get an answer from it."""

    url: str
    process: subprocess.Popen
    directory: Path
    start_seconds: float

    def rss_mib(self) -> float:
        """Resident memory of the master and all its workers, MiB."""
        proc = psutil.Process(self.process.pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            total += child.memory_info().rss
        return total / 2**20

    def stop(self) -> None:
        """SIGTERM the server's process group and wait; SIGKILL what is left of it."""
        stop_group(self.process)


def stop_group(process: subprocess.Popen) -> None:
    """End a server started with `start_new_session`: master and every worker it forked, even
    workers whose master already died (they would keep claiming jobs and skew later runs)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(20)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(10)


def start_serve(
    database_url: str | None = None,
    processes: int = 2,
    slots: int = 4,
    telemetry: bool = False,
) -> Running:
    """Start `seatunnel-rest serve` on a free port with its own SQLite (or the given URL).

    The server runs in its own session (process group), so `stop()` reaches its workers too; a
    server that fails to come up is stopped before the error is raised.
    """
    directory = Path(tempfile.mkdtemp(prefix="seatunnel-bench-"))
    port = free_port()
    engine = {
        "http": {"port": port, "host": "127.0.0.1"},
        "database": {"url": database_url or "sqlite:///var/seatunnel.db"},
        "worker": {"processes": processes, "slots": slots},
        "telemetry": {"metric": {"enabled": telemetry}},
        "log-dir": "var/logs",
    }
    config = directory / "seatunnel.yaml"
    config.write_text(yaml.safe_dump({"seatunnel": {"engine": engine}}))
    started = time.perf_counter()
    with (directory / "server.out").open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--config", str(config)],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/overview", process, directory / "server.out")
    except BaseException:
        stop_group(process)
        raise
    return Running(url, process, directory, time.perf_counter() - started)


def wait_until_up(url: str, process: subprocess.Popen, output: Path, timeout: float = 120) -> None:
    """Poll `url` until it answers (raise with the server's output if it dies).

    Each poll may take as long as the whole wait has left: a busy machine answers late, and a
    short read timeout would turn a slow first answer into a crash.
    """
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if process.poll() is not None:
            raise RuntimeError(output.read_text())
        try:
            requests.get(url, timeout=max(left, 1))
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.05)
    raise RuntimeError(f"no answer from {url} in {timeout:.0f} s")


def small_job(rows: int = 5) -> dict:
    """The seed document's small FakeSource -> Console batch job."""
    return {
        "env": {"job.mode": "batch"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": rows,
                "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
            }
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": ["fake"], "log.print.data": False}],
    }


def wait_final(http: requests.Session, url: str, job_id: str, timeout: float = 60.0) -> dict:
    """Poll job-info until the job ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = http.get(f"{url}/job-info/{job_id}").json()
        if body.get("jobStatus") in ("FINISHED", "FAILED", "CANCELED", "SAVEPOINT_DONE"):
            return body
        time.sleep(0.002)
    raise RuntimeError(f"job {job_id} did not finish")
