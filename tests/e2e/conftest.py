"""Run a real `seatunnel-rest serve` (gunicorn, several workers) against the test database."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from tests.helpers import truncate_all


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server: its base URL, process and files."""

    url: str
    process: subprocess.Popen
    config_path: Path
    log_dir: Path
    output: Path

    def stop(self) -> None:
        """SIGTERM, then wait (gunicorn stops its workers gracefully); then make sure no worker
        of this server outlives the test (a killed master would leave them running)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        kill_group(self.process)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL what is left of the server's process group (it runs in a session of its own)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def write_config(directory: Path, database_url: str, port: int, **engine_overrides) -> Path:
    """A seatunnel.yaml for a test server."""
    engine = {
        "http": {"port": port, "host": "127.0.0.1"},
        "database": {"url": database_url},
        "worker": {"slots": 4, "processes": 2, "poll-interval-ms": 100},
        "log-dir": str(directory / "logs"),
    }
    for key, value in engine_overrides.items():
        if isinstance(value, dict) and isinstance(engine.get(key), dict):
            engine[key] = {**engine[key], **value}
        else:
            engine[key] = value
    path = directory / "seatunnel.yaml"
    path.write_text(yaml.safe_dump({"seatunnel": {"engine": engine}}))
    return path


def start_server(
    config_path: Path,
    base_path: str = "",
    timeout: float = 90.0,
    auth: tuple[str, str] | None = None,
) -> Server:
    """Start `seatunnel-rest serve --config ...` and wait until it answers."""
    output = config_path.parent / "server.out"
    engine = yaml.safe_load(config_path.read_text())["seatunnel"]["engine"]
    with output.open("w") as sink:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--config", str(config_path)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # its own process group: stop() can reap orphaned workers
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            kill_group(process)  # the master is gone; its workers may not be yet
            raise AssertionError(f"server exited: {output.read_text()}")
        announced = re.search(r"will start on port (\d+)", output.read_text())
        if announced is None:
            time.sleep(0.05)
            continue
        port = int(announced.group(1))  # with enable-dynamic-port it may differ from the config
        url = f"http://127.0.0.1:{port}{base_path}"
        try:
            if requests.get(f"{url}/overview", timeout=5, auth=auth).status_code == 200:
                return Server(url, process, config_path, Path(engine["log-dir"]), output)
        except (requests.ConnectionError, requests.Timeout):
            pass  # workers still booting (slow on a loaded machine): ask again
        time.sleep(0.1)
    process.kill()
    kill_group(process)
    process.wait()  # reaped here, not by the garbage collector during a later test
    raise AssertionError(f"server did not answer in {timeout}s: {output.read_text()}")


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    """One server with 2 worker processes on a clean database."""
    truncate_all(database_url)
    srv = start_server(write_config(tmp_path, database_url, free_port()))
    yield srv
    srv.stop()
