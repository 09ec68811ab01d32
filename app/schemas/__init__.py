"""Marshmallow schemas for query strings and bodies, and the helper that turns their errors into 400s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from app.errors import BadRequest


def first_message(messages: Any) -> str:
    """The first error message of a (possibly nested) marshmallow error structure."""
    while isinstance(messages, (dict, list)):
        if not messages:
            return "Invalid request."
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return str(messages)


def load(schema: Schema, data: Mapping[str, Any]) -> dict:
    """Validate `data` with `schema`, raising BadRequest with the first message on failure."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise BadRequest(first_message(exc.messages)) from exc
