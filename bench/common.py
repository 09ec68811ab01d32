"""Benchmark helpers: start a real `seatunnel-rest serve` in a temporary directory, wait for it."""

from __future__ import annotations

import os
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
        """SIGTERM and wait."""
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_serve(database_url: str | None = None, processes: int = 2, slots: int = 4) -> Running:
    """Start `seatunnel-rest serve` on a free port with its own SQLite (or the given URL)."""
    directory = Path(tempfile.mkdtemp(prefix="seatunnel-bench-"))
    port = free_port()
    engine = {
        "http": {"port": port, "host": "127.0.0.1"},
        "database": {"url": database_url or "sqlite:///var/seatunnel.db"},
        "worker": {"processes": processes, "slots": slots},
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
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, directory / "server.out")
    return Running(url, process, directory, time.perf_counter() - started)


def wait_until_up(url: str, process: subprocess.Popen, output: Path, timeout: float = 120) -> None:
    """Poll until the server answers (raise with its output if it dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(output.read_text())
        try:
            requests.get(f"{url}/overview", timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):  # a loaded machine answers late
            time.sleep(0.01)
    raise RuntimeError(f"no answer from {url}")


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
