"""Lifecycle latency: serve start -> first answer, idle memory, submit -> FINISHED, 20 jobs in a row.

Flink 2.3 figures measured on this same machine (issue 2): submit -> FINISHED 456 ms,
20 sequential jobs 11.1 s, start -> first answer 8.5 s, JobManager + TaskManager ~600 MiB.
"""

from __future__ import annotations

import statistics
import time

import requests

from bench.common import small_job, start_serve, wait_final

FLINK = {"submit_to_finished_ms": 456, "twenty_jobs_s": 11.1, "start_s": 8.5, "rss_mib": 600}


def main() -> None:
    """Run every measurement once against a fresh server and print them beside Flink's."""
    server = start_serve()
    try:
        time.sleep(2)  # let the workers settle before reading idle memory
        idle_rss = server.rss_mib()
        http = requests.Session()
        latencies = []
        for _ in range(30):
            begin = time.perf_counter()
            job_id = http.post(f"{server.url}/submit-job", json=small_job()).json()["jobId"]
            assert wait_final(http, server.url, job_id)["jobStatus"] == "FINISHED"
            latencies.append((time.perf_counter() - begin) * 1000)
        begin = time.perf_counter()
        for _ in range(20):
            job_id = http.post(f"{server.url}/submit-job", json=small_job()).json()["jobId"]
            wait_final(http, server.url, job_id)
        twenty = time.perf_counter() - begin
        busy_rss = server.rss_mib()
    finally:
        server.stop()
    median = statistics.median(latencies)
    rows = [
        ("submit -> FINISHED, median of 30 (ms)", median, FLINK["submit_to_finished_ms"], 50),
        ("20 jobs submitted and awaited in a row (s)", twenty, FLINK["twenty_jobs_s"], 1.5),
        ("serve start -> first answer (s)", server.start_seconds, FLINK["start_s"], 3),
        ("idle RSS, master + workers (MiB)", idle_rss, FLINK["rss_mib"], 200),
    ]
    print(f"{'measure':46} {'ours':>9} {'Flink':>8} {'ratio':>7} {'target':>7}")
    for name, ours, flink, target in rows:
        print(
            f"{name:46} {ours:9.2f} {flink:8.1f} {flink / ours:6.1f}x {target:7} {'ok' if ours <= target else 'MISSED'}"
        )
    print(f"RSS after 50 jobs (MiB): {busy_rss:.1f}; latency p90 {sorted(latencies)[26]:.1f} ms")


if __name__ == "__main__":
    main()
