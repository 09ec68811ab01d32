"""Submitting jobs: /submit-job (JSON, HOCON), /submit-job/upload, /submit-jobs, and their errors."""

from __future__ import annotations

import io

import orjson
import pytest

from tests.helpers import sample_config, wait_for_status

HOCON = """
env {
  job.mode = "batch"
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 7
    schema = {
      fields {
        name = "string"
        age = "int"
        card = "int"
      }
    }
  }
}
transform {
}
sink {
  Console {
    plugin_input = "fake"
  }
}
"""


def _submit(client, config, query: str = ""):
    return client.post(
        f"/submit-job{query}", data=orjson.dumps(config), content_type="application/json"
    )


def test_submit_json_runs_to_finished(client) -> None:
    response = _submit(client, sample_config(rows=5), "?jobName=rest_api_test")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["jobId", "jobName"]
    assert isinstance(body["jobId"], str) and body["jobId"].isdigit()
    assert body["jobName"] == "rest_api_test"
    info = wait_for_status(client, body["jobId"], ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED", info
    assert info["errorMsg"] is None
    assert info["metrics"]["SourceReceivedCount"] == "5"
    assert info["metrics"]["SinkWriteCount"] == "5"
    assert info["metrics"]["TableSourceReceivedCount"] == {"fake": "5"}
    assert info["metrics"]["TableSinkWriteCount"] == {"fake": "5"}


def test_submit_hocon_with_text_plain(client) -> None:
    response = client.post("/submit-job?format=HOCON", data=HOCON, content_type="text/plain")
    assert response.status_code == 200, response.get_json()
    job_id = response.get_json()["jobId"]
    info = wait_for_status(client, job_id, ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FINISHED"
    assert info["metrics"]["SinkWriteCount"] == "7"


def test_job_name_precedence(client) -> None:
    config = sample_config()
    config["env"]["job.name"] = "from_env"
    assert _submit(client, config).get_json()["jobName"] == "from_env"
    assert _submit(client, config, "?jobName=from_query").get_json()["jobName"] == "from_query"
    assert _submit(client, sample_config()).get_json()["jobName"] == "SeaTunnel_Job"


def test_client_job_id_and_safe_retry(client) -> None:
    config = sample_config()
    config["env"]["job.mode"] = "STREAMING"
    first = _submit(client, config, "?jobId=900000000000000123&jobName=a")
    assert first.get_json() == {"jobId": "900000000000000123", "jobName": "a"}
    again = _submit(client, config, "?jobId=900000000000000123&jobName=b")
    assert again.status_code == 200
    assert again.get_json() == {"jobId": "900000000000000123", "jobName": "a"}
    listed = client.get("/running-jobs").get_json()
    assert [job["jobId"] for job in listed] == ["900000000000000123"]


def test_finished_id_without_savepoint_is_409(client) -> None:
    _submit(client, sample_config(), "?jobId=777")
    wait_for_status(client, "777", ("FINISHED",))
    response = _submit(client, sample_config(), "?jobId=777")
    assert response.status_code == 409
    assert response.get_json() == {
        "status": "fail",
        "message": "The job id 777 has already been submitted and is not starting with a savepoint.",
    }
    # with isStartWithSavePoint the finished id is started again
    restart = _submit(client, sample_config(rows=3), "?jobId=777&isStartWithSavePoint=true")
    assert restart.status_code == 200
    info = wait_for_status(client, "777", ("FINISHED",))
    assert info["metrics"]["SinkWriteCount"] == "3"


@pytest.mark.parametrize(
    ("query", "body", "message"),
    [
        ("", b"", "Request body is empty."),
        ("", b"   ", "Request body is empty."),
        ("", b"{not json", "Invalid JSON format in request body."),
        ("?jobId=abc", orjson.dumps(sample_config()), 'For input string: "abc"'),
        (
            "?jobId=99999999999999999999",
            orjson.dumps(sample_config()),
            'For input string: "99999999999999999999"',
        ),
        ("?isStartWithSavePoint=true", b"", "Please provide jobId when start with save point."),
        (
            "?format=yaml",
            orjson.dumps(sample_config()),
            "Unsupported format: yaml. Use json, hocon or sql.",
        ),
    ],
)
def test_submit_bad_requests(client, query: str, body: bytes, message: str) -> None:
    response = client.post(f"/submit-job{query}", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"status": "fail", "message": message}


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda c: c.update(source=[]), "Miss <Source> config! Please check the config file."),
        (lambda c: c.pop("source"), "Miss <Source> config! Please check the config file."),
        (lambda c: c.update(sink=[]), "Miss <Sink> config! Please check the config file."),
        (lambda c: c.pop("env"), "Miss <env> config! Please check the config file."),
        (lambda c: c["source"][0].update(plugin_name="NoSuchSource"), "NoSuchSource"),
        (lambda c: c["source"][0].pop("schema"), "schema"),
        (lambda c: c["source"][0].update({"row.num": "abc"}), "row.num"),
        (lambda c: c["sink"][0].update(plugin_input=["nowhere"]), "nowhere"),
    ],
)
def test_config_errors_are_400_naming_plugin_and_option(client, mutate, fragment: str) -> None:
    config = sample_config()
    mutate(config)
    response = _submit(client, config)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == "fail"
    assert fragment in body["message"]
    assert "Traceback" not in body["message"]


