"""Metric samples of running jobs: written with the worker's metrics flush, read by the console.

A sample holds a job's cumulative read/write rows and bytes at one moment; the rates the charts
draw are the differences between consecutive samples. Samples live as long as their job: the
history sweeper deletes them with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.models import Job, MetricSample
from app.models.db import Database

MAX_POINTS = 720  # a chart of a long job is thinned to about this many samples


@dataclass(frozen=True)
class Sample:
    """Cumulative counters of one job at one moment."""

    job_id: int
    read_rows: int
    write_rows: int
    read_bytes: int
    write_bytes: int

    @classmethod
    def from_counts(cls, job_id: int, counts: dict[str, dict[str, tuple[int, int]]]) -> Sample:
        """Totals over every table of JobMetrics.counts()."""
        source, sink = counts.get("source", {}), counts.get("sink", {})
        return cls(
            job_id,
            sum(v[0] for v in source.values()),
            sum(v[0] for v in sink.values()),
            sum(v[1] for v in source.values()),
            sum(v[1] for v in sink.values()),
        )


def insert(session: Session, worker_id: str | None, samples: list[Sample], now: int) -> None:
    """Add samples in the caller's transaction, each only if its job is still owned by `worker_id`
    (a job taken over by another worker is sampled by that one)."""
    if not samples:
        return
    statement = _INSERT_OWNED if worker_id is not None else _INSERT_ANY
    session.connection().execute(
        statement, [{"s_job_id": s.job_id, "s_owner": worker_id, **params(s, now)} for s in samples]
    )


def params(sample: Sample, now: int) -> dict:
    """The values of `sample` taken at `now`, as the bind parameters of the INSERTs here."""
    return {
        "s_now": now,
        "s_read_rows": sample.read_rows,
        "s_write_rows": sample.write_rows,
        "s_read_bytes": sample.read_bytes,
        "s_write_bytes": sample.write_bytes,
    }


_COLUMNS = ["job_id", "sample_ms", "read_rows", "write_rows", "read_bytes", "write_bytes"]


def _values(job_id: sa.ColumnElement) -> sa.Select:
    """SELECT of one sample's row (bind parameters s_now, s_read_rows ...) for `job_id`."""
    return sa.select(
        job_id,
        sa.bindparam("s_now", type_=sa.BigInteger),
        sa.bindparam("s_read_rows", type_=sa.BigInteger),
        sa.bindparam("s_write_rows", type_=sa.BigInteger),
        sa.bindparam("s_read_bytes", type_=sa.BigInteger),
        sa.bindparam("s_write_bytes", type_=sa.BigInteger),
    )


def _insert_statement(owned: bool) -> sa.Insert:
    """INSERT ... SELECT of one sample, guarded by its job (and its owner); built once per kind,
    so its compiled form is cached (every job's end writes one)."""
    jobs = Job.__table__
    guard = jobs.c.id == sa.bindparam("s_job_id")
    if owned:
        guard = sa.and_(guard, jobs.c.owner == sa.bindparam("s_owner"))
    return MetricSample.__table__.insert().from_select(_COLUMNS, _values(jobs.c.id).where(guard))


def insert_after(update: sa.Update) -> sa.Insert:
    """One statement that runs `update` (of jobs, at most one row) and adds a sample of the job
    it changed, none if it changed none (PostgreSQL's data-modifying WITH), returning the id of
    the job it changed: a job's end and its last sample in one round trip."""
    changed = update.returning(Job.__table__.c.id).cte("changed")
    samples = MetricSample.__table__
    # RETURNING: the rows it added are the rows the update changed (a rowcount of a statement
    # with a data-modifying WITH is not reported through SQLAlchemy)
    return samples.insert().from_select(_COLUMNS, _values(changed.c.id)).returning(samples.c.job_id)


_INSERT_OWNED = _insert_statement(owned=True)
_INSERT_ANY = _insert_statement(owned=False)


def _rate(delta: int, ms: int) -> float:
    return round(delta * 1000.0 / ms, 3) if ms > 0 and delta > 0 else 0.0


def job_samples(db: Database, job_id: int, since_ms: int | None = None) -> dict:
    """The samples of a job, oldest first, with per-interval rates; thinned for long jobs.

    `since_ms` returns only later samples (the console polls with the last time it has); the
    sample just before it is read too, so the first returned rate is still a true difference.
    404 for an unknown job.
    """
    columns = (
        MetricSample.id,
        MetricSample.sample_ms,
        MetricSample.read_rows,
        MetricSample.write_rows,
        MetricSample.read_bytes,
        MetricSample.write_bytes,
    )
    with db.read() as conn:
        if conn.execute(sa.select(Job.id).where(Job.id == job_id)).first() is None:
            raise NotFound(f"Job {job_id} not found.")
        where = MetricSample.job_id == job_id
        previous = None
        if since_ms is not None:
            previous = conn.execute(
                sa.select(*columns)
                .where(where, MetricSample.sample_ms <= since_ms)
                .order_by(MetricSample.sample_ms.desc(), MetricSample.id.desc())
                .limit(1)
            ).first()
            where = sa.and_(where, MetricSample.sample_ms > since_ms)
        total = conn.execute(sa.select(sa.func.count()).where(where)).scalar_one()
        query = sa.select(*columns).where(where)
        stride = -(-total // MAX_POINTS) if total > MAX_POINTS else 1
        if stride > 1:
            # evenly spaced by id; the newest sample is always kept
            newest = sa.select(sa.func.max(MetricSample.id)).where(where).scalar_subquery()
            query = query.where(sa.or_(MetricSample.id % stride == 0, MetricSample.id == newest))
        rows = conn.execute(query.order_by(MetricSample.sample_ms, MetricSample.id)).all()
    out = []
    for row in rows:
        span = row.sample_ms - previous.sample_ms if previous is not None else 0
        out.append(
            {
                "time": row.sample_ms,
                "readRows": row.read_rows,
                "writeRows": row.write_rows,
                "readBytes": row.read_bytes,
                "writeBytes": row.write_bytes,
                "readRowsPerSecond": _rate(row.read_rows - previous.read_rows, span)
                if previous
                else 0.0,
                "writeRowsPerSecond": _rate(row.write_rows - previous.write_rows, span)
                if previous
                else 0.0,
                "readBytesPerSecond": _rate(row.read_bytes - previous.read_bytes, span)
                if previous
                else 0.0,
                "writeBytesPerSecond": _rate(row.write_bytes - previous.write_bytes, span)
                if previous
                else 0.0,
            }
        )
        previous = row
    return {"jobId": str(job_id), "samples": out}
