"""End to end: a node restarts at once on the port it just served, and plain gunicorn
(`gunicorn wsgi:app -b HOST:PORT`) registers the address it really serves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import free_port, start_server, write_config
from tests.helpers import sample_config, truncate_all

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _traffic(url: str, count: int = 30) -> None:
    """Requests the server closes itself (Connection: close): its side lingers in TIME_WAIT."""
    for _ in range(count):
        response = requests.get(f"{url}/overview", headers={"Connection": "close"}, timeout=5)
        assert response.status_code == 200


def test_a_node_restarts_at_once_after_traffic(database_url: str, tmp_path: Path) -> None:
    truncate_all(database_url)
    config = write_config(tmp_path, database_url, free_port())
    first = start_server(config)
    try:
        _traffic(first.url)
    finally:
        first.stop()
    second = start_server(config)  # the same port, right away
    try:
        assert second.url == first.url
        _traffic(second.url, 3)
    finally:
        second.stop()


def _wait_answering(url: str, process: subprocess.Popen, output: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {output.read_text()}")
        try:
            if requests.get(f"{url}/overview", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer: {output.read_text()}")


def test_plain_gunicorn_registers_the_address_it_serves(database_url: str, tmp_path: Path) -> None:
    truncate_all(database_url)
    file_port, served_port = free_port(), free_port()
    assert file_port != served_port
    config = write_config(tmp_path, database_url, file_port)
    output = tmp_path / "gunicorn.out"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "-b",
                f"127.0.0.1:{served_port}",
                "-w",
                "2",
                "-k",
                "gthread",
                "--threads",
                "4",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "SEATUNNEL_CONFIG": str(config), "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{served_port}"
    try:
        _wait_answering(url, process, output)
        job_id = requests.post(f"{url}/submit-job", json=sample_config(), timeout=10).json()[
            "jobId"
        ]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = requests.get(f"{url}/job-info/{job_id}", timeout=5).json()
            if info.get("jobStatus") == "FINISHED":
                break
            time.sleep(0.1)
        assert info["jobStatus"] == "FINISHED"
        nodes = requests.get(f"{url}/system-monitoring-information", timeout=5).json()
        assert [(node["host"], node["port"]) for node in nodes] == [("127.0.0.1", str(served_port))]
        entries = requests.get(f"{url}/logs?format=json", timeout=10).json()
        links = [entry["logLink"] for entry in entries if job_id in entry["logName"]]
        assert links == [f"http://127.0.0.1:{served_port}/logs/job-{job_id}.log"]
        assert requests.get(links[0], timeout=5).status_code == 200
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