def test_bad_submission_stores_nothing(client) -> None:
    config = sample_config()
    config["source"][0]["plugin_name"] = "Nope"
    assert _submit(client, config).status_code == 400
    assert client.get("/running-jobs").get_json() == []
    assert client.get("/finished-jobs").get_json() == []


def test_upload_json_and_conf(client) -> None:
    json_file = (io.BytesIO(orjson.dumps(sample_config(rows=4))), "fake_to_console.json")
    response = client.post(
        "/submit-job/upload?jobName=up",
        data={"config_file": json_file},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["jobName"] == "up"
    info = wait_for_status(client, response.get_json()["jobId"], ("FINISHED",))
    assert info["metrics"]["SinkWriteCount"] == "4"

    conf_file = (io.BytesIO(HOCON.encode()), "fake_to_console.conf")
    response = client.post(
        "/submit-job/upload",
        data={"config_file": conf_file, "jobId": "4242"},
        content_type="multipart/form-data",
    )
    assert response.get_json() == {"jobId": "4242", "jobName": "SeaTunnel_Job"}
    info = wait_for_status(client, "4242", ("FINISHED",))
    assert info["metrics"]["SinkWriteCount"] == "7"


def test_upload_without_file_part_is_400(client) -> None:
    response = client.post(
        "/submit-job/upload", data={"other": "x"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": "Missing multipart file part 'config_file'.",
    }


def test_submit_jobs_batch(client) -> None:
    first = {**sample_config(rows=2), "params": {"jobId": "123456", "jobName": "SeaTunnel-01"}}
    second = {**sample_config(rows=3), "params": {"jobId": "1234567", "jobName": "SeaTunnel-02"}}
    third = sample_config(rows=1)  # no params: none, not a 500
    response = client.post("/submit-jobs", data=orjson.dumps([first, second, third, 42]))
    assert response.status_code == 200
    body = response.get_json()
    assert body[:2] == [
        {"jobId": "123456", "jobName": "SeaTunnel-01"},
        {"jobId": "1234567", "jobName": "SeaTunnel-02"},
    ]
    assert len(body) == 3 and body[2]["jobName"] == "SeaTunnel_Job"
    assert wait_for_status(client, "123456", ("FINISHED",))["metrics"]["SinkWriteCount"] == "2"
    assert wait_for_status(client, "1234567", ("FINISHED",))["metrics"]["SinkWriteCount"] == "3"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Request body is empty."),
        (b"[{", "Invalid JSON format in request body."),
        (orjson.dumps([{**sample_config(), "params": {}}]), "Invalid Params format in Params."),
        (
            orjson.dumps([{**sample_config(), "params": {"jobName": ""}}]),
            "Invalid Params format in Params.",
        ),
        (
            orjson.dumps([{**sample_config(), "params": {"isStartWithSavePoint": "true"}}]),
            "Please provide jobId when start with save point.",
        ),
    ],
)
def test_submit_jobs_errors(client, body: bytes, message: str) -> None:
    response = client.post("/submit-jobs", data=body)
    assert response.status_code == 400
    assert response.get_json() == {"status": "fail", "message": message}


def test_submit_jobs_rejects_whole_batch_on_one_bad_config(client) -> None:
    good = {**sample_config(), "params": {"jobId": "55"}}
    bad = {**sample_config(), "params": {"jobId": "56"}}
    bad["source"] = []
    response = client.post("/submit-jobs", data=orjson.dumps([good, bad]))
    assert response.status_code == 400
    assert client.get("/job-info/55").get_json() == {"jobId": "55"}


def test_failing_job_ends_failed_with_message(client) -> None:
    config = sample_config()
    config["transform"] = [
        {
            "plugin_name": "Replace",
            "replace_field": "name",
            "pattern": "(",
            "replacement": "x",
            "is_regex": True,
            "replace_first": False,
        }
    ]
    response = _submit(client, config)
    if response.status_code == 400:  # an invalid regex may already be caught at submit
        assert "pattern" in response.get_json()["message"]
        return
    info = wait_for_status(client, response.get_json()["jobId"], ("FINISHED", "FAILED"))
    assert info["jobStatus"] == "FAILED"
    assert info["errorMsg"] and "Traceback" not in info["errorMsg"]
