"""API throughput under `seatunnel-rest serve`, telemetry off and on, beside a bare Flask app (wrk).

For each database (SQLite, and PostgreSQL with --database-url) and each telemetry setting:
(1) GET /job-info/:id of a finished job, as a ratio of the bare one-route Flask app under the same
    gunicorn (gthread, 2 workers, as many threads as `serve`), measured in the same run;
(2) POST /submit-job accepted jobs/s (wrk), while /metrics is scraped every second; then every
    accepted job must be stored and FINISHED with exact row counts, and the last scrape's job
    and request counters must add up to what was submitted;
then (3) RSS of master + workers after 100 and after --memory-jobs small jobs (telemetry on).
Every server is stopped (its whole process group) even when a step fails.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa

from app.config import Settings
from bench.common import (
    ROOT,
    Running,
    free_port,
    small_job,
    start_serve,
    stop_group,
    wait_final,
    wait_until_up,
)

DURATION_S = 8
THREADS = Settings().threads  # the bare app runs under the same gunicorn settings as serve
ROUNDS = 3  # alternating rounds of ROUND_S seconds (the machine's speed drifts)
ROUND_S = 4
CONNECTIONS = 32
ROWS = 5  # rows of each small job, checked in every stored job's metrics


def wrk(url: str, script: Path | None = None, seconds: int = DURATION_S) -> dict:
    """Run wrk against `url`; requests/s, total and non-2xx counts."""
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "total": int(re.search(r"(\d+) requests in", out).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "timeouts": int(errors.group(4)) if errors else 0,
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1),
    }


@contextmanager
def bare_app():
    """The one-route Flask app under the gunicorn `serve` runs (gthread, 2 workers, its
    default threads per worker); yields its URL."""
    port = free_port()
    output = Path(tempfile.mkstemp(prefix="bare-")[1])
    with output.open("w") as sink:
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
                str(THREADS),
            ]
            + ["-b", f"127.0.0.1:{port}", "bench.bare_app:app"],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/job-info/933584788375666689"
    try:
        wait_until_up(url, process, output)
        yield url
    finally:
        stop_group(process)


INFO_PAIRS = 4  # job-info: bare/ours rounds of INFO_ROUND_S in ABBA order
INFO_ROUND_S = 2


def beside_bare(bare_url: str, url: str) -> tuple[dict, float]:
    """`url` and the bare app measured in alternating rounds, in ABBA order (bare, ours, ours,
    bare, ...: this machine's speed drifts within seconds, and a drift then weighs on both
    sides alike): the last round's figures, and `url`'s requests over the bare app's."""
    wrk(bare_url, seconds=2)  # warm-up
    wrk(url, seconds=2)
    ours = bare = 0
    result: dict = {}
    for pair in range(INFO_PAIRS):
        order = (bare_url, url) if pair % 2 == 0 else (url, bare_url)
        for target in order:
            measured = wrk(target, seconds=INFO_ROUND_S)
            if target == bare_url:
                bare += measured["total"]
            else:
                ours += measured["total"]
                result = measured
    return result, ours / bare


class Scraper(threading.Thread):
    """Scrapes /metrics every second; keeps the last text and any failure."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.scrapes = 0
        self.failures: list[str] = []
        self.last = ""

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.scrape()

    def scrape(self) -> None:
        try:
            response = requests.get(f"{self.url}/metrics", timeout=30)
        except requests.RequestException as exc:
            self.failures.append(type(exc).__name__)
            return
        if response.status_code != 200 or "job_count" not in response.text:
            self.failures.append(f"HTTP {response.status_code}")
            return
        self.scrapes += 1
        self.last = response.text


def metric_sum(text: str, name: str, **labels: str) -> float:
    """Sum of a family's samples whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{key}="{val}"' in head for key, val in labels.items()):
            total += float(value)
    return total


