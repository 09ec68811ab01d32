"""Worker-side job writes: claim a PENDING job, flush metrics, finish it; worker registration."""

from __future__ import annotations

import itertools
import os
import socket
from dataclasses import dataclass

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import RUNNING_STATUSES, Job, JobStatus, Worker
from app.models.clock import db_now_ms
from app.models.db import Database
from app.models.driver_sql import DriverStatement
from app.services import realtime, transitions
from app.services import samples as sample_store
from app.timefmt import now_ms


@dataclass(frozen=True)
class ClaimedJob:
    """What a runner needs to start a job it has claimed."""

    id: int
    name: str
    config: str
    mode: str
    start_with_savepoint: bool
    restore_checkpoint_id: int | None
    # it stored a checkpoint in an earlier run (or is restored from one): state to load
    has_state: bool
    create_ms: int
    dag: str  # its stored jobDag (a FINISHED end renders the job object from it)


MAX_SUBSET_TAGS = 8  # up to 255 tag-filter heads per claim; nodes with more tags scan instead
_SQLITE_TAGS_MATCH = (
    "NOT EXISTS (SELECT 1 FROM json_each(jobs.tag_filter) AS wanted WHERE NOT EXISTS ("
    "SELECT 1 FROM json_each(:node_tags) AS held"
    " WHERE held.key = wanted.key AND held.value = CAST(wanted.value AS TEXT)))"
)
_POSTGRES_TAGS_MATCH = "CAST(jobs.tag_filter AS jsonb) <@ CAST(:node_tags AS jsonb)"


def canonical_tags(tags: dict[str, str]) -> str:
    """The one text form of a tag set (sorted keys, no spaces): how tag_filter is stored."""
    return orjson.dumps(tags, option=orjson.OPT_SORT_KEYS).decode()


def tags_match(tag_filter: str | None, node_tags: dict[str, str]) -> bool:
    """A stored tag_filter matches a node carrying every one of its tags (for figures about
    queues; claims match in SQL)."""
    if not tag_filter:
        return True
    wanted = orjson.loads(tag_filter)
    if not isinstance(wanted, dict):
        return True
    return all(node_tags.get(str(k)) == str(v) for k, v in wanted.items())


def live_workers(conn: sa.Connection) -> list:
    """Workers alive by the database's clock: id, node_id, slots and pool_stats (for figures)."""
    from app.services.cluster import WORKER_LIVE_MS  # cluster imports this module

    return conn.execute(
        sa.select(Worker.id, Worker.node_id, Worker.slots, Worker.pool_stats).where(
            Worker.heartbeat_ms >= db_now_ms() - WORKER_LIVE_MS
        )
    ).all()


def queue_counts(conn: sa.Connection) -> tuple[dict[str, int], list]:
    """Jobs running per owning worker, and PENDING jobs per stored tag_filter (for figures)."""
    running = dict(
        conn.execute(
            sa.select(Job.owner, sa.func.count())
            .where(Job.status.in_(RUNNING_STATUSES), Job.owner.is_not(None))
            .where(Job.status != JobStatus.PENDING.value)
            .group_by(Job.owner)
        ).all()
    )
    pending = conn.execute(
        sa.select(Job.tag_filter, sa.func.count())
        .where(Job.status == JobStatus.PENDING.value)
        .group_by(Job.tag_filter)
    ).all()
    return running, list(pending)


def _subsets(node_tags: dict[str, str]) -> list[str]:
    """Every non-empty subset of the node's tags, in canonical form: the tag filters it matches."""
    items = sorted(node_tags.items())
    return [
        canonical_tags(dict(combo))
        for size in range(1, len(items) + 1)
        for combo in itertools.combinations(items, size)
    ]


def _candidate_sql(db: Database, node_tags: dict[str, str]) -> tuple[str, dict]:
    """SQL for the ids of the :limit oldest PENDING jobs this node may run, and its parameters.

    One index seek per queue: the untagged jobs, and the jobs of each tag filter the node
    matches (ix_jobs_status_tag_filter_create_ms), so however many jobs wait for other nodes'
    tags, a claim costs the same. A node with more than MAX_SUBSET_TAGS tags tests each
    tagged job's filter in SQL instead (JSON containment), still in one statement.
    """
    head = (
        "SELECT id FROM (SELECT id FROM jobs WHERE status = 'PENDING' AND {where}"
        " ORDER BY create_ms, id LIMIT :limit) AS head{n}"
    )
    params: dict = {}
    heads = [head.format(where="tag_filter IS NULL", n=0)]
    if len(node_tags) <= MAX_SUBSET_TAGS:
        for n, tags in enumerate(_subsets(node_tags), start=1):
            params[f"t{n}"] = tags
            heads.append(head.format(where=f"tag_filter = :t{n}", n=n))
    else:
        params["node_tags"] = orjson.dumps(node_tags).decode()
        match = _SQLITE_TAGS_MATCH if db.is_sqlite else _POSTGRES_TAGS_MATCH
        heads.append(head.format(where=f"tag_filter IS NOT NULL AND {match}", n=1))
    lock = "" if db.is_sqlite else " FOR UPDATE SKIP LOCKED"
    sql = (
        # the outer query looks the few heads up by primary key (no status test here, or a
        # planner may walk the status index past every unmatched job); the UPDATE re-checks it
        "SELECT id FROM jobs WHERE id IN ("
        + " UNION ALL ".join(heads)
        + f") ORDER BY create_ms, id LIMIT :limit{lock}"
    )
    return sql, params


