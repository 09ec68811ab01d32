"""SeaTunnel's v1 REST paths (/hazelcast/rest/maps/...): the same endpoints, plus the field names
the v1 documents use where they differ (seed 002): `jobDag.vertices` / `jobDag.edges` and the
camel-case `sourceReceivedCount` / `sinkWriteCount` metrics. v2 keys stay, so either client works."""

from __future__ import annotations

import orjson
from flask import Flask, Response, request

PREFIX = "/hazelcast/rest/maps"
_JOB_ENDPOINTS = {"job_info", "running_jobs", "finished_jobs"}


def _v1_job(job: dict) -> dict:
    dag = job.get("jobDag")
    if isinstance(dag, dict) and "vertexInfoMap" in dag:
        dag["vertices"] = dag["vertexInfoMap"]
        dag["edges"] = [edge for edges in dag.get("pipelineEdges", {}).values() for edge in edges]
    metrics = job.get("metrics")
    if isinstance(metrics, dict) and "SourceReceivedCount" in metrics:
        metrics["sourceReceivedCount"] = metrics["SourceReceivedCount"]
        metrics["sinkWriteCount"] = metrics["SinkWriteCount"]
    return job


def add_v1_fields(response: Response) -> Response:
    """after_request: on a v1 job endpoint, add the v1 names to every job object."""
    blueprint, _, endpoint = (request.endpoint or "").partition(".")
    if (
        not blueprint.startswith("v1_")
        or endpoint not in _JOB_ENDPOINTS
        or response.status_code != 200
        or request.method not in ("GET", "HEAD")
        or response.mimetype != "application/json"
    ):
        return response  # OPTIONS answers an empty body: nothing to add to
    try:
        body = orjson.loads(response.get_data())
    except orjson.JSONDecodeError:
        return response
    jobs = body.get("data") if isinstance(body, dict) and "data" in body else body
    for job in jobs if isinstance(jobs, list) else [jobs]:
        if isinstance(job, dict):
            _v1_job(job)
    response.set_data(orjson.dumps(body))
    return response


def accept_put(app: Flask) -> None:
    """Every v1 path that takes POST takes PUT too, as Hazelcast's RestApiTextDecoder does
    (SeaTunnel's RestApiIT sends `PUT /hazelcast/rest/maps/update-tags`).

    Werkzeug checks a rule's methods when it matches a request, so widening them after the
    blueprints are registered is enough; v2 paths keep SeaTunnel's POST-only servlets.
    """
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("v1_") and rule.methods and "POST" in rule.methods:
            rule.methods.add("PUT")
