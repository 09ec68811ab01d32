"""GET /job-info/<id> below Flask (issue 12): the same answer as the Flask view, for every kind
of job and id, under a context path, counted by the request metrics; anything else is Flask's."""

from __future__ import annotations

import orjson
import pytest

from app import create_app
from app.api.fast_job_info import FastJobInfo
from tests.helpers import sample_config, wait_for_status


def _answer(response) -> tuple:
    body = orjson.loads(response.get_data())
    body.get("diagnostics", {}).pop("generatedAt", None)  # the moment of each answer
    length = int(response.headers["Content-Length"])
    assert length == len(response.get_data())
    return response.status_code, response.headers.get("Content-Type"), body


@pytest.fixture
def telemetry_app(settings):
    application = create_app(settings.with_overrides(telemetry_enabled=True))
    yield application
    state = application.extensions["seatunnel"]
    state.executor.stop()
    state.db.dispose()


def test_the_fast_path_answers_what_the_view_answers(telemetry_app) -> None:
    assert isinstance(telemetry_app.wsgi_app.wsgi_app, FastJobInfo)  # inside the metrics
    client = telemetry_app.test_client()
    finished = client.post("/submit-job", json=sample_config()).get_json()["jobId"]
    wait_for_status(client, finished, ("FINISHED",))
    ids = [finished, "1", "0", "007", str(2**63 - 1)]
    for job_id in ids:
        fast = client.get(f"/job-info/{job_id}")
        view = client.get(f"/running-job/{job_id}")  # the same view, through Flask
        assert _answer(fast) == _answer(view), job_id
    assert client.get(f"/job-info/{finished}").get_json()["jobStatus"] == "FINISHED"
    # forms the fast path leaves to Flask: its own 400s
    for raw in ("+12", "-3", "abc", str(2**63), "12/x", "１２"):
        response = client.get(f"/job-info/{raw}")
        assert response.status_code in (200, 400), raw
        assert response.headers["Content-Type"] == "application/json"
    assert client.get(f"/job-info/{2**63}").status_code == 400
    head = client.head(f"/job-info/{finished}")
    assert head.status_code == 200 and head.headers["Content-Type"] == "application/json"
    client.get("/metrics")  # the scraping process writes its counts first
    text = client.get("/metrics").get_data(as_text=True)
    line = next(
        line
        for line in text.splitlines()
        if line.startswith("seatunnel_http_requests_total{")
        and 'endpoint="/job-info/<path:raw>"' in line
        and 'method="GET"' in line
        and 'status="200"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) >= len(ids) + 1 + 4  # + the waits' polls, the 200s


def test_a_pending_job_and_a_context_path(settings) -> None:
    application = create_app(
        settings.with_overrides(context_path="/seatunnel", start_executor=False)
    )
    try:
        client = application.test_client()
        job_id = client.post("/seatunnel/submit-job", json=sample_config()).get_json()["jobId"]
        fast = client.get(f"/seatunnel/job-info/{job_id}")
        assert fast.get_json()["jobStatus"] == "PENDING"
        assert _answer(fast) == _answer(client.get(f"/seatunnel/running-job/{job_id}"))
        assert client.get(f"/job-info/{job_id}").status_code == 404  # outside the context path
    finally:
        application.extensions["seatunnel"].db.dispose()


def test_a_failure_is_answered_by_flask(settings, monkeypatch) -> None:
    application = create_app(settings.with_overrides(start_executor=False))
    try:
        client = application.test_client()

        def broken(db, job_id):
            raise RuntimeError("database went away")

        monkeypatch.setattr("app.services.jobs.job_info", broken)
        response = client.get("/job-info/12")
        assert response.status_code == 500
        assert response.headers["Content-Type"] == "application/json"
        assert "database went away" not in response.get_data(as_text=True)
    finally:
        application.extensions["seatunnel"].db.dispose()


def test_basic_auth_keeps_every_request_in_flask(settings) -> None:
    application = create_app(
        settings.with_overrides(
            start_executor=False, enable_basic_auth=True, basic_auth_password="s3cret"
        )
    )
    try:
        assert not isinstance(application.wsgi_app, FastJobInfo)
        assert application.test_client().get("/job-info/12").status_code == 401
    finally:
        application.extensions["seatunnel"].db.dispose()
