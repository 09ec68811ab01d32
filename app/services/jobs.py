"""Job use-cases for the API: submit, look up, list. Every query pages in SQL on indexed columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import orjson
import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from app import engine
from app.errors import BadRequest, Conflict
from app.ids import IdGenerator
from app.models import FINAL_STATUSES, RUNNING_STATUSES, Job, JobStatus
from app.models.db import Database
from app.schemas import first_message
from app.schemas.fields import parse_java_long
from app.services import checkpoints, counts, diagnostics, render, shade
from app.timefmt import now_ms

DEFAULT_JOB_NAME = "SeaTunnel_Job"


@dataclass(frozen=True)
class SubmitParams:
    """The query parameters of a submission (or the `params` of one /submit-jobs element)."""

    job_id: int | None = None
    job_name: str | None = None
    start_with_savepoint: bool = False
    restore_checkpoint_id: int | None = None  # from env savepoint.path; None: the latest

    def __post_init__(self) -> None:
        if self.start_with_savepoint and self.job_id is None:
            raise BadRequest("Please provide jobId when start with save point.")


def restore_params(plan: engine.JobPlan, params: SubmitParams) -> SubmitParams:
    """Fold the cookbook's env restore forms into the parameters.

    `env.job.id` names the job to resume (the query's jobId wins); `restore.mode = savepoint`
    with `savepoint.path` resumes the job that path belongs to, from that savepoint.
    """
    options = plan.env_options
    if options.get("restore.mode", "").lower() == "savepoint" or options.get("savepoint.path"):
        path = options.get("savepoint.path")
        if not path:
            raise BadRequest(
                "env option 'savepoint.path' is required with restore.mode = savepoint"
            )
        try:
            job_id, checkpoint_id = checkpoints.parse_savepoint_path(path)
        except ValueError as exc:
            raise BadRequest(f"env option 'savepoint.path': {exc}") from exc
        return SubmitParams(job_id, params.job_name, True, checkpoint_id)
    if params.job_id is None and options.get("job.id"):
        try:
            job_id = parse_java_long(options["job.id"])
        except ValidationError as exc:
            raise BadRequest(f"env option 'job.id': {first_message(exc.messages)}") from exc
        return SubmitParams(job_id, params.job_name, True)
    return params


@dataclass(frozen=True)
class Submitted:
    """What a submission answers: the job's id and name."""

    job_id: int
    job_name: str

    def to_json(self) -> dict:
        """SeaTunnel's submit response; the id is a string."""
        return {"jobId": str(self.job_id), "jobName": self.job_name}


def parse_job_config(body: bytes | str, fmt: str) -> dict:
    """Parse a request body as JSON or HOCON into a config dict (400 on bad input)."""
    try:
        return engine.parse_config(body, fmt)
    except engine.ConfigError as exc:
        raise BadRequest(exc.message) from exc


def plan_job(config: dict) -> engine.JobPlan:
    """Validate a (possibly shade-encoded) config and build its DAG.

    400 naming the plugin and option on bad input; decoded secrets never appear in the message.
    """
    runnable = shade.decrypt_config(config)
    try:
        return engine.build_plan(runnable)
    except engine.ConfigError as exc:
        raise BadRequest(shade.mask_secrets(exc.message, runnable)) from exc


def submit_job(
    db: Database,
    ids: IdGenerator,
    config: dict,
    params: SubmitParams,
    wake: Callable[[], None] | None = None,
) -> Submitted:
    """Store a new PENDING job (or return the running job with that id: a safe retry)."""
    plan = plan_job(config)
    params = restore_params(plan, params)
    if params.restore_checkpoint_id is not None and not checkpoints.exists(
        db, params.job_id, params.restore_checkpoint_id
    ):
        raise BadRequest(
            f"Savepoint path not found: no checkpoint {params.restore_checkpoint_id} of job {params.job_id}."
        )
    name = params.job_name or plan.name or DEFAULT_JOB_NAME
    for _attempt in range(5):
        job_id = params.job_id if params.job_id is not None else ids.next_id()
        try:
            with db.write() as session:
                existing = session.get(Job, job_id)
                if existing is not None:
                    result = _resubmit(session, existing, plan, config, name, params)
                else:
                    session.add(_new_job(job_id, plan, config, name, params))
                    result = Submitted(job_id, name)
        except IntegrityError:
            # Someone stored the same id in between: a client id is then answered as a retry on
            # the next pass; a generated id collided with another process's and is drawn again.
            continue
        if wake is not None:
            wake()
        return result
    raise RuntimeError("could not store the job after 5 attempts")


def _new_job(
    job_id: int, plan: engine.JobPlan, config: dict, name: str, params: SubmitParams
) -> Job:
    tag_filter = plan.env.get("tag_filter")
    return Job(
        id=job_id,
        name=name,
        status=JobStatus.PENDING.value,
        mode=plan.mode,
        config=orjson.dumps(config).decode(),
        dag=orjson.dumps(plan.dag(str(job_id))).decode(),
        env_options=orjson.dumps(plan.env_options).decode(),
        start_with_savepoint=params.start_with_savepoint,
        restore_checkpoint_id=params.restore_checkpoint_id,
        tag_filter=orjson.dumps(tag_filter).decode() if tag_filter else None,
        create_ms=now_ms(),
    )


def _resubmit(session, job: Job, plan, config: dict, name: str, params: SubmitParams) -> Submitted:  # noqa: ANN001
    """A job id that is already stored: a retry of a live job, or a restart from its state."""
    if job.status not in FINAL_STATUSES:
        return Submitted(job.id, job.name)
    if not params.start_with_savepoint:
        raise Conflict(
            f"The job id {job.id} has already been submitted and is not starting with a savepoint."
        )
    counts.bump(session, job.status, -1)  # it leaves its final status
    fresh = _new_job(job.id, plan, config, name, params)
    for column in (
        "name",
        "status",
        "mode",
        "config",
        "dag",
        "env_options",
        "tag_filter",
        "create_ms",
        "restore_checkpoint_id",
    ):
        setattr(job, column, getattr(fresh, column))
    job.start_with_savepoint = True
    for column in (
        "start_ms",
        "finish_ms",
        "error_msg",
        "owner",
        "heartbeat_ms",
        "stop_request",
        "info",
    ):
        setattr(job, column, None)
    return Submitted(job.id, name)


_JOB_COLUMNS = (
    Job.id,
    Job.name,
    Job.status,
    Job.env_options,
    Job.create_ms,
    Job.dag,
    Job.start_with_savepoint,
    Job.metrics,
    Job.info,
    Job.last_checkpoint,
)


class _JobRow(NamedTuple):
    id: int
    name: str
    status: str
    env_options: str
    create_ms: int
    dag: str
    start_with_savepoint: bool
    metrics: str | None
    info: str | None
    last_checkpoint: str | None


_JOB_INFO_SQL = (
    f"SELECT {', '.join(c.key for c in _JOB_COLUMNS)}, start_ms, finish_ms FROM jobs WHERE id = ?"
)


def job_info(db: Database, job_id: int) -> bytes:
    """job-info's body: the job object, or SeaTunnel's {"jobId": "<id>"} for an unknown id.

    The hottest endpoint: one primary-key lookup on the thread's own connection, and a finished
    job's body is the stored, pre-rendered document.
    """
    row = db.fetch_one(_JOB_INFO_SQL, (job_id,))
    if row is None:
        return orjson.dumps({"jobId": str(job_id)})
    job = _JobRow(*row[:-2])
    block = diagnostics.build(job.id, job.status, job.dag, job.create_ms, row[-2], row[-1])
    return diagnostics.append(render.job_object(job), block)


@dataclass(frozen=True)
class Page:
    """1-based page number and page size; None means 'no paging' (a bare array)."""

    page: int
    rows: int

    def check(self, total: int) -> None:
        """SeaTunnel's rules: page >= 1; a page starting past the end is an error.

        `rows=0` is an empty page with the total (what SeaTunnel's subList(start, start) gives);
        only a negative row count is refused.
        """
        if self.page < 1:
            raise BadRequest("Page number must be greater than 0")
        if self.rows < 0:
            raise BadRequest("Rows must not be negative")
        if (self.page - 1) * self.rows > total:
            raise BadRequest("Page number exceeds total pages")


def _listing(db: Database, where, order, page: Page | None, render_row, count) -> bytes:  # noqa: ANN001
    """One page (or all) of the jobs matching `where`; `count()` gives the total for paging."""
    with db.read() as conn:
        query = sa.select(*_JOB_COLUMNS).where(where).order_by(*order)
        total = None
        if page is not None:
            total = count()
            page.check(total)
            query = query.limit(page.rows).offset((page.page - 1) * page.rows)
        rows = conn.execute(query).all()
    body = render.json_array([render_row(row) for row in rows])
    if page is None:
        return body
    return b'{"data":' + body + b',"total":' + str(total).encode() + b"}"


def running_jobs(db: Database, page: Page | None = None) -> bytes:
    """Every job that has not ended, oldest first."""
    return _listing(
        db,
        Job.status.in_(RUNNING_STATUSES),
        (Job.create_ms, Job.id),
        page,
        lambda row: orjson.dumps(render.running_job(row)),
        lambda: sum(counts.job_counts(db).get(s, 0) for s in RUNNING_STATUSES),
    )


def finished_jobs(db: Database, state: str | None, page: Page | None = None) -> bytes:
    """Ended jobs, newest first; `state` matches case-insensitively, unknown states give []."""
    state = state.upper() if state else None
    if state:
        if state not in FINAL_STATUSES:
            if page is not None:
                page.check(0)
                return b'{"data":[],"total":0}'
            return b"[]"
        where = Job.status == state
    else:
        where = Job.status.in_(FINAL_STATUSES)
    return _listing(
        db,
        where,
        (Job.finish_ms.desc(), Job.id.desc()),
        page,
        render.job_object,
        lambda: counts.final_total(db, state),
    )
