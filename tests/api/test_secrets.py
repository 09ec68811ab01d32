"""Secrets never leave the server (issue 7, "Secrets"): values under sensitive keys, plain or
shade-encoded, in source, sink, transform or env, at any depth and in any case, appear in no
response of any endpoint and in no job log, for jobs that run, fail or are rejected."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from app.config import Settings
from app.services.secrets import is_sensitive_key, mask_key_values
from tests.helpers import sample_config, streaming_config, wait_for_status

FINAL = ("FINISHED", "FAILED", "CANCELED", "SAVEPOINT_DONE")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Planted:
    """Secret values, each unique so a leak names its origin."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def __call__(self, origin: str) -> str:
        value = f"S3cr3t-{origin}-{len(self.values):02d}"
        self.values.append(value)
        return value

    def leaks(self, text: str) -> list[str]:
        found = []
        for value in self.values:
            for form in (value, _b64(value), _b64(value).rstrip("=")):
                if form in text:
                    found.append(form)
        return found


def _configs(secret: Planted, tmp: Path) -> list[tuple[str, dict, str]]:
    """(label, config, query) of jobs that carry secrets in every place a config can."""
    env_job = sample_config(rows=3)
    env_job["env"].update(
        {
            "db.password": secret("env-flat"),
            "Connection": {"PassWord": secret("env-nested"), "user": "visible"},
            "ACCESS_KEY": secret("env-upper"),
            "hosts": [{"token": secret("env-list")}],
            "shade.options": ["custom_field"],
            "custom_field": secret("env-custom"),
        }
    )
    plain = sample_config(rows=3)
    plain["source"][0]["password"] = secret("source-plain")
    plain["source"][0]["auth"] = {"secret_key": secret("source-deep")}  # shaded keys are accepted
    plain["sink"][0]["token"] = [secret("sink-list-a"), secret("sink-list-b")]
    # a secret that is also a field name: jobDag's schemas show field names
    named = secret("field-name")
    plain["source"][0]["auth"]["token"] = named
    plain["source"][0]["schema"]["fields"][named] = "int"
    encoded = sample_config(rows=3)
    encoded["env"]["shade.identifier"] = "base64"
    encoded["env"]["access_key"] = secret("env-with-shade")
    encoded["source"][0]["password"] = _b64(secret("source-shaded"))
    encoded["source"][0]["username"] = _b64(secret("source-user"))
    encoded["sink"][0]["secret_key"] = _b64(secret("sink-shaded"))
    failing = sample_config(rows=3)
    failing["env"]["shade.identifier"] = "base64"
    failing["source"][0]["password"] = _b64(secret("fail-shaded"))
    failing["sink"] = [
        {
            "plugin_name": "LocalFile",
            "path": str(tmp / "blocked" / "out"),
            "file_format_type": "json",
            "password": _b64(secret("fail-sink")),
        }
    ]
    (tmp / "blocked").write_text("a file where a directory should be")
    echoed = sample_config()
    echoed["env"]["shade.identifier"] = "base64"
    echoed["source"].append({"password": _b64(secret("echoed")), "no": "plugin name"})
    wrong_type = sample_config()
    wrong_type["source"][0]["row.num"] = {"password": secret("wrong-type")}
    stream = streaming_config()
    stream["env"]["Secret"] = secret("stream-env")
    stream["source"][0]["access_key"] = secret("stream-source")
    return [
        ("env", env_job, "?jobName=env"),
        ("plain", plain, "?jobName=plain"),
        ("encoded", encoded, "?jobName=encoded"),
        ("failing", failing, "?jobName=failing"),
        ("echoed", echoed, ""),
        ("wrong-type", wrong_type, ""),
        ("stream", stream, "?jobName=stream"),
    ]


@pytest.mark.parametrize("hocon", [False, True])
def test_no_endpoint_and_no_log_shows_a_secret(
    client, settings: Settings, tmp_path: Path, hocon: bool
) -> None:
    secret = Planted()
    bodies: list[tuple[str, bytes]] = []
    accepted: dict[str, str] = {}
    for label, config, query in _configs(secret, tmp_path):
        data = orjson.dumps(config)
        path = f"/submit-job{query}"
        if hocon:  # JSON is HOCON: the same document through the other parser
            path += ("&" if "?" in path else "?") + "format=hocon"
        response = client.post(path, data=data, content_type="application/json")
        bodies.append((f"submit {label}", response.data))
        assert response.status_code in (200, 400), response.data
        if response.status_code == 200:
            accepted[label] = response.get_json()["jobId"]
    assert {"env", "plain", "encoded", "failing", "stream"} <= set(accepted)
    assert "echoed" not in accepted and "wrong-type" not in accepted
    stream_id = accepted.pop("stream")
    wait_for_status(client, stream_id, ("RUNNING",))
    for job_id in accepted.values():
        wait_for_status(client, job_id, FINAL)
    info = client.get(f"/job-info/{accepted['failing']}").get_json()
    assert info["jobStatus"] == "FAILED" and info["errorMsg"]
    env_info = client.get(f"/job-info/{accepted['env']}").get_json()
    options = env_info["jobDag"]["envOptions"]
    assert options["db.password"] == options["Connection.PassWord"] == "******"
    assert options["ACCESS_KEY"] == options["custom_field"] == "******"
    assert options["Connection.user"] == "visible"
    encoded_info = client.get(f"/job-info/{accepted['encoded']}").get_json()
    assert encoded_info["jobStatus"] == "FINISHED"  # the shaded secrets were decoded to run
    gets = [
        "/running-jobs",
        "/running-jobs?page=1&rows=10",
        "/finished-jobs",
        "/finished-jobs/FAILED",
        "/overview",
        "/logs?format=json",
        "/log?format=json",
        "/hazelcast/rest/maps/running-jobs",
        "/hazelcast/rest/maps/finished-jobs",
    ]
    for job_id in [*accepted.values(), stream_id]:
        gets += [
            f"/job-info/{job_id}",
            f"/running-job/{job_id}",
            f"/hazelcast/rest/maps/job-info/{job_id}",
            f"/logs/{job_id}?format=json",
            f"/log/job-{job_id}.log",
            f"/logs/job-{job_id}.log",
        ]
    for path in gets:
        bodies.append((path, client.get(path).data))
    client.post("/stop-job", json={"jobId": stream_id, "force": True})
    wait_for_status(client, stream_id, ("CANCELED",))
    bodies.append(("stream after stop", client.get(f"/job-info/{stream_id}").data))
    for log in Path(settings.log_dir).glob("*.log"):
        bodies.append((log.name, log.read_bytes()))
    leaks = {
        where: found
        for where, body in bodies
        if (found := secret.leaks(body.decode("utf-8", "replace")))
    }
    assert leaks == {}


def test_sensitive_keys_follow_seatunnel_in_any_case() -> None:
    for key in ("password", "PASSWORD", "db.Password", "username", "auth", "token", "access_key"):
        assert is_sensitive_key(key)
    for key in ("secret_key", "access-key", "client_secret", "sasl.jaas.config", "credentials"):
        assert is_sensitive_key(key)
    for key in ("plugin_name", "row.num", "path", "schema", "host"):
        assert not is_sensitive_key(key)


def test_echoed_key_values_are_masked_even_cut_short() -> None:
    assert mask_key_values('got {"plugin_name": 5, "password": "S3cr3t-abc...') == (
        'got {"plugin_name": 5, "password": "******"'
    )
    assert mask_key_values("{password=hunter2, host=h}") == "{password=******, host=h}"
    assert mask_key_values("the password is wrong") == "the password is wrong"
