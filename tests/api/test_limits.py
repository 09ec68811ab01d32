"""SeaTunnel 3.x: force stop during DOING_SAVEPOINT ends CANCELED; upload and log response limits."""

from __future__ import annotations

import io
from pathlib import Path

import orjson

from app import create_app
from app.services import runs
from app.services.cluster import register_node
from tests.helpers import sample_config


def _close(application) -> None:
    state = application.extensions["seatunnel"]
    if state.executor is not None:
        state.executor.stop()
    state.db.dispose()


def test_force_stop_while_doing_savepoint_ends_canceled(settings) -> None:
    # no executor: the test plays the worker, so the order of events is certain
    application = create_app(settings.with_overrides(start_executor=False))
    try:
        client = application.test_client()
        state = application.extensions["seatunnel"]
        register_node(state.db, state.node_id, "localhost", 18080, {})
        runs.register_worker(state.db, "w1", state.node_id, 1)
        job_id = client.post("/submit-job", data=orjson.dumps(sample_config())).get_json()["jobId"]
        assert runs.claim_next(state.db, "w1", {}).id == int(job_id)
        stop = {"jobId": job_id, "isStopWithSavePoint": True}
        assert client.post("/stop-job", data=orjson.dumps(stop)).get_json() == {"jobId": job_id}
        assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "DOING_SAVEPOINT"
        force = {"jobId": job_id, "isStopWithSavePoint": True, "force": True}
        assert client.post("/stop-job", data=orjson.dumps(force)).status_code == 200
        assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "CANCELING"
        # the runner had already taken its savepoint and reports SAVEPOINT_DONE: force wins
        assert runs.finish_job(state.db, int(job_id), "w1", "SAVEPOINT_DONE", None, None)
        assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "CANCELED"
        assert client.get("/finished-jobs/CANCELED").get_json()[0]["jobId"] == job_id
    finally:
        _close(application)


def test_savepoint_without_force_still_ends_savepoint_done(settings) -> None:
    application = create_app(settings.with_overrides(start_executor=False))
    try:
        client = application.test_client()
        state = application.extensions["seatunnel"]
        runs.register_worker(state.db, "w1", state.node_id, 1)
        job_id = client.post("/submit-job", data=orjson.dumps(sample_config())).get_json()["jobId"]
        runs.claim_next(state.db, "w1", {})
        stop = {"jobId": job_id, "isStopWithSavePoint": True}
        client.post("/stop-job", data=orjson.dumps(stop))
        runs.finish_job(state.db, int(job_id), "w1", "SAVEPOINT_DONE", None, None)
        assert client.get(f"/job-info/{job_id}").get_json()["jobStatus"] == "SAVEPOINT_DONE"
    finally:
        _close(application)


def _upload(client, content: bytes, name: str = "job.json"):
    # the multipart body built here, in memory: the test client spools big ones to temporary
    # files it never closes
    boundary = "----compat-boundary"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="config_file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/submit-job/upload",
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_upload_limits(settings) -> None:
    application = create_app(
        settings.with_overrides(upload_max_file_size_mb=1, upload_max_request_size_mb=2)
    )
    try:
        client = application.test_client()
        config = orjson.dumps(sample_config())
        assert _upload(client, config).status_code == 200
        # a file part over 1 MiB (padding the JSON with spaces keeps it valid)
        big = config + b" " * (1024 * 1024)
        response = _upload(client, big)
        assert response.status_code == 413
        assert response.get_json() == {
            "status": "fail",
            "message": "Multipart Mime part config_file exceeds max filesize",
        }
        # a request over 2 MiB
        response = _upload(client, config + b" " * (3 * 1024 * 1024))
        assert response.status_code == 413
        assert response.get_json() == {
            "status": "fail",
            "message": f"Request exceeds maxRequestSize ({2 * 1024 * 1024})",
        }
    finally:
        _close(application)


def test_upload_limits_default_ten_and_zero_is_unlimited(settings) -> None:
    assert (settings.upload_max_file_size_mb, settings.upload_max_request_size_mb) == (10, 10)
    application = create_app(
        settings.with_overrides(
            upload_max_file_size_mb=0, upload_max_request_size_mb=0, max_body_bytes=1024
        )
    )
    try:
        client = application.test_client()
        padded = orjson.dumps(sample_config()) + b" " * (11 * 1024 * 1024)
        assert _upload(client, padded).status_code == 200
        # the other endpoints keep our own body limit
        assert client.post("/submit-job", data=b"x" * 2048).status_code == 413
    finally:
        _close(application)


def test_log_response_is_the_tail_of_whole_lines(settings) -> None:
    application = create_app(settings.with_overrides(log_response_max_size_mb=1))
    try:
        client = application.test_client()
        log_dir = Path(settings.log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        lines = [f"line {i:07d} {'x' * 80}\n" for i in range(30_000)]  # ~2.6 MiB
        (log_dir / "job-1.log").write_text("".join(lines))
        for path in ("/logs/job-1.log", "/log/job-1.log"):
            body = client.get(path).data
            assert len(body) <= 1024 * 1024
            assert body.endswith(lines[-1].encode())
            text = body.decode()
            assert text.startswith("line ") and text in "".join(lines)
            assert len(body) > 1024 * 1024 - len(lines[0])  # all whole lines that fit
        small = "first\nsecond\n"
        (log_dir / "job-2.log").write_text(small)
        assert client.get("/log/job-2.log").data.decode() == small
    finally:
        _close(application)


def test_log_response_default_and_unlimited(settings) -> None:
    assert settings.log_response_max_size_mb == 64
    application = create_app(settings.with_overrides(log_response_max_size_mb=0))
    try:
        log_dir = Path(settings.log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        content = "y" * (3 * 1024 * 1024) + "\n"
        (log_dir / "job-3.log").write_text(content)
        assert application.test_client().get("/log/job-3.log").data.decode() == content
    finally:
        _close(application)
