"""Job log lines in SeaTunnel's per-job layout, with the lines JobLogIT looks for."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import orjson

from app.engine.plugin import RunContext
from app.worker.joblog import JobLog, abbreviate
from tests.helpers import sample_config, wait_for_status

# %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%-30.30c{1.}] [%t] - %m%n
LAYOUT = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO |WARN |ERROR|DEBUG|TRACE) \[.{30}\] \[[^\]]+\] - "
)


def test_logger_names_are_shortened_as_log4j_does() -> None:
    assert (
        abbreviate("org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter")
        == ".a.s.c.s.c.s.ConsoleSinkWriter"
    )
    assert (
        abbreviate(
            "org.apache.seatunnel.connectors.seatunnel.fake.source.FakeSourceSplitEnumerator"
        )
        == ".f.s.FakeSourceSplitEnumerator"
    )
    assert abbreviate("org.apache.seatunnel.engine.server.master.JobMaster") == (
        "o.a.s.e.s.m.JobMaster         "
    )


def test_job_log_has_seatunnel_layout_and_joblogit_lines(client, settings) -> None:
    job_id = "862969647010611201"
    config = sample_config(rows=100)
    config["env"]["job.name"] = "test-job-log-file"
    response = client.post(f"/submit-job?jobId={job_id}", data=orjson.dumps(config))
    assert response.get_json() == {"jobId": job_id, "jobName": "test-job-log-file"}
    wait_for_status(client, job_id, ("FINISHED",))
    text = (Path(settings.log_dir) / f"job-{job_id}.log").read_text()
    for regex in (
        r"INFO\s+\[.f.s.FakeSourceSplitEnumerator\].*Starting to calculate splits",
        r"INFO\s+\[.a.s.c.s.c.s.ConsoleSinkWriter\].*output rowType: name<STRING>, age<INT>, card<INT>",
        r"INFO\s+\[o.a.s.e.s.m.JobMaster\s*\].*Init JobMaster for Job test-job-log-file "
        rf"\({job_id}\)",
    ):
        assert re.search(regex, text), regex
    lines = text.splitlines()
    assert all(LAYOUT.match(line) for line in lines), [x for x in lines if not LAYOUT.match(x)]
    # the same file through the API (JobLogIT's curl of /log/job-<id>.log)
    served = client.get(f"/log/job-{job_id}.log").data.decode()
    assert re.search(r"INFO\s+\[.a.s.c.s.c.s.ConsoleSinkWriter\].*output rowType", served)


def test_lines_follow_logger_levels(tmp_path) -> None:
    writer = "org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter"
    log = JobLog(tmp_path, 1)
    logger = logging.getLogger(writer)
    try:
        log.write("shown", logger=writer)
        logger.setLevel(logging.WARNING)
        log.write("hidden", logger=writer)
        log.write("warned", level="WARN", logger=writer)
    finally:
        logger.setLevel(logging.NOTSET)
        log.close()
    text = (tmp_path / "job-1.log").read_text()
    assert "shown" in text and "hidden" not in text and "WARN  [" in text


def test_plain_log_callables_still_work() -> None:
    lines: list[str] = []
    ctx = RunContext("BATCH", 1, lines.append)
    ctx.log("a")
    ctx.log("b", logger="org.x.Y")
    assert lines == ["a", "b"]
    named: list[tuple[str, str | None]] = []
    ctx = RunContext("BATCH", 1, lambda m, logger=None: named.append((m, logger)))
    ctx.log("c", logger="org.x.Y")
    assert named == [("c", "org.x.Y")]