def claim_next(
    db: Database, worker_id: str, node_tags: dict[str, str] | None = None
) -> ClaimedJob | None:
    """The oldest PENDING job this node may run, moved to RUNNING under this worker (or None)."""
    claimed = claim_jobs(db, worker_id, node_tags, 1)
    return claimed[0] if claimed else None


def claim_jobs(
    db: Database,
    worker_id: str,
    node_tags: dict[str, str] | None,
    limit: int,
    known_pending: bool = False,
) -> list[ClaimedJob]:
    """Atomically move up to `limit` of the oldest PENDING jobs this node may run to RUNNING
    under this worker: one UPDATE ... RETURNING in one transaction (one per free slot, not one
    per job).

    Unless the caller knows a job is waiting (`known_pending`: one was just submitted here, or
    the last claim found as many as it asked for), a read comes first: when nothing waits, no
    write transaction is opened (an idle poll must not take SQLite's write lock from the
    submissions). PostgreSQL: the candidates are locked with FOR UPDATE SKIP LOCKED, so
    concurrent claimers each get different jobs. SQLite has no row locks; the write transaction
    starts with BEGIN IMMEDIATE, so claims are serialized. The update is guarded by
    `status = 'PENDING'` either way. Tags are matched in SQL (`_candidate_sql`): jobs whose
    tag_filter this node does not match stay PENDING for another node and never hold up the
    others, however many of them are queued.
    """
    if limit < 1 or not (known_pending or _any_pending(db)):
        return []
    sql, params = _candidate_sql(db, {str(k): str(v) for k, v in (node_tags or {}).items()})
    statement = _claim_statement(sql, once=not db.is_sqlite)

    def claim(session: Session) -> list[ClaimedJob]:
        conn = session.connection()
        rows = statement.execute(
            conn, {**params, "limit": limit, "owner": worker_id, "start": now_ms()}
        ).all()
        rows.sort(key=lambda row: (row.create_ms, row.id))
        if len(rows) > limit:  # never more than asked for (each one takes a slot)
            conn.execute(_UNCLAIM, [{"job_id": row.id, "owner": worker_id} for row in rows[limit:]])
            rows = rows[:limit]
        return [
            ClaimedJob(
                row.id,
                row.name,
                row.config,
                row.mode,
                bool(row.start_with_savepoint),
                row.restore_checkpoint_id,
                row.last_checkpoint is not None,
                row.create_ms,
                row.dag,
            )
            for row in rows
        ]

    return db.transact(claim)


_JOBS = Job.__table__
_CLAIM_STATEMENTS: dict[tuple[str, bool], DriverStatement] = {}  # its claim, compiled once
# a job claimed beyond the limit goes straight back (see _claim_statement)
_UNCLAIM = (
    sa.update(_JOBS)
    .where(_JOBS.c.id == sa.bindparam("job_id"), _JOBS.c.owner == sa.bindparam("owner"))
    .values(status=JobStatus.PENDING.value, owner=None, start_ms=None, heartbeat_ms=None)
)


def _claim_statement(candidate_sql: str, once: bool) -> DriverStatement:
    """UPDATE the candidates `candidate_sql` selects to RUNNING under :owner, RETURNING what a
    runner needs; built once per candidate query (a node's tags rarely change).

    `once` (PostgreSQL): the candidates are an ARRAY(...) of the subquery, which the planner
    runs once. Under `IN (subquery)` it may run it again for each row it looks at, and since
    FOR UPDATE SKIP LOCKED then skips the rows just updated, each run finds more: one claim
    could take several times its limit.
    """
    found = _CLAIM_STATEMENTS.get((candidate_sql, once))
    if found is None:
        if once:
            candidates = sa.text(f"jobs.id = ANY(ARRAY({candidate_sql}))")
        else:
            candidates = _JOBS.c.id.in_(sa.text(candidate_sql).columns(_JOBS.c.id))
        found = DriverStatement(
            sa.update(_JOBS)
            .where(candidates, _JOBS.c.status == JobStatus.PENDING.value)
            .values(
                status=JobStatus.RUNNING.value,
                owner=sa.bindparam("owner"),
                start_ms=sa.bindparam("start"),
                heartbeat_ms=db_now_ms(),
            )
            .returning(
                _JOBS.c.id,
                _JOBS.c.name,
                _JOBS.c.config,
                _JOBS.c.mode,
                _JOBS.c.start_with_savepoint,
                _JOBS.c.restore_checkpoint_id,
                _JOBS.c.last_checkpoint,
                _JOBS.c.create_ms,
                _JOBS.c.dag,
            )
        )
        if len(_CLAIM_STATEMENTS) > 64:  # bounded: tags changed many times
            _CLAIM_STATEMENTS.clear()
        _CLAIM_STATEMENTS[(candidate_sql, once)] = found
    return found


