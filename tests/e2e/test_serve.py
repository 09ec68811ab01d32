"""End to end: `seatunnel-rest serve` with 2 gunicorn workers, many concurrent submissions."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import sample_config

pytestmark = pytest.mark.e2e


def _wait_all_final(url: str, ids: list[str], timeout: float = 60.0) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    done: dict[str, dict] = {}
    with requests.Session() as http:
        while time.monotonic() < deadline and len(done) < len(ids):
            for job_id in ids:
                if job_id not in done:
                    body = http.get(f"{url}/job-info/{job_id}", timeout=5).json()
                    if body.get("jobStatus") in ("FINISHED", "FAILED", "CANCELED"):
                        done[job_id] = body
            time.sleep(0.05)
    missing = [job_id for job_id in ids if job_id not in done]
    assert not missing, f"{len(missing)} jobs did not finish"
    return done


def test_fifty_concurrent_jobs_all_finish_with_exact_counts(server) -> None:
    def submit(i: int) -> tuple[int, dict]:
        response = requests.post(
            f"{server.url}/submit-job?jobName=job-{i}", json=sample_config(rows=i + 1), timeout=30
        )
        assert response.status_code == 200, response.text
        return i, response.json()

    with ThreadPoolExecutor(max_workers=16) as pool:
        submitted = list(pool.map(submit, range(50)))
    ids = [body["jobId"] for _, body in submitted]
    assert len(set(ids)) == 50
    results = _wait_all_final(server.url, ids)
    for i, body in submitted:
        info = results[body["jobId"]]
        assert info["jobStatus"] == "FINISHED", info
        assert info["jobName"] == f"job-{i}"
        assert info["metrics"]["SourceReceivedCount"] == str(i + 1)
        assert info["metrics"]["SinkWriteCount"] == str(i + 1)
    finished = requests.get(f"{server.url}/finished-jobs/FINISHED", timeout=10).json()
    assert sorted(job["jobId"] for job in finished) == sorted(ids)
    overview = requests.get(f"{server.url}/overview", timeout=10).json()
    assert overview["finishedJobs"] == "50" and overview["runningJobs"] == "0"
    assert overview["workers"] == "1" and overview["totalSlot"] == "8"
    # the jobs were spread over both worker processes: each wrote its own logs
    logs = list(server.log_dir.glob("job-*.log"))
    assert len(logs) == 50


def test_hocon_submit_and_clean_shutdown(server) -> None:
    hocon = 'env { job.mode = "batch" }\nsource { FakeSource { row.num = 3, schema { fields { a = "bigint" } } } }\nsink { Console {} }'
    response = requests.post(f"{server.url}/submit-job?format=hocon", data=hocon, timeout=10)
    assert response.status_code == 200, response.text
    results = _wait_all_final(server.url, [response.json()["jobId"]])
    assert next(iter(results.values()))["metrics"]["SinkWriteCount"] == "3"
    server.stop()
    assert server.process.returncode == 0
