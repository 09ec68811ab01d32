"""Query strings of the SeaTunnel 2.3.13 / 3.x read endpoints: pending-jobs, running-jobs summary,
checkpoint history."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from app.schemas.fields import JavaBoolean, JavaInt, JavaLong


class PendingJobsQuery(Schema):
    """`/pending-jobs?jobId&limit&pretty` (other parameters are a worker tag filter)."""

    class Meta:
        unknown = EXCLUDE

    jobId = JavaLong(load_default=None, error_messages={"invalid": "Invalid jobId"})
    limit = JavaInt(load_default=0)
    pretty = JavaBoolean(load_default=False)


class SummaryQuery(Schema):
    """`/running-jobs/summary?page&rows&full`."""

    class Meta:
        unknown = EXCLUDE

    page = JavaInt(load_default=None)
    rows = JavaInt(load_default=10)
    full = JavaBoolean(load_default=False)


class CheckpointHistoryQuery(Schema):
    """`/jobs/checkpoints/history/:jobId?pipelineId&limit&status`."""

    class Meta:
        unknown = EXCLUDE

    pipelineId = JavaInt(load_default=None)  # SeaTunnel's parameter names
    limit = JavaInt(load_default=20)
    status = fields.String(load_default=None)


class RealtimeWindowQuery(Schema):
    """`/metrics/realtime/jobs/{jobId}/vertices|edges?windowMs`."""

    class Meta:
        unknown = EXCLUDE

    windowMs = JavaLong(load_default=None)  # SeaTunnel's parameter name
