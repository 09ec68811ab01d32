"""The OpenAPI document: valid, covers every Flask route, and the responses tests see conform to it."""

from __future__ import annotations

import re

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tests.helpers import sample_config, streaming_config, wait_for_status


def _openapi_path(rule: str) -> str:
    renamed = {"raw": "jobId", "job_state": "state"}
    return re.sub(
        r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "{" + renamed.get(m.group(1), m.group(1)) + "}", rule
    ).replace("#", "%23")


def test_document_is_valid_openapi_3(client) -> None:
    spec = client.get("/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_flask_route_and_method_is_documented(app, client) -> None:
    spec = client.get("/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        path = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = spec["paths"].get(path, {}).get(method.lower())
            if operation is None or not operation.get("responses"):
                missing.append(f"{method} {rule.rule}")
    assert missing == []


def test_every_error_status_uses_the_envelope(client) -> None:
    spec = client.get("/openapi.json").get_json()
    responses = spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                name = response["$ref"].rsplit("/", 1)[-1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Fail"}, (method, path, status)
    fail = spec["components"]["schemas"]["Fail"]
    assert set(fail["required"]) == {"status", "message"}


@pytest.fixture
def checked(client):
    """A client whose every response is validated against /openapi.json."""
    spec = OpenAPI.from_dict(client.get("/openapi.json").get_json())

    class Checked:
        def open(self, method: str, path: str, **kwargs):
            response = client.open(path, method=method, **kwargs)
            builder = EnvironBuilder(path=path, method=method, **kwargs)
            request = Request(builder.get_environ())
            spec.validate_response(
                WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response)
            )
            return response

        def get(self, path: str, **kwargs):
            return self.open("GET", path, **kwargs)

        def post(self, path: str, **kwargs):
            return self.open("POST", path, **kwargs)

    return Checked()


def test_responses_of_a_job_lifecycle_conform(checked) -> None:
    job_id = checked.post("/submit-job?jobName=spec", json=sample_config(rows=3)).get_json()[
        "jobId"
    ]
    wait_for_status(checked, job_id, ("FINISHED",))
    for path in (
        f"/job-info/{job_id}",
        f"/hazelcast/rest/maps/job-info/{job_id}",
        "/job-info/123",
        "/running-jobs",
        "/running-jobs?page=1&rows=5",
        "/finished-jobs",
        "/finished-jobs/FINISHED?page=1",
        "/overview",
        "/system-monitoring-information",
        "/thread-dump",
        "/job-list?state=finished",
        f"/jobs/{job_id}/metric-samples",
        f"/jobs/{job_id}/checkpoints",
        f"/jobs/{job_id}/config",
        f"/jobs/{job_id}/log",
        "/nodes",
        "/logs?format=json",
        "/get-all-log-name",
    ):
        assert checked.get(path).status_code == 200, path
    streaming = checked.post("/submit-job", json=streaming_config()).get_json()["jobId"]
    wait_for_status(checked, streaming, ("RUNNING",))
    assert checked.post("/stop-job", json={"jobId": streaming, "force": True}).status_code == 200
    wait_for_status(checked, streaming, ("CANCELED",))
    assert checked.post("/encrypt-config", json=sample_config()).status_code == 200
    assert checked.post("/update-tags", json={}).status_code == 200


def test_error_responses_conform(checked) -> None:
    for method, path, kwargs, status in (
        ("GET", "/job-info/abc", {}, 400),
        ("GET", "/job-info", {}, 400),
        ("GET", "/running-jobs?page=0", {}, 400),
        ("POST", "/submit-job", {"data": "{"}, 400),
        ("POST", "/submit-job", {"json": {"env": {}}}, 400),
        ("POST", "/stop-job", {"json": {}}, 400),
        ("GET", "/jobs/1/checkpoints", {}, 404),
        ("POST", "/jobs/1/restore", {}, 404),
        ("GET", "/job-list?page=0", {}, 400),
        ("GET", "/log/missing.log", {}, 404),
        ("GET", "/log/..x", {}, 400),
    ):
        response = checked.open(method, path, **kwargs)
        assert response.status_code == status, (path, response.get_json())
        assert set(response.get_json()) == {"status", "message"}


def test_options_on_v1_job_endpoints_is_not_a_server_error(client) -> None:
    # found by schemathesis: the v1 field hook parsed the empty body of an OPTIONS answer
    for path in ("/hazelcast/rest/maps/running-jobs", "/hazelcast/rest/maps/job-info/1"):
        response = client.open(path, method="OPTIONS")
        assert response.status_code == 200 and "GET" in response.headers["Allow"]