@contextmanager
def database(url: str | None):
    """A fresh PostgreSQL database for one server (dropped after), or None for SQLite."""
    if url is None:
        yield None
        return
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"bench_api_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def store_engine(server: Running, url: str | None) -> sa.Engine:
    """An engine on the server's job store."""
    return sa.create_engine(url or f"sqlite:///{server.directory / 'var' / 'seatunnel.db'}")


def wait_all_final(engine: sa.Engine, timeout: float = 600) -> None:
    """Until no job is PENDING or RUNNING."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            busy = conn.execute(
                sa.text("select count(*) from jobs where status in ('PENDING', 'RUNNING')")
            ).scalar_one()
        if busy == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("jobs still running")


def check_stored(engine: sa.Engine) -> dict:
    """Every stored job: how many, how many FINISHED, and how many with exact row counts."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select status, metrics from jobs")).all()
    exact = sum(
        1
        for row in rows
        if row.metrics and int(json.loads(row.metrics).get("SinkWriteCount", -1)) == ROWS
    )
    finished = sum(1 for row in rows if row.status == "FINISHED")
    return {"stored": len(rows), "finished": finished, "exact": exact}


def submit_script(server: Running) -> Path:
    """A wrk script that POSTs the small job."""
    script = server.directory / "submit.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps(small_job(ROWS)))}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return script


def measure_pair(database_urls: tuple[str | None, str | None], bare_url: str) -> dict:
    """Two fresh servers, telemetry off and on, measured in alternating rounds: job-info beside
    the bare app, then POST /submit-job (each round waits until the jobs before it ended),
    with /metrics of the telemetry-on server scraped every second; then the checks."""
    servers: dict[bool, Running] = {}
    engines: dict[bool, sa.Engine] = {}
    try:
        for telemetry, url in zip((False, True), database_urls, strict=True):
            servers[telemetry] = start_serve(url, telemetry=telemetry)
            engines[telemetry] = store_engine(servers[telemetry], url)
        result: dict = {True: {}, False: {}}
        for telemetry, server in servers.items():
            http = requests.Session()
            job_id = http.post(f"{server.url}/submit-job", json=small_job(ROWS)).json()["jobId"]
            wait_final(http, server.url, job_id)
            info, ratio = beside_bare(bare_url, f"{server.url}/job-info/{job_id}")
            result[telemetry].update(info=info, ratio=ratio, accepted=0, seconds=0, non2xx=0)
            result[telemetry]["timeouts"] = 0
        scraper = Scraper(servers[True].url)
        scraper.start()
        for _ in range(ROUNDS):
            for telemetry, server in servers.items():
                submit = wrk(f"{server.url}/submit-job", submit_script(server), ROUND_S)
                wait_all_final(engines[telemetry])
                figures = result[telemetry]
                figures["accepted"] += submit["total"] - submit["non2xx"]
                figures["seconds"] += ROUND_S
                figures["non2xx"] += submit["non2xx"]
                figures["timeouts"] += submit["timeouts"]
        scraper.stop.set()
        scraper.join()
        scraper.scrape()  # after every job ended: the counters must add up exactly
        for telemetry in servers:
            result[telemetry].update(check_stored(engines[telemetry]))
        result[True].update(
            scrapes=scraper.scrapes,
            scrape_failures=scraper.failures,
            scraped_jobs=metric_sum(scraper.last, "job_count"),
            scraped_finished=metric_sum(scraper.last, "job_count", type="finished"),
            scraped_submits=metric_sum(
                scraper.last,
                "seatunnel_http_requests_total",
                method="POST",
                endpoint="/submit-job",
                status="200",
            ),
        )
        return result
    finally:
        for engine in engines.values():
            engine.dispose()
        for server in servers.values():
            server.stop()


def submit_many(url: str, count: int) -> None:
    """Submit `count` small jobs from 16 client threads."""
    body = small_job(ROWS)

    def one(_: int) -> None:
        response = requests.post(f"{url}/submit-job", json=body, timeout=60)
        response.raise_for_status()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(count)))


