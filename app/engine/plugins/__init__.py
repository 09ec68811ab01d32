"""Built-in plugins; importing this package registers them (sources, transforms, sinks)."""

from __future__ import annotations

from app.engine.plugins import (  # noqa: F401
    assert_sink,
    console,
    copy,
    fake_source,
    field_mapper,
    filter,
    filter_rowkind,
    jdbc,
    json_path,
    local_file,
    local_file_source,
    replace,
    split,
    sql,
)
