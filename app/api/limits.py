"""SeaTunnel 3.x size limits: `/submit-job/upload` bodies (`upload-max-request-size-mb`) and its
`config_file` part (`upload-max-file-size-mb`); 0 or less means unlimited. A refusal is a 413 in
our envelope, with Jetty's words (SeaTunnel answers these with a 500 and a stack trace)."""

from __future__ import annotations

import sys

from flask import request
from werkzeug.datastructures import FileStorage

from app.api.common import state
from app.errors import ApiError

MIB = 1024 * 1024


class TooLarge(ApiError):
    """413: a body or an uploaded part over its limit."""

    status = 413


def apply_upload_request_limit() -> None:
    """Bound this request's body by upload-max-request-size-mb before the form is parsed."""
    limit_mb = state().settings.upload_max_request_size_mb
    limit = limit_mb * MIB if limit_mb > 0 else None
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"Request exceeds maxRequestSize ({limit})")
    # None would fall back to MAX_CONTENT_LENGTH (our own limit for every other endpoint)
    request.max_content_length = limit if limit is not None else sys.maxsize


def check_upload_file(upload: FileStorage) -> None:
    """Refuse a `config_file` part larger than upload-max-file-size-mb."""
    limit_mb = state().settings.upload_max_file_size_mb
    if limit_mb <= 0:
        return
    stream = upload.stream
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    if size > limit_mb * MIB:
        raise TooLarge(f"Multipart Mime part {upload.name} exceeds max filesize")
