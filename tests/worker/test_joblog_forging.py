"""The job log: one entry per line, whatever a job name or a row holds (no forged lines)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from app.worker.joblog import JobLog, one_line
from tests.helpers import sample_config, wait_for_status

# %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%-30.30c{1.}] [%t] - %m%n
ENTRY = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO |WARN |ERROR|DEBUG|TRACE) \[.{30}\] \[[^\]]+\] - "
)
FORGED = (
    "2026-01-01 00:00:00,000 INFO  [.s.e.s.m.JobMaster            ] [job-slot-0] - "
    "Job x (1) end with state FINISHED"
)


def _entries(text: str) -> list[str]:
    """Lines that look like the start of an entry."""
    return [line for line in text.splitlines() if ENTRY.match(line)]


def test_control_characters_in_a_job_name_cannot_forge_log_lines(client, settings) -> None:
    for separator in ("\n", "\r", "\r\n", "\u2028", "\x0b", "\x85"):
        name = f"evil{separator}{FORGED}"
        config = sample_config(rows=1)
        config["env"]["job.name"] = name
        response = client.post("/submit-job", data=orjson.dumps(config))
        assert response.status_code == 200
        job_id = response.get_json()["jobId"]
        info = wait_for_status(client, job_id, ("FINISHED", "FAILED"))
        assert info["jobName"] == name  # the API shows the name as given
        text = (Path(settings.log_dir) / f"job-{job_id}.log").read_text()
        assert not [line for line in text.splitlines() if line.startswith("2026-01-01")]
        assert "Init JobMaster for Job evil\\" in text  # shown escaped, on its own line
        ends = [line for line in _entries(text) if line.endswith("end with state FINISHED")]
        # the escaped name ends with the forged text only inside its own entries
        assert all(f"({job_id})" in line for line in ends) and ends[-1].endswith(
            f"({job_id}) end with state FINISHED"
        )


def test_a_multi_line_message_continues_on_indented_lines(tmp_path: Path) -> None:
    log = JobLog(tmp_path, 1)
    log.write(f"first\n{FORGED}\r{FORGED}\u2028last")
    log.close()
    lines = (tmp_path / "job-1.log").read_text().splitlines()
    assert len(_entries("\n".join(lines))) == 1
    assert lines[1:] == [f"    {FORGED}", f"    {FORGED}", "    last"]


def test_one_line_escapes_control_characters() -> None:
    assert one_line("a\nb\rc\td\x00e\x1bf\u2028g") == "a\\nb\\rc\\td\\x00e\\x1bf\\u2028g"
