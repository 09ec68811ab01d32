"""schemathesis against a live server, driven by its own /openapi.json: a bounded number of
generated requests per operation; no 5xx, and every status, content type, header and body
conforms to the document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)


def test_generated_requests_get_conforming_answers(server: Server, tmp_path: Path) -> None:
    pytest.importorskip("schemathesis")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            "5",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "20261123",
            "--request-timeout",
            "20",
            "--no-color",
        ],
        cwd=tmp_path,  # its report and cache files stay out of the repository
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested: " in run.stdout