def _any_pending(db: Database) -> bool:
    """Whether any job is PENDING at all (an index probe on a read connection)."""
    row = db.fetch_one("SELECT 1 FROM jobs WHERE status = 'PENDING' LIMIT 1", ())
    return row is not None


def flush_metrics(
    db: Database,
    worker_id: str,
    metrics: dict[int, str],
    samples: list[sample_store.Sample] | None = None,
    realtime_points: dict[int, dict] | None = None,
) -> None:
    """Store the live metrics of this worker's running jobs and heart-beat them; `samples` and
    `realtime_points` (services.realtime), when due, are added in the same transaction (no
    write of their own)."""
    if not metrics:
        return

    def flush(session: Session) -> None:
        now = now_ms()
        sample_store.insert(session, worker_id, samples or [], now)
        realtime.insert(session, worker_id, realtime_points or {}, now)
        # a Core executemany: an ORM update with a list of parameters means "bulk update by
        # primary key" to SQLAlchemy, which this WHERE (owner too) is not
        jobs = Job.__table__
        session.execute(
            sa.update(jobs)
            .where(jobs.c.id == sa.bindparam("job_id"), jobs.c.owner == worker_id)
            .values(metrics=sa.bindparam("metrics_json"), heartbeat_ms=db_now_ms()),
            [{"job_id": job_id, "metrics_json": text} for job_id, text in metrics.items()],
        )

    db.transact(flush)


def finish_job(
    db: Database,
    job_id: int,
    worker_id: str,
    status: str,
    error_msg: str | None,
    metrics: str | None,
    sample: sample_store.Sample | None = None,
) -> bool:
    """Record a job's final status, metrics and rendered job object (and its last metric
    sample); False if it is not ours (see `transitions.finish_owned`)."""

    def finish(session: Session) -> bool:
        if sample is not None:  # first: it is added only while the job is still ours
            sample_store.insert(session, worker_id, [sample], now_ms())
        return transitions.finish_owned(session, job_id, worker_id, status, error_msg, metrics)

    return db.transact(finish)


def finish_rendered(
    db: Database, ending: transitions.Ending, sample: sample_store.Sample | None = None
) -> bool:
    """`finish_job` for a FINISHED end rendered beforehand (see `transitions.Ending`)."""

    return db.transact(lambda session: transitions.finish_rendered(session, ending, sample))


def release_job(db: Database, job_id: int, worker_id: str, metrics: str | None) -> bool:
    """Hand a job this worker can no longer run (shutdown) back to PENDING for another worker."""

    def release(session: Session) -> bool:
        result = session.execute(
            sa.update(Job)
            .where(Job.id == job_id, Job.owner == worker_id)
            .values(
                status=JobStatus.PENDING.value,
                owner=None,
                metrics=metrics,
                restore_checkpoint_id=None,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    return db.transact(release)


def new_worker_id(node_id: str) -> str:
    """A name for this process that is unique across nodes and restarts."""
    return f"{node_id}/{socket.gethostname()}/{os.getpid()}/{now_ms()}"


def register_worker(db: Database, worker_id: str, node_id: str, slots: int) -> None:
    """Announce this worker process (its slots count towards the cluster's)."""
    with db.write() as session:
        session.execute(
            sa.insert(Worker).values(
                id=worker_id,
                node_id=node_id,
                pid=os.getpid(),
                slots=slots,
                started_ms=now_ms(),
                heartbeat_ms=db_now_ms(),
            )
        )


def heartbeat(
    db: Database, worker_id: str, job_ids: list[int] | None = None, pool_stats: dict | None = None
) -> None:
    """Tell the cluster this worker, and each job it holds, is alive (the database's clock);
    with its pool figures, for telemetry."""
    values: dict = {"heartbeat_ms": db_now_ms()}
    if pool_stats is not None:
        values["pool_stats"] = orjson.dumps(pool_stats).decode()

    def beat(session: Session) -> None:
        session.execute(sa.update(Worker).where(Worker.id == worker_id).values(**values))
        if job_ids:
            session.execute(
                sa.update(Job)
                .where(Job.id.in_(job_ids), Job.owner == worker_id)
                .values(heartbeat_ms=db_now_ms())
                .execution_options(synchronize_session=False)
            )

    db.transact(beat)


def heartbeat_worker(db: Database, worker_id: str, pool_stats: dict | None = None) -> None:
    """Tell the cluster this worker is alive."""
    heartbeat(db, worker_id, pool_stats=pool_stats)


def deregister_worker(db: Database, worker_id: str) -> None:
    """Remove this worker at a clean exit."""
    with db.write() as session:
        session.execute(sa.delete(Worker).where(Worker.id == worker_id))
