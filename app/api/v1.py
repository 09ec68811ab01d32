"""SeaTunnel's v1 REST paths (/hazelcast/rest/maps/...): the same endpoints, plus the field names
the v1 documents use where they differ (seed 002): `jobDag.vertices` / `jobDag.edges` and the
camel-case `sourceReceivedCount` / `sinkWriteCount` metrics. v2 keys stay, so either client works."""

from __future__ import annotations

import orjson
from flask import Response, request

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
        or request.method != "GET"  # OPTIONS answers 200 with an empty body
        or not response.get_data()
    ):
        return response
    body = orjson.loads(response.get_data())
    jobs = body.get("data") if isinstance(body, dict) and "data" in body else body
    for job in jobs if isinstance(jobs, list) else [jobs]:
        if isinstance(job, dict):
            _v1_job(job)
    response.set_data(orjson.dumps(body))
    return response
