"""The job engine: parse a SeaTunnel job config, validate it into a DAG, and run it on Arrow batches.

A standalone library (imports nothing else from `app`). Importing it loads no pyarrow or numpy;
those are imported the first time a job runs.
"""

from __future__ import annotations

from app.engine.batch import ROW_KINDS, Batch
from app.engine.errors import ConfigError, JobError
from app.engine.metrics import JobMetrics
from app.engine.options import Option
from app.engine.parse import parse_config
from app.engine.plan import JobPlan, build_plan
from app.engine.plugin import (
    ListSplitEnumerator,
    RunContext,
    Sink,
    SinkCommitter,
    SinkWriter,
    Source,
    SourceReader,
    Split,
    SplitEnumerator,
    TableInfo,
    Transform,
)
from app.engine.registry import (
    REGISTRIES,
    register,
    register_sink,
    register_source,
    register_transform,
)
from app.engine.runner import FAULT_POINTS, InjectedCrash, JobRunner, crash_at

__all__ = [
    "REGISTRIES",
    "ROW_KINDS",
    "Batch",
    "ConfigError",
    "JobError",
    "JobMetrics",
    "JobPlan",
    "JobRunner",
    "FAULT_POINTS",
    "InjectedCrash",
    "ListSplitEnumerator",
    "SinkCommitter",
    "Split",
    "SplitEnumerator",
    "crash_at",
    "Option",
    "RunContext",
    "Sink",
    "SinkWriter",
    "Source",
    "SourceReader",
    "TableInfo",
    "Transform",
    "build_plan",
    "parse_config",
    "register",
    "register_sink",
    "register_source",
    "register_transform",
]
