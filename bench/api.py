"""API throughput under `seatunnel-rest serve`, beside a bare one-route Flask app, measured with wrk.

(1) GET /job-info/:id of a finished job vs the bare app under gunicorn -k gthread -w 2 --threads 8;
(2) POST /submit-job accepted jobs/s, then every accepted job is checked to be stored.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.common import ROOT, free_port, small_job, start_serve, wait_final

DURATION = "8s"
CONNECTIONS = "32"


def wrk(url: str, script: Path | None = None) -> dict:
    """Run wrk against `url`; requests/s, total and non-2xx counts."""
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "total": total,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1),
    }


def bare_baseline() -> dict:
    """The one-route Flask app under gunicorn gthread, 2 workers, 8 threads."""
    port = free_port()
    out = Path(tempfile.mkstemp(prefix="bare-")[1])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-k",
            "gthread",
            "-w",
            "2",
            "--threads",
            "8",
            "-b",
            f"127.0.0.1:{port}",
            "bench.bare_app:app",
        ],
        cwd=ROOT,
        stdout=out.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/job-info/1", timeout=0.5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        return wrk(f"{url}/job-info/933584788375666689")
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    """Measure the bare app, then job-info and submit on our server, and print the ratios."""
    bare = bare_baseline()
    server = start_serve()
    try:
        http = requests.Session()
        job_id = http.post(f"{server.url}/submit-job", json=small_job()).json()["jobId"]
        wait_final(http, server.url, job_id)
        info = wrk(f"{server.url}/job-info/{job_id}")

        script = server.directory / "submit.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(json.dumps(small_job()))}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        engine = sa.create_engine(f"sqlite:///{server.directory / 'var' / 'seatunnel.db'}")
        with engine.connect() as conn:
            before = conn.execute(sa.text("select count(*) from jobs")).scalar_one()
        submit = wrk(f"{server.url}/submit-job", script)
        with engine.connect() as conn:
            stored = conn.execute(sa.text("select count(*) from jobs")).scalar_one() - before
        engine.dispose()
    finally:
        server.stop()
    accepted = submit["total"] - submit["non2xx"]
    seconds = float(DURATION.rstrip("s"))
    print(f"bare Flask app (gthread -w2 --threads 8): {bare['rps']:9.0f} req/s  p50 {bare['p50']}")
    print(
        f"GET /job-info/:id (serve):               {info['rps']:9.0f} req/s  p50 {info['p50']}"
        f"  ratio {info['rps'] / bare['rps']:.2f} (target >= 0.80)"
    )
    print(
        f"POST /submit-job (serve):                {accepted / seconds:9.0f} accepted jobs/s"
        f"  p50 {submit['p50']}  (target >= 300)"
    )
    print(
        f"accepted {accepted}, stored {stored}, non-2xx {submit['non2xx']},"
        f" timeouts {submit['timeouts']}: {'every accepted job stored' if stored >= accepted else 'LOST JOBS'}"
    )


if __name__ == "__main__":
    main()
