"""Built-in plugins; importing this package registers them (sources, transforms, sinks)."""

from __future__ import annotations

from app.engine.plugins import (  # noqa: F401
    console,
    copy,
    fake_source,
    field_mapper,
    filter,
    filter_rowkind,
    json_path,
    local_file,
    replace,
    split,
    sql,
)
