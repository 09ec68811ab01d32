"""The web console in a real browser (headless Chromium through Playwright), against a live server:
overview, submit a streaming job from the form, watch its rows rise, stop it with a savepoint,
restore it, see it end in the finished list, and a typo showing the server's 400 message.
Screenshots of each page go to a temporary directory, or to docs/screenshots/ (where the README
shows them) with SEATUNNEL_SCREENSHOTS=1, so a test run leaves the repository as it was."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, free_port, start_server, write_config
from tests.helpers import truncate_all

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

STREAMING_HOCON = """env {
  job.mode = "STREAMING"
  checkpoint.interval = 500
}
source {
  FakeSource {
    plugin_output = "fake"
    # SeaTunnel's STREAMING FakeSource reads each split once: 1000 splits of 100 rows, one
    # every 100 ms, keep the rows rising for the whole walk-through
    row.num = 100000
    split.num = 1000
    split.read-interval = 100
    schema = { fields { id = "bigint", name = "string" } }
  }
}
transform {
  Filter {
    plugin_input = "fake"
    plugin_output = "kept"
    include_fields = [id, name]
  }
}
sink {
  Console {
    plugin_input = ["kept"]
    log.print.data = false
  }
}
"""


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; the module is skipped when neither it nor Playwright is installed."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def console_server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server with basic auth and a context path, sampling metrics every 300 ms."""
    truncate_all(database_url)
    config = write_config(
        tmp_path,
        database_url,
        free_port(),
        http={
            "context-path": "/seatunnel",
            "enable-basic-auth": True,
            "basic-auth-username": "ui",
            "basic-auth-password": "ui-secret",
        },
        worker={"metric-sample-interval-ms": 300},
    )
    srv = start_server(config, base_path="/seatunnel", auth=("ui", "ui-secret"))
    yield srv
    srv.stop()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots with SEATUNNEL_SCREENSHOTS=1, else a temp dir."""
    return DOCS_SCREENSHOTS if os.environ.get("SEATUNNEL_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def page(browser, console_server: Server, shots: Path):
    """A logged-in page at the console."""
    context = browser.new_context(
        http_credentials={"username": "ui", "password": "ui-secret"},
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.shots = shots
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def _shot(page, name: str) -> None:
    page.shots.mkdir(parents=True, exist_ok=True)
    path = page.shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0


def _rows(page) -> int:
    text = page.locator('[data-figure="readRows"]').inner_text()
    return int(text.replace(",", ""))


def test_console_walk_through(page, console_server: Server) -> None:
    base = console_server.url
    # an encoded fragment lands on the console route
    page.goto(f"{base}/%23/overview")
    assert page.url == f"{base}/#/overview"
    page.wait_for_selector('[data-figure="workers"]')
    assert page.locator('[data-figure="workers"]').inner_text() == "1"
    _shot(page, "overview")

    # a typo: the server's 400 message is shown next to the text
    page.goto(f"{base}/#/submit")
    page.fill("#submit-config", STREAMING_HOCON.replace("FakeSource", "FakeSorce"))
    page.click("#submit-button")
    error = page.locator("#submit-error")
    error.wait_for(state="visible")
    assert "FakeSorce" in error.inner_text() and error.inner_text().startswith("400")
    _shot(page, "submit-error")

    # submit a streaming job from the form
    page.fill("#submit-config", STREAMING_HOCON)
    page.fill("#submit-name", "console-stream")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*#/jobs/\d+$"))
    job_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector('[data-status="RUNNING"]')

    # its rows rise on the detail page, the DAG and the charts fill in
    page.wait_for_function(
        "() => Number(document.querySelector('[data-figure=\"readRows\"]')"
        "?.textContent.replace(/,/g, '')) > 0"
    )
    first = _rows(page)
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-figure=\"readRows\"]')"
        f".textContent.replace(/,/g, '')) > {first}"
    )
    assert page.locator("#job-dag [data-vertex]").count() == 3
    page.wait_for_function(
        "() => Number(document.querySelector('#chart-rows svg').dataset.points) >= 3"
    )
    assert page.locator("#chart-rows polyline").count() == 2
    page.wait_for_function(
        "() => document.querySelector('#job-log').textContent.includes('RUNNING')"
    )
    assert "Filter" in page.locator("#job-config").text_content()
    _shot(page, "job-running")

    # stop it with a savepoint
    page.click("#action-savepoint")
    page.wait_for_selector('[data-status="SAVEPOINT_DONE"]', timeout=30_000)
    page.wait_for_selector("#job-checkpoints td:text('savepoint')")
    before_restore = _rows(page)

    # restore it from that savepoint
    savepoint = page.locator("#restore-from option", has_text="savepoint").first
    page.select_option("#restore-from", savepoint.get_attribute("value"))
    page.click("#action-restore")
    page.wait_for_selector('[data-status="RUNNING"]', timeout=30_000)
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-figure=\"readRows\"]')"
        f".textContent.replace(/,/g, '')) > {before_restore}"
    )
    _shot(page, "job-restored")

    # force cancel asks first; keeping it running does nothing
    page.click("#action-cancel")
    page.wait_for_selector("#confirm[open]")
    _shot(page, "force-cancel-confirmation")
    page.click("#confirm-no")
    page.wait_for_timeout(500)
    assert page.locator(".job-head [data-status]").inner_text() == "RUNNING"

    # a plain stop ends it
    page.click("#action-stop")
    page.wait_for_selector('.job-head [data-status="CANCELED"]', timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('#job-log').textContent.includes('end with state CANCELED')"
    )
    log = page.locator("#job-log").text_content()
    assert log.count("Init JobMaster") == 2  # two runs, each line once however slow the tail
    _shot(page, "job-detail")

    # it is in the finished list, newest first, and the name filter finds it
    page.goto(f"{base}/#/jobs?state=finished")
    page.wait_for_selector(f'tr[data-job="{job_id}"]')
    assert page.locator(f'tr[data-job="{job_id}"] [data-status]').inner_text() == "CANCELED"
    page.fill("#filter-name", "console-str")
    page.press("#filter-name", "Enter")
    page.wait_for_url(re.compile(r".*name=console-str.*"))
    page.wait_for_selector(f'tr[data-job="{job_id}"]')
    _shot(page, "jobs")

    # workers: this node, its tags and figures
    page.goto(f"{base}/#/workers")
    page.wait_for_selector("section.worker dl.figures dt")
    _shot(page, "workers")

    # the API reference renders the spec
    page.goto(f"{base}/docs")
    page.wait_for_selector("details.op")
    assert page.locator("details.op").count() > 30
    _shot(page, "docs")
