"""The command-line client (`seatunnel-rest job|cluster|config`) against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, free_port, start_server, write_config
from tests.helpers import truncate_all

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def cli(
    url: str, *args: str, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run `seatunnel-rest ARGS` against `url`."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, "SEATUNNEL_URL": url, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _status(url: str, job_id: str) -> str:
    return json.loads(cli(url, "job", "info", job_id, "--json").stdout)["jobStatus"]


def _wait_status(url: str, job_id: str, wanted: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _status(url, job_id) == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not reach {wanted}")


def test_submit_wait_finishes_with_progress_and_exit_0(server: Server) -> None:
    done = cli(
        server.url, "job", "submit", str(EXAMPLES / "batch.json"), "--name", "cli-batch", "--wait"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Submitted job ") and lines[0].endswith("(cli-batch)")
    assert lines[-1].startswith("FINISHED") and "read 100 rows" in lines[-1]
    assert "written 100 rows" in lines[-1] and "rows/s" in lines[-1]
    job_id = lines[0].split()[2]
    info = cli(server.url, "job", "info", job_id)
    assert info.returncode == 0
    assert "status:            FINISHED" in info.stdout and "rows written:      100" in info.stdout
    listing = cli(server.url, "job", "list", "--state", "finished")
    assert listing.stdout.splitlines()[0].split() == [
        "ID",
        "NAME",
        "STATUS",
        "CREATED",
        "FINISHED",
        "READ",
        "WRITTEN",
    ]
    assert job_id in listing.stdout and listing.stdout.rstrip().endswith("page 1 of 1 (1 jobs)")
    hocon = cli(server.url, "job", "submit", str(EXAMPLES / "batch.conf"), "--wait", "--json")
    assert hocon.returncode == 0, hocon.stderr
    assert json.loads(hocon.stdout.splitlines()[-1])["jobName"] == "demo-batch-hocon"


def test_errors_print_the_server_message_and_exit_non_zero(server: Server) -> None:
    typo = cli(server.url, "job", "submit", str(EXAMPLES / "typo.json"))
    assert typo.returncode == 1 and typo.stdout == ""
    assert typo.stderr == (
        "error: 400: Plugin 'FakeSorce' (source[0]): unknown plugin_name; known sources: FakeSource, Jdbc, LocalFile\n"
    )
    missing = cli(server.url, "job", "info", "123")
    assert missing.returncode == 1 and missing.stderr == "error: job 123 not found\n"
    bad_id = cli(server.url, "job", "stop", "abc")
    assert bad_id.returncode == 1 and bad_id.stderr == 'error: 400: For input string: "abc"\n'
    nofile = cli(server.url, "job", "submit", "nope.json")
    assert nofile.returncode == 1 and nofile.stderr.startswith("error: cannot read nope.json")
    down = cli(f"http://127.0.0.1:{free_port()}", "cluster", "overview")
    assert down.returncode == 1 and "cannot reach http://127.0.0.1:" in down.stderr


def test_stream_stop_with_savepoint_restore_and_force(server: Server) -> None:
    submitted = cli(server.url, "job", "submit", str(EXAMPLES / "streaming.conf"), "--json")
    job_id = json.loads(submitted.stdout)["jobId"]
    _wait_status(server.url, job_id, "RUNNING")
    running = cli(server.url, "job", "list", "--state", "running", "--json")
    assert [j["jobId"] for j in json.loads(running.stdout)["data"]] == [job_id]
    time.sleep(1)
    stop = cli(server.url, "job", "stop", job_id, "--savepoint")
    assert stop.stdout == f"Stop with a savepoint requested for job {job_id}\n"
    _wait_status(server.url, job_id, "SAVEPOINT_DONE")
    logs = cli(server.url, "job", "logs", job_id)
    assert f"Job demo-stream ({job_id}) end with state SAVEPOINT_DONE" in logs.stdout

    waiting = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "job",
            "submit",
            str(EXAMPLES / "streaming.conf"),
            "--id",
            job_id,
            "--restore",
            "--wait",
        ],
        cwd=ROOT,
        env={**os.environ, "SEATUNNEL_URL": server.url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_status(server.url, job_id, "RUNNING")
    follow = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "job", "logs", job_id, "--follow"],
        cwd=ROOT,
        env={**os.environ, "SEATUNNEL_URL": server.url},
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    assert cli(server.url, "job", "stop", job_id, "--force").returncode == 0
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 3, err  # the job ended, but not FINISHED
    assert out.splitlines()[-1].startswith("CANCELED")
    followed, _ = follow.communicate(timeout=60)
    assert f"Restoring job {job_id} from checkpoint" in followed
    assert followed.rstrip().endswith(f"Job demo-stream ({job_id}) end with state CANCELED")


def test_cluster_overview_and_config_encrypt(server: Server, tmp_path: Path) -> None:
    overview = cli(server.url, "cluster", "overview")
    assert overview.returncode == 0
    assert "workers:          1" in overview.stdout and "projectVersion:" in overview.stdout
    encrypted = cli(server.url, "config", "encrypt", str(EXAMPLES / "encrypt.json"))
    assert encrypted.returncode == 0, encrypted.stderr
    config = json.loads(encrypted.stdout)
    assert config["source"][0]["password"] == "czNjcmV0LXNvdXJjZQ=="
    assert "s3cret" not in encrypted.stdout
    target = tmp_path / "encrypted.json"
    target.write_text(encrypted.stdout)
    done = cli(server.url, "job", "submit", str(target), "--wait")
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_command_has_help_with_an_example() -> None:
    for command in (
        ["serve"],
        ["db"],
        ["job"],
        ["job", "submit"],
        ["job", "list"],
        ["job", "info"],
        ["job", "stop"],
        ["job", "logs"],
        ["cluster"],
        ["cluster", "overview"],
        ["config"],
        ["config", "encrypt"],
    ):
        shown = cli("http://unused", *command, "--help")
        assert shown.returncode == 0
        assert "example" in shown.stdout, command
        assert "_SUB" not in shown.stdout, command


@pytest.fixture
def auth_server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server with basic auth on."""
    truncate_all(database_url)
    config = write_config(
        tmp_path,
        database_url,
        free_port(),
        http={"enable-basic-auth": True, "basic-auth-username": "cli", "basic-auth-password": "pw"},
    )
    srv = start_server(config, auth=("cli", "pw"))
    yield srv
    srv.stop()


def test_basic_auth_from_the_environment(auth_server: Server) -> None:
    denied = cli(auth_server.url, "cluster", "overview")
    assert denied.returncode == 1 and denied.stderr == "error: 401: Unauthorized\n"
    allowed = cli(
        auth_server.url,
        "cluster",
        "overview",
        "--json",
        env={"SEATUNNEL_USER": "cli", "SEATUNNEL_PASSWORD": "pw"},
    )
    assert allowed.returncode == 0 and json.loads(allowed.stdout)["workers"] == "1"
