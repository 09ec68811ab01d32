"""Schemas of the job endpoints: submit parameters, paging, job ids."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from app.schemas.fields import JavaBoolean, JavaInt, JavaLong


class SubmitParamsSchema(Schema):
    """Query parameters of /submit-job (and `params` of /submit-jobs elements)."""

    class Meta:
        unknown = EXCLUDE

    jobId = JavaLong(load_default=None)  # SeaTunnel's parameter names
    jobName = fields.String(load_default=None)
    isStartWithSavePoint = JavaBoolean(load_default=False)
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(
            ["json", "hocon", "sql"], error="Unsupported format: {input}. Use json, hocon or sql."
        ),
    )

    @pre_load
    def _blank_is_absent(self, data, **_kwargs):
        """SeaTunnel treats blank jobId/jobName as not given; format is case-insensitive."""
        if not isinstance(data, dict):
            raise ValidationError("Invalid Params format in Params.")
        data = dict(data)
        for key in ("jobId", "jobName"):
            if isinstance(data.get(key), str) and not data[key].strip():
                data.pop(key)
        if isinstance(data.get("format"), str):
            data["format"] = data["format"].strip().lower() or "json"
        return data


class BatchParamsSchema(SubmitParamsSchema):
    """`params` of one /submit-jobs element: an object of non-empty strings."""

    @pre_load
    def _non_empty(self, data, **_kwargs):
        if not isinstance(data, dict) or not data or any(v in (None, "") for v in data.values()):
            raise ValidationError("Invalid Params format in Params.")
        return {
            k: v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in data.items()
        }


class PageSchema(Schema):
    """`page` and `rows` of the listing endpoints; paging applies only when `page` is given."""

    class Meta:
        unknown = EXCLUDE

    page = JavaInt(load_default=None)
    rows = JavaInt(load_default=10)


class StopRequestSchema(Schema):
    """Body of /stop-job and each element of /stop-jobs."""

    class Meta:
        unknown = EXCLUDE

    jobId = JavaLong(  # SeaTunnel's field names
        required=True,
        allow_none=False,
        error_messages={"required": "jobId cannot be empty.", "null": "jobId cannot be empty."},
    )
    isStopWithSavePoint = JavaBoolean(load_default=False)
    force = JavaBoolean(load_default=False)
