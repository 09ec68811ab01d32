"""Response shapes, for the OpenAPI document only (responses are rendered by the services).

SeaTunnel's documents carry counts and ids as strings; maps whose keys are table names or figure
names are free-form objects of strings.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


class Open(Schema):
    """A response object that may carry more keys than listed (SeaTunnel adds them over time)."""

    class Meta:
        unknown = INCLUDE


def _str_map() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.String())


class FailSchema(Open):
    """SeaTunnel's error envelope."""

    status = fields.String(required=True, metadata={"example": "fail"})
    message = fields.String(required=True, allow_none=True)


class SuccessSchema(Open):
    """{"status": "success", "message": ...} of update-tags."""

    status = fields.String(required=True, metadata={"example": "success"})
    message = fields.String(required=True)


class SubmitResponseSchema(Open):
    """A stored job: its id (a string) and name."""

    jobId = fields.String(required=True)  # SeaTunnel's field names
    jobName = fields.String(required=True)


class StopResponseSchema(Open):
    """/stop-job's answer."""

    jobId = fields.String(required=True)


class StopManyItemSchema(Open):
    """One element of /stop-jobs' answer (a number, as SeaTunnel answers)."""

    jobId = fields.Integer(required=True)


class CheckpointRefSchema(Open):
    """The job's latest checkpoint or savepoint (ours)."""

    checkpointId = fields.String()
    kind = fields.String()
    time = fields.String()
    savepointPath = fields.String()


class JobDagSchema(Open):
    """The job's DAG: vertices (source, transform, sink) and the edges of each pipeline."""

    jobId = fields.String()
    envOptions = fields.Dict()
    vertexInfoMap = fields.List(
        fields.Dict(),
        metadata={
            "description": "{vertexId, type, vertexName, tablePaths} as SeaTunnel, then ours: "
            "schemas [{tablePath, fields: [{name, type, nullable}], truncated?}]"
        },
    )
    pipelineEdges = fields.Dict()
    vertices = fields.List(fields.Dict(), metadata={"description": "v1 paths only"})
    edges = fields.List(fields.Dict(), metadata={"description": "v1 paths only"})


class JobSchema(Open):
    """A job object of job-info and the listings; an unknown id answers only {"jobId"}."""

    jobId = fields.String(required=True)
    jobName = fields.String()
    jobStatus = fields.String()
    errorMsg = fields.String(allow_none=True)
    envOptions = fields.Dict()
    createTime = fields.String(allow_none=True)
    startTime = fields.String(allow_none=True)
    finishTime = fields.String(allow_none=True)
    finishedTime = fields.String(allow_none=True)
    jobDag = fields.Nested(JobDagSchema)
    pluginJarsUrls = fields.List(fields.String())
    isStartWithSavePoint = fields.Boolean()
    metrics = fields.Dict()
    latestCheckpoint = fields.Nested(CheckpointRefSchema)
    savepointPath = fields.String()


class JobPageSchema(Open):
    """A listing with `page`: one page and the total."""

    data = fields.List(fields.Nested(JobSchema), required=True)
    total = fields.Integer(required=True)


class OverviewSchema(Open):
    """Cluster overview; every value is a string."""

    projectVersion = fields.String()
    gitCommitAbbrev = fields.String()
    totalSlot = fields.String()
    unassignedSlot = fields.String()
    runningJobs = fields.String()
    pendingJobs = fields.String()
    finishedJobs = fields.String()
    failedJobs = fields.String()
    cancelledJobs = fields.String()
    workers = fields.String()
    works = fields.String()


class ThreadSchema(Open):
    """One thread of /thread-dump."""

    threadName = fields.String()
    threadId = fields.Integer()
    threadState = fields.String()
    stackTrace = fields.String()


class LogEntrySchema(Open):
    """One log file of one node."""

    node = fields.String(required=True)
    logLink = fields.String(required=True)
    logName = fields.String(required=True)


class JobSummarySchema(Open):
    """One row of /job-list."""

    jobId = fields.String(required=True)
    jobName = fields.String(required=True)
    jobStatus = fields.String(required=True)
    createTime = fields.String(allow_none=True)
    startTime = fields.String(allow_none=True)
    finishTime = fields.String(allow_none=True)
    metrics = _str_map()


class JobListSchema(Open):
    """One page of /job-list."""

    data = fields.List(fields.Nested(JobSummarySchema), required=True)
    total = fields.Integer(required=True)


class MetricSampleSchema(Open):
    """Cumulative counters at one moment, and the rates since the previous sample."""

    time = fields.Integer(required=True, metadata={"description": "epoch milliseconds"})
    readRows = fields.Integer(required=True)
    writeRows = fields.Integer(required=True)
    readBytes = fields.Integer(required=True)
    writeBytes = fields.Integer(required=True)
    readRowsPerSecond = fields.Float(required=True)
    writeRowsPerSecond = fields.Float(required=True)
    readBytesPerSecond = fields.Float(required=True)
    writeBytesPerSecond = fields.Float(required=True)


class MetricSamplesSchema(Open):
    """A job's samples, oldest first."""

    jobId = fields.String(required=True)
    samples = fields.List(fields.Nested(MetricSampleSchema), required=True)


class CheckpointItemSchema(Open):
    """One stored checkpoint or savepoint."""

    checkpointId = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["checkpoint", "savepoint"]})
    time = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "bytes of stored state"})
    savepointPath = fields.String()


class CheckpointListSchema(Open):
    """A job's checkpoints, newest first."""

    jobId = fields.String(required=True)
    checkpoints = fields.List(fields.Nested(CheckpointItemSchema), required=True)


class JobConfigSchema(Open):
    """A job's config with secrets masked."""

    jobId = fields.String(required=True)
    config = fields.Dict(required=True)


class JobLogSchema(Open):
    """A piece of a job's log."""

    jobId = fields.String(required=True)
    offset = fields.Integer(required=True)
    size = fields.Integer(required=True, metadata={"description": "offset to read from next"})
    text = fields.String(required=True)


class NodeSchema(Open):
    """One live node for the console's workers page."""

    node = fields.String(required=True)
    host = fields.String(required=True)
    port = fields.Integer(required=True)
    isMaster = fields.Boolean(required=True)
    tags = _str_map()
    startTime = fields.String(allow_none=True)
    heartbeatTime = fields.String(allow_none=True)
    figures = _str_map()
