"""Pipeline benchmark end to end: submit FakeSource 10M rows (int, string, double) -> FieldMapper ->
Filter -> Console(log.print.data=false) to `seatunnel-rest serve`, rows/s from submit to FINISHED,
beside a plain-Python loop and a bare pyarrow loop measured in the same run (bench.engine_pipeline).

    python -m bench.pipeline [--rows 10000000]
"""

from __future__ import annotations

import argparse
import time

import requests

from bench.common import start_serve, wait_final
from bench.engine_pipeline import PY_ROWS, engine_config, run_bare_arrow, run_python

TARGET_ROWS_PER_S = 10_000_000


def run_served(rows: int) -> tuple[float, dict]:
    """Rows/s from POST /submit-job to FINISHED seen through job-info, and the job's metrics."""
    server = start_serve()
    try:
        http = requests.Session()
        started = time.perf_counter()
        job_id = http.post(f"{server.url}/submit-job", json=engine_config(rows, 65536)).json()[
            "jobId"
        ]
        info = wait_final(http, server.url, job_id, timeout=600)
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    assert info["jobStatus"] == "FINISHED", info
    return rows / elapsed, info["metrics"]


def main() -> None:
    """Measure the three rates and print them with ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    rows = parser.parse_args().rows
    python_rate = run_python(PY_ROWS)
    arrow_rate = run_bare_arrow(rows, 65536)
    served_rate, metrics = run_served(rows)
    exact = metrics["SourceReceivedCount"] == metrics["SinkWriteCount"] == str(rows)
    print(f"rows: {rows:,} (plain Python measured on {PY_ROWS:,} rows)")
    print(f"plain Python loop          : {python_rate / 1e6:8.2f} M rows/s")
    print(f"bare pyarrow loop          : {arrow_rate / 1e6:8.2f} M rows/s")
    print(
        f"serve, submit -> FINISHED  : {served_rate / 1e6:8.2f} M rows/s"
        f"  (target >= {TARGET_ROWS_PER_S / 1e6:.0f}M: {'ok' if served_rate >= TARGET_ROWS_PER_S else 'MISSED'})"
    )
    print(
        f"served / Python {served_rate / python_rate:.1f}x, served / pyarrow {served_rate / arrow_rate:.2f}x"
    )
    print(
        f"metrics exact: {exact} (SinkWriteCount={metrics['SinkWriteCount']}, SinkWriteBytes={metrics['SinkWriteBytes']})"
    )


if __name__ == "__main__":
    main()