def measure_memory(database_url: str | None, jobs: int) -> dict:
    """RSS of master + workers after 100 jobs and after `jobs` jobs (telemetry on)."""
    server = start_serve(database_url, telemetry=True)
    engine = store_engine(server, database_url)
    try:
        idle = server.rss_mib()
        submit_many(server.url, 100)
        wait_all_final(engine)
        requests.get(f"{server.url}/metrics", timeout=30)
        after_100 = server.rss_mib()
        submit_many(server.url, jobs - 100)
        wait_all_final(engine)
        requests.get(f"{server.url}/metrics", timeout=30)
        after_all = server.rss_mib()
        return {
            "idle": idle,
            "after_100": after_100,
            "after_all": after_all,
            **check_stored(engine),
        }
    finally:
        engine.dispose()
        server.stop()


def report(label: str, telemetry: bool, result: dict) -> None:
    """Print one server's figures."""
    info, accepted = result["info"], result["accepted"]
    state = "on " if telemetry else "off"
    print(
        f"{label:10} telemetry {state}  job-info {info['rps']:7.0f} req/s"
        f" ({result['ratio']:.2f} of bare, p50 {info['p50']})"
        f"  submit {accepted / result['seconds']:5.0f} accepted jobs/s"
    )
    # wrk counts the answers it read before its time ran out; requests still in flight then
    # were accepted and stored too, so every accepted one is stored and nothing else is lost
    stored = result["stored"]
    whole = stored == result["finished"] == result["exact"] and stored >= accepted + 1
    print(
        f"{'':10}   accepted {accepted} (+1 for job-info), non-2xx {result['non2xx']}, timeouts"
        f" {result['timeouts']}; stored {stored}, FINISHED {result['finished']},"
        f" exact counts {result['exact']}: {'ok' if whole else 'BAD'}"
    )
    if telemetry:
        counted = (
            result["scraped_jobs"] == result["scraped_finished"] == stored
            and result["scraped_submits"] == stored
        )
        print(
            f"{'':10}   /metrics scraped {result['scrapes']}x, failures"
            f" {len(result['scrape_failures'])}; job_count {result['scraped_jobs']:.0f}"
            f" (finished {result['scraped_finished']:.0f}), POST /submit-job 200 counted"
            f" {result['scraped_submits']:.0f}: {'ok' if counted else 'BAD'}"
        )


def main() -> None:
    """Bare app, then each database with telemetry off and on, then memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="also run against this PostgreSQL (admin URL)")
    parser.add_argument("--memory-jobs", type=int, default=5000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()

    targets = [("SQLite", None)] + (
        [("PostgreSQL", args.database_url)] if args.database_url else []
    )
    with bare_app() as bare_url:
        print(
            f"job-info: {2 * INFO_PAIRS} rounds of {INFO_ROUND_S} s in ABBA order beside the bare"
            f" Flask app (gthread -w2 --threads {THREADS}, as serve);"
        )
        print(
            f"submit: {ROUNDS} alternating rounds of {ROUND_S} s on the telemetry-off and -on servers"
        )
        for label, url in targets:
            with database(url) as off_url, database(url) as on_url:
                pair = measure_pair((off_url, on_url), bare_url)
            for telemetry in (False, True):
                report(label, telemetry, pair[telemetry])
    if not args.skip_memory:
        with database(None) as db_url:
            memory = measure_memory(db_url, args.memory_jobs)
        print(
            f"RSS (SQLite, telemetry on): idle {memory['idle']:.0f} MiB, after 100 jobs"
            f" {memory['after_100']:.0f} MiB, after {args.memory_jobs} jobs"
            f" {memory['after_all']:.0f} MiB: {memory['after_all'] / memory['after_100']:.2f}x"
            f" (target <= 1.2); stored {memory['stored']}, exact {memory['exact']}"
        )


if __name__ == "__main__":
    main()
