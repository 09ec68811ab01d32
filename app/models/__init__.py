"""SQLAlchemy models: jobs, their checkpoints, nodes and the worker processes that run jobs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.status import FINAL_STATUSES, RUNNING_STATUSES, JobStatus

__all__ = [
    "Base",
    "Checkpoint",
    "FINAL_STATUSES",
    "Job",
    "JobCount",
    "JobStatus",
    "Lease",
    "LoggerLevel",
    "MetricSample",
    "Node",
    "RealtimePoint",
    "RUNNING_STATUSES",
    "Worker",
]

# Named constraints so alembic's batch mode can ALTER them on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention for constraints."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Job(Base):
    """One submitted job. JSON documents are stored as text: they are served as-is, never queried.

    Times are epoch milliseconds (portable across SQLite and PostgreSQL, cheap to index and sort).
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(512))
    status: Mapped[str] = mapped_column(sa.String(32))
    mode: Mapped[str] = mapped_column(sa.String(16))
    config: Mapped[str] = mapped_column(sa.Text)  # the parsed job config, JSON
    dag: Mapped[str] = mapped_column(sa.Text)  # the jobDag object, JSON
    env_options: Mapped[str] = mapped_column(sa.Text)  # flattened env, JSON
    start_with_savepoint: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # env tag_filter in canonical form (services.jobs.normalized_tag_filter), matched in SQL
    tag_filter: Mapped[str | None] = mapped_column(sa.Text)
    create_ms: Mapped[int] = mapped_column(sa.BigInteger)
    start_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    finish_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    error_msg: Mapped[str | None] = mapped_column(sa.Text)
    metrics: Mapped[str | None] = mapped_column(sa.Text)  # the 16-key REST metrics object, JSON
    owner: Mapped[str | None] = mapped_column(sa.String(255))  # Worker.id running it
    heartbeat_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    stop_request: Mapped[str | None] = mapped_column(sa.String(16))
    # The finished job object, rendered once when the job ends (a finished job is immutable).
    info: Mapped[str | None] = mapped_column(sa.Text)
    # {"checkpointId", "kind", "time", "savepointPath"?} of the latest stored checkpoint, for job-info
    last_checkpoint: Mapped[str | None] = mapped_column(sa.Text)
    # Restore from this checkpoint id on the next run (savepoint.path); None means the latest.
    restore_checkpoint_id: Mapped[int | None] = mapped_column(sa.Integer)

    __table_args__ = (
        sa.Index("ix_jobs_status_finish_ms", "status", "finish_ms"),
        sa.Index("ix_jobs_status_create_ms", "status", "create_ms"),
        sa.Index("ix_jobs_owner", "owner"),  # stop requests and flushes, polled per worker
        sa.Index("ix_jobs_finish_ms", "finish_ms"),  # all final statuses, newest first; sweeper
        # claims: the oldest PENDING job of each tag_filter a node matches is one index seek
        sa.Index("ix_jobs_status_tag_filter_create_ms", "status", "tag_filter", "create_ms", "id"),
    )


class Checkpoint(Base):
    """A stored snapshot of a job's source positions and sink state (checkpoint or savepoint)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    checkpoint_id: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(16))  # checkpoint | savepoint
    created_ms: Mapped[int] = mapped_column(sa.BigInteger)
    state: Mapped[str] = mapped_column(sa.Text)
    # when the runner began this checkpoint, if it says so (duration = created_ms - trigger_ms)
    trigger_ms: Mapped[int | None] = mapped_column(sa.BigInteger)


class JobCount(Base):
    """Number of jobs in each final status, kept in step with every status change.

    Listing totals and the overview read these few rows instead of counting the history, so
    their cost does not grow with it.
    """

    __tablename__ = "job_counts"

    status: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    count: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class Lease(Base):
    """A named, expiring lock across processes and nodes (e.g. one history sweeper at a time)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(255))
    expires_ms: Mapped[int] = mapped_column(sa.BigInteger)


class Node(Base):
    """One server address (host:port): a gunicorn master and its workers."""

    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)  # host:port
    host: Mapped[str] = mapped_column(sa.String(255))
    port: Mapped[int] = mapped_column(sa.Integer)
    tags: Mapped[str] = mapped_column(sa.Text, default="{}")
    started_ms: Mapped[int] = mapped_column(sa.BigInteger)
    heartbeat_ms: Mapped[int] = mapped_column(sa.BigInteger)
    info: Mapped[str | None] = mapped_column(sa.Text)  # monitoring figures, JSON


class Worker(Base):
    """One worker process of a node; it owns the jobs it runs and heart-beats them."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    node_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    pid: Mapped[int] = mapped_column(sa.Integer)
    slots: Mapped[int] = mapped_column(sa.Integer)
    started_ms: Mapped[int] = mapped_column(sa.BigInteger)
    heartbeat_ms: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    # the executor's pool figures (completed jobs, slot threads...), JSON, sent with the heartbeat
    pool_stats: Mapped[str | None] = mapped_column(sa.Text)


class LoggerLevel(Base):
    """A runtime log level override of one logger on one node (every process of it applies it)."""

    __tablename__ = "logger_levels"

    node_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16))
    updated_ms: Mapped[int] = mapped_column(sa.BigInteger)


class MetricSample(Base):
    """A running job's cumulative read/write counters at one moment, for the console's charts.

    Written with the worker's periodic metrics flush (no transaction of its own) and deleted with
    the job's history.
    """

    __tablename__ = "metric_samples"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    job_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    sample_ms: Mapped[int] = mapped_column(sa.BigInteger)
    read_rows: Mapped[int] = mapped_column(sa.BigInteger)
    write_rows: Mapped[int] = mapped_column(sa.BigInteger)
    read_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    write_bytes: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.Index("ix_metric_samples_job_id_sample_ms", "job_id", "sample_ms"),)


class RealtimePoint(Base):
    """A running job's realtime busyness since the previous point, by jobDag vertex and edge
    (nanoseconds and rows, JSON), for /metrics/realtime; summed into buckets when read.

    Written with the worker's metric samples (no write of its own), pruned past the job's
    retention in the same write, and deleted with the job's history.
    """

    __tablename__ = "realtime_points"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    job_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    point_ms: Mapped[int] = mapped_column(sa.BigInteger)
    data: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_realtime_points_job_id_point_ms", "job_id", "point_ms"),)
