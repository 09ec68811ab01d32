"""Schemas of our own endpoints (the console's): job list filters, sample and log offsets, restore."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from app.schemas.fields import JavaInt, JavaLong


class JobListQuerySchema(Schema):
    """Query of /job-list: state (a status, `running` or `finished`), name part, page, rows."""

    class Meta:
        unknown = EXCLUDE

    state = fields.String(
        load_default=None,
        metadata={"description": "A job status, or `running` / `finished` for either group."},
    )
    name = fields.String(
        load_default=None, metadata={"description": "Part of the job name (case-insensitive)."}
    )
    page = JavaInt(load_default=1, metadata={"type": "integer", "minimum": 1})
    rows = JavaInt(load_default=20, metadata={"type": "integer", "minimum": 1, "maximum": 1000})


class SamplesQuerySchema(Schema):
    """Query of /jobs/<id>/metric-samples: only samples after `since` (epoch ms)."""

    class Meta:
        unknown = EXCLUDE

    since = JavaLong(
        load_default=None,
        metadata={"type": "integer", "description": "Only samples taken after this epoch ms."},
    )


class LogQuerySchema(Schema):
    """Query of /jobs/<id>/log: the byte offset to read from."""

    class Meta:
        unknown = EXCLUDE

    offset = JavaLong(
        load_default=None,
        metadata={
            "type": "integer",
            "description": "Byte offset to read from (default: the last 256 KiB).",
        },
    )


class RestoreRequestSchema(Schema):
    """Body of /jobs/<id>/restore: which checkpoint or savepoint (default: the latest)."""

    class Meta:
        unknown = EXCLUDE

    checkpointId = JavaLong(  # the API's camel case
        load_default=None,
        allow_none=True,
        metadata={"type": "string", "description": "Checkpoint or savepoint id; latest if absent."},
    )
