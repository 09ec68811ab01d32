"""Bad input is a 4xx in SeaTunnel's envelope, never a 500 (issue 7, "No 5xx for bad input")."""

from __future__ import annotations

import io
import json

import orjson
import pytest

from tests.helpers import sample_config, wait_for_status

HUGE = "9" * 5000  # more digits than int() converts (4,300)
CLIPPED = 'For input string: \\"' + "9" * 64 + '...\\"'


def _fail(response, status: int = 400) -> str:
    assert response.status_code == status, response.data[:300]
    body = response.get_json()
    assert list(body) == ["status", "message"] and body["status"] == "fail"
    return body["message"]


def _post(client, path: str, body: object, **kwargs):
    data = body if isinstance(body, (str, bytes)) else orjson.dumps(body)
    return client.post(path, data=data, content_type="application/json", **kwargs)


def test_job_ids_with_thousands_of_digits_are_400(client) -> None:
    expected = 'For input string: "' + "9" * 64 + '..."'
    assert _fail(_post(client, "/stop-job", {"jobId": HUGE})) == expected
    assert _fail(_post(client, "/stop-jobs", [{"jobId": HUGE}])) == expected
    assert _fail(_post(client, f"/submit-job?jobId={HUGE}", sample_config())) == expected
    batch = [{**sample_config(), "params": {"jobId": HUGE}}]
    assert _fail(_post(client, "/submit-jobs", batch)) == expected
    config = sample_config()
    config["env"]["job.id"] = HUGE
    assert _fail(_post(client, "/submit-job", config)) == f"env option 'job.id': {expected}"
    upload = {
        "jobId": HUGE,
        "config_file": (io.BytesIO(json.dumps(sample_config()).encode()), "job.json"),
    }
    assert _fail(client.post("/submit-job/upload", data=upload)) == expected
    assert _fail(client.get(f"/job-info/{HUGE}")) == expected
    # leading zeros are still a valid Long, as in Java
    assert _post(client, "/stop-job", {"jobId": "0" * 5000 + "1"}).status_code == 404


@pytest.mark.parametrize("path", ["/encrypt-config", "/submit-jobs", "/stop-jobs", "/update-tags"])
def test_deeply_nested_bodies_are_400(client, path: str) -> None:
    deep = "[" * 300 + "]" * 300
    body = '{"env": {}, "source": [{"plugin_name": "FakeSource", "x": DEEP}],'
    body = (body + ' "sink": [{"plugin_name": "Console"}]}').replace("DEEP", deep)
    if path in ("/submit-jobs", "/stop-jobs"):
        body = f"[{body}]"
    message = _fail(_post(client, path, body))
    assert message == "Invalid JSON format in request body: nested deeper than 64 levels."


def test_lone_surrogates_are_400(client) -> None:
    config = sample_config()
    source = config["source"][0]
    del source["row.num"]
    source["rows"] = [{"kind": "INSERT", "fields": ["\ud800", 1, 2]}]
    text = json.dumps(config)  # ensure_ascii: the surrogate travels as the escape \ud800
    assert "\\ud800" in text
    message = _fail(_post(client, "/submit-job", text))
    assert "valid Unicode" in message
    # bodies read with orjson refuse them while parsing
    malformed = "Invalid JSON format in request body."
    assert _fail(_post(client, "/submit-jobs", f"[{text}]")) == malformed
    assert _fail(_post(client, "/encrypt-config", text)) == malformed
    assert _fail(_post(client, "/update-tags", '{"a": "\\udc00"}')) == malformed
    hocon = 'env { job.name = "\\ud800" }\n' + "source { FakeSource { row.num = 1 } }\n"
    hocon += "sink { Console {} }"
    response = _post(client, "/submit-job?format=hocon", hocon)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("params", [[1], "x", 1, True, [], {}])
def test_submit_jobs_params_of_the_wrong_shape_are_400(client, params: object) -> None:
    batch = [{**sample_config(), "params": params}]
    assert _fail(_post(client, "/submit-jobs", batch)) == "Invalid Params format in Params."
    assert _post(client, "/running-jobs", {}).status_code == 405
    assert client.get("/running-jobs").get_json() == []


@pytest.mark.parametrize(
    "path",
    [
        "/seatunnel/checkpoint/savepoint/" + "1" * 23 + "/1",
        "/x/" + "1" * 23,
        "/seatunnel/checkpoint/savepoint/5/" + "1" * 12,
        "/seatunnel/checkpoint/savepoint/5/" + "9" * 5000,
    ],
)
def test_savepoint_paths_beyond_the_id_ranges_are_400(client, path: str) -> None:
    config = sample_config()
    config["env"]["savepoint.path"] = path
    message = _fail(_post(client, "/submit-job", config))
    assert message.startswith("env option 'savepoint.path': the ")
    assert message.endswith(" id in the path is out of range")


def test_job_names_too_long_or_with_nul_are_400(client) -> None:
    too_long = "a" * 513
    expected = "The job name must be at most 512 characters."
    assert _fail(_post(client, f"/submit-job?jobName={too_long}", sample_config())) == expected
    config = sample_config()
    config["env"]["job.name"] = too_long
    assert _fail(_post(client, "/submit-job", config)) == expected
    nul = "The job name must not contain a NUL character."
    assert _fail(_post(client, "/submit-job?jobName=a%00b", sample_config())) == nul
    config["env"]["job.name"] = "a\u0000b"
    assert _fail(_post(client, "/submit-job", config)) == nul
    batch = [{**sample_config(), "params": {"jobName": "x\u0000"}}]
    assert _fail(_post(client, "/submit-jobs", batch)) == nul
    # 512 characters are fine, and so is every other character
    name = "é" * 500 + "\t\u2028-" * 4
    response = _post(client, "/submit-job", sample_config(), query_string={"jobName": name})
    assert response.status_code == 200
    info = wait_for_status(client, response.get_json()["jobId"], ("FINISHED", "FAILED"))
    assert info["jobName"] == name and info["jobStatus"] == "FINISHED"
