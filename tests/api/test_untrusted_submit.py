"""Issue 7 over HTTP: a hostile submit cannot read the environment or files, write outside the
allowed paths, or pass unknown options; each refusal is a 400 in the JSON envelope."""

from __future__ import annotations

import orjson
import pytest


def _hocon(client, text: str):
    return client.post("/submit-job?format=hocon", data=text.encode())


SOURCE = "source { FakeSource { row.num = 1, schema { fields { a = int } } } }\nsink { Console {} }"


def test_environment_does_not_reach_job_info(client, monkeypatch) -> None:
    monkeypatch.setenv("SEATUNNEL_BASIC_AUTH_PASSWORD", "planted-env-s3cret")
    text = "env { a = ${?SEATUNNEL_BASIC_AUTH_PASSWORD}, b = ${?HOME}, c = 1 }\n" + SOURCE
    response = _hocon(client, text)
    assert response.status_code == 200, response.get_json()
    info = client.get(f"/job-info/{response.get_json()['jobId']}").get_json()
    assert info["jobDag"]["envOptions"] == {"c": "1"}
    response = _hocon(client, "env { a = ${SEATUNNEL_BASIC_AUTH_PASSWORD} }\n" + SOURCE)
    assert response.status_code == 400
    assert "planted" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'env { include file("/etc/os-release") }\n' + SOURCE,
            "Invalid HOCON format in request body: include file(...) at line 1, column 7 is not "
            "allowed: a job config cannot include files, URLs or classpath resources.",
        ),
        (
            "env {}\nsource { FakeSource { row.nmu = 1, schema { fields { a = int } } } }\n"
            "sink { Console {} }",
            "Plugin 'FakeSource' (source[0]): unknown option 'row.nmu'; did you mean 'row.num'?",
        ),
    ],
)
def test_hostile_hocon_is_a_400(client, text: str, message: str) -> None:
    response = _hocon(client, text)
    assert response.status_code == 400
    assert response.get_json() == {"status": "fail", "message": message}


def test_local_file_outside_the_allowed_paths_is_a_400(client) -> None:
    config = {
        "env": {"job.mode": "BATCH"},
        "source": [{"plugin_name": "FakeSource", "schema": {"fields": {"a": "int"}}}],
        "sink": [{"plugin_name": "LocalFile", "path": "/etc/seatunnel-x"}],
    }
    response = client.post("/submit-job", data=orjson.dumps(config))
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "Plugin 'LocalFile' (sink[0]): option 'path' must resolve under an allowed path "
        '(security.allowed-paths: /tmp), got "/etc/seatunnel-x"'
    )


def test_deep_json_body_is_a_400(client) -> None:
    body = b'{"env": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/submit-job", data=body)
    assert response.status_code == 400
    assert response.get_json() == {
        "status": "fail",
        "message": "The config is nested too deeply: at most 64 levels of objects and arrays "
        "(limits.config-max-depth).",
    }
