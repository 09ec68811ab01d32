"""JobLogIT's console check on a real server: a job's lines reach the server's console output,
`[jobId] `-prefixed in SeaTunnel's console layout."""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.e2e.conftest import Server
from tests.helpers import sample_config

pytestmark = pytest.mark.e2e

JOB_ID = "862969647010611201"  # JobLogIT's CUSTOM_JOB_ID
# JobLogIT's two console patterns, then a printed row of the Console sink
PATTERNS = (
    rf"\[{JOB_ID}\].*INFO\s+\[.f.s.FakeSourceSplitEnumerator\].*Starting to calculate splits",
    rf"\[{JOB_ID}\].*INFO\s+\[.a.s.c.s.c.s.ConsoleSinkWriter\].*output rowType: "
    r"name<STRING>, age<INT>, card<INT>",
    rf"\[{JOB_ID}\].*INFO\s+\[.a.s.c.s.c.s.ConsoleSinkWriter\].*rowIndex=100:  "
    r"SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : ",
)
CONSOLE_LINE = re.compile(
    rf"^\[{JOB_ID}\] \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d{{3}} (INFO |WARN |ERROR) "
    r"\[.{30}\] \[[^\]]+\] - "
)


def test_job_lines_reach_the_server_console_with_the_job_id(server: Server) -> None:
    config = sample_config(rows=100)
    config["env"] = {"job.name": "test-job-log-file", "job.mode": "STREAMING"}
    response = requests.post(f"{server.url}/submit-job?jobId={JOB_ID}", json=config, timeout=10)
    assert response.json() == {"jobId": JOB_ID, "jobName": "test-job-log-file"}
    deadline = time.monotonic() + 60
    output = ""
    while time.monotonic() < deadline:
        output = server.output.read_text()
        if all(re.search(p, output) for p in PATTERNS):
            break
        time.sleep(0.2)
    missing = [p for p in PATTERNS if not re.search(p, output)]
    assert not missing, output[-4000:]
    stop = requests.post(f"{server.url}/stop-job", json={"jobId": JOB_ID}, timeout=10)
    assert stop.status_code == 200
    while time.monotonic() < deadline:  # the log is closed (and mirrored) before the end is stored
        info = requests.get(f"{server.url}/job-info/{JOB_ID}", timeout=10).json()
        if info["jobStatus"] == "CANCELED":
            break
        time.sleep(0.1)
    output = server.output.read_text()
    mirrored = [line for line in output.splitlines() if line.startswith(f"[{JOB_ID}] ")]
    assert all(CONSOLE_LINE.match(line) for line in mirrored)
    # every entry of the job's own log file, in the same order (no WARN here: all on stdout)
    log_text = (server.log_dir / f"job-{JOB_ID}.log").read_text()
    entries = [line for line in log_text.splitlines() if not line.startswith("    ")]
    assert [line.removeprefix(f"[{JOB_ID}] ") for line in mirrored] == entries
    assert any(line.endswith("end with state CANCELED") for line in mirrored)
