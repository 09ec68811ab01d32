"""Memory bench (issue 12): node RSS (master + workers) idle and after N small jobs.

Starts `seatunnel-rest serve` with telemetry on and SQLite, submits bench.common.small_job from
16 client threads, waits until the database holds no PENDING/RUNNING job, then measures.
Run: python -m bench.memory [--marks 100,1000,5000]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests
import yaml

from bench.common import ROOT, free_port, small_job, wait_until_up

CLIENTS = 16


def start(extra_env: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    """A server in its own session (so its whole process group can be killed at the end)."""
    directory = Path(tempfile.mkdtemp(prefix="seatunnel-mem-"))
    port = free_port()
    engine = {
        "http": {"port": port, "host": "127.0.0.1"},
        "database": {"url": "sqlite:///var/seatunnel.db"},
        "worker": {"processes": 2, "slots": 4},
        "telemetry": {"metric": {"enabled": True}},
        "log-dir": "var/logs",
    }
    config = directory / "seatunnel.yaml"
    config.write_text(yaml.safe_dump({"seatunnel": {"engine": engine}}))
    out = directory / "server.out"
    with out.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--config", str(config)],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **extra_env},
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, out)
    return process, url, directory


def node(process: subprocess.Popen) -> list[psutil.Process]:
    """The master and its workers."""
    master = psutil.Process(process.pid)
    return [master, *master.children(recursive=True)]


def figures(process: subprocess.Popen) -> dict:
    """RSS (MiB) of the node and of each process, threads and open files."""
    procs = node(process)
    per = [round(p.memory_info().rss / 2**20, 1) for p in procs]
    return {
        "rss_mib": round(sum(per), 1),
        "per_process": per,
        "threads": sum(p.num_threads() for p in procs),
        "fds": sum(p.num_fds() for p in procs),
    }


def drained(db: Path) -> None:
    """Wait until no job is PENDING or RUNNING."""
    while True:
        with sqlite3.connect(db) as conn:
            (busy,) = conn.execute(
                "SELECT count(*) FROM jobs WHERE status IN ('PENDING', 'RUNNING')"
            ).fetchone()
        if busy == 0:
            return
        time.sleep(0.2)


def submit(url: str, count: int) -> None:
    """POST `count` small jobs from CLIENTS threads."""
    body = small_job()

    def one_client(n: int) -> None:
        with requests.Session() as http:
            for _ in range(n):
                response = http.post(f"{url}/submit-job", json=body, timeout=60)
                response.raise_for_status()

    share = [count // CLIENTS + (1 if i < count % CLIENTS else 0) for i in range(CLIENTS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one_client, share))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--marks", default="100,1000,5000")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.env)
    process, url, directory = start(extra)
    db = directory / "var" / "seatunnel.db"
    try:
        time.sleep(3)
        print(f"idle: {figures(process)} load={os.getloadavg()[0]:.2f}", flush=True)
        done = 0
        for mark in (int(m) for m in args.marks.split(",")):
            started = time.perf_counter()
            submit(url, mark - done)
            drained(db)
            done = mark
            time.sleep(2)  # let the housekeeping flush settle
            took = time.perf_counter() - started
            print(
                f"{mark}: {figures(process)} load={os.getloadavg()[0]:.2f} ({took:.0f} s)",
                flush=True,
            )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
