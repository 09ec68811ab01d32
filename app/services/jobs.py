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
from app.models import FINAL_STATUSES, RUNNING_STATUSES, Checkpoint, Job, JobStatus
from app.models.db import Database
from app.models.driver_sql import DriverStatement
from app.schemas import first_message
from app.schemas.fields import parse_java_long
from app.services import checkpoints, counts, diagnostics, render, runs, secrets, shade, stops
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


def parse_job_config(body: bytes | str, fmt: str, limits: engine.Limits | None = None) -> dict:
    """Parse a request body as JSON or HOCON into a config dict (400 on bad input)."""
    try:
        return engine.parse_config(body, fmt, limits)
    except engine.ConfigError as exc:
        raise BadRequest(exc.message) from exc


def plan_job(config: dict, limits: engine.Limits | None = None) -> engine.JobPlan:
    """Validate a (possibly shade-encoded) config and build its DAG.

    400 naming the plugin and option on bad input; decoded secrets never appear in the message.
    """
    runnable = shade.decrypt_config(config)
    try:
        return engine.build_plan(runnable, limits)
    except engine.ConfigError as exc:
        raise BadRequest(secrets.masker_for(config).text(exc.message)) from exc
    except RecursionError as exc:
        raise BadRequest("The job config is nested too deeply.") from exc


MAX_JOB_NAME = 512  # the jobs.name column


def check_job_name(name: str) -> str:
    """A job name the database can store and a log line can show: at most 512 characters, no
    NUL (PostgreSQL text refuses it), valid Unicode (no lone surrogates)."""
    if len(name) > MAX_JOB_NAME:
        raise BadRequest(f"The job name must be at most {MAX_JOB_NAME} characters.")
    if "\x00" in name:
        raise BadRequest("The job name must not contain a NUL character.")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRequest("The job name is not valid Unicode.") from exc
    return name


def _json_text(value: object, what: str) -> str:
    """`value` as JSON text; a lone surrogate (valid JSON escape, invalid Unicode) is a 400."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError as exc:
        raise BadRequest(f"Invalid {what}: strings must be valid Unicode ({exc}).") from exc


@dataclass(frozen=True)
class Prepared:
    """A submission that passed every check that needs no database: ready to store."""

    plan: engine.JobPlan
    config: dict
    config_json: str
    env_options_json: str
    masker: secrets.Masker
    params: SubmitParams
    name: str
    tag_filter: str | None


def prepare_submission(
    config: dict, params: SubmitParams, limits: engine.Limits | None = None
) -> Prepared:
    """Plan a submission and check its parameters (400 on bad input); stores nothing."""
    plan = plan_job(config, limits)
    params = restore_params(plan, params)
    name = check_job_name(params.job_name or plan.name or DEFAULT_JOB_NAME)
    masker = secrets.masker_for(config)
    return Prepared(
        plan=plan,
        config=config,
        config_json=_json_text(config, "job config"),
        env_options_json=_json_text(masker.options(plan.env_options), "env options"),
        masker=masker,
        params=params,
        name=name,
        tag_filter=normalized_tag_filter(plan.env.get("tag_filter")),
    )


MAX_TAG_FILTER = 1024  # characters of the stored form (it is indexed)


def normalized_tag_filter(tag_filter: object) -> str | None:
    """The stored form of env tag_filter: a JSON object of strings with sorted keys (None: any
    node may run it), so claims match it in SQL against the subsets of a node's tags."""
    if not isinstance(tag_filter, dict) or not tag_filter:
        return None
    tags = {str(k): str(v) for k, v in tag_filter.items()}
    if any("\x00" in k or "\x00" in v for k, v in tags.items()):
        raise BadRequest("env option 'tag_filter' must not contain a NUL character.")
    text = runs.canonical_tags(tags)
    if len(text) > MAX_TAG_FILTER:
        raise BadRequest(f"env option 'tag_filter' must be at most {MAX_TAG_FILTER} characters.")
    return text


def submit_job(
    db: Database,
    ids: IdGenerator,
    config: dict,
    params: SubmitParams,
    wake: Callable[[], None] | None = None,
    limits: engine.Limits | None = None,
) -> Submitted:
    """Store a new PENDING job (or return the running job with that id: a safe retry)."""
    return submit_jobs(db, ids, [prepare_submission(config, params, limits)], wake)[0]


def submit_jobs(
    db: Database,
    ids: IdGenerator,
    batch: list[Prepared],
    wake: Callable[[], None] | None = None,
) -> list[Submitted]:
    """Store every prepared job in one transaction: all of them, or none (the first conflict or
    missing savepoint rolls the whole batch back). The transaction may be shared with other
    threads' small writes (group commit); the call returns once it has committed."""
    for _attempt in range(5):
        # new jobs under generated ids are rendered before the transaction: inside it, one
        # INSERT each (the shared transaction is the scarce resource, not this thread's time)
        rows = [
            _new_values(ids.next_id(), prepared) if _is_plain(prepared) else None
            for prepared in batch
        ]
        try:
            results = db.transact(
                lambda session, rows=rows: [
                    _insert(session, row) if row is not None else _store(session, ids, prepared)
                    for row, prepared in zip(rows, batch, strict=True)
                ]
            )
        except IntegrityError:
            # Someone stored the same id in between: a client id is then answered as a retry on
            # the next pass; a generated id collided with another process's and is drawn again.
            continue
        if wake is not None:
            wake()
        return results
    raise Conflict("Could not store the job: its id collided repeatedly; submit it again.")


def _is_plain(prepared: Prepared) -> bool:
    """A new job under a generated id: no existing row to look at, no savepoint to find."""
    return prepared.params.job_id is None and prepared.params.restore_checkpoint_id is None


# the columns a new job sets (_new_values); every other one starts NULL: fewer parameters
# for the driver to adapt on the hottest statement
_NEW_COLUMNS = (
    "id",
    "name",
    "status",
    "mode",
    "config",
    "dag",
    "env_options",
    "start_with_savepoint",
    "restore_checkpoint_id",
    "tag_filter",
    "create_ms",
)
_INSERT_JOB = DriverStatement(
    sa.insert(Job.__table__).values({name: sa.bindparam(name) for name in _NEW_COLUMNS})
)


def _insert(session, row: dict) -> Submitted:
    _INSERT_JOB.execute(session.connection(), row)
    return Submitted(row["id"], row["name"])


def _store(session, ids: IdGenerator, prepared: Prepared) -> Submitted:
    params = prepared.params
    if params.restore_checkpoint_id is not None:
        found = session.execute(
            sa.select(Checkpoint.id)
            .where(
                Checkpoint.job_id == params.job_id,
                Checkpoint.checkpoint_id == params.restore_checkpoint_id,
            )
            .limit(1)
        ).first()
        if found is None:
            raise BadRequest(
                f"Savepoint path not found: no checkpoint {params.restore_checkpoint_id} "
                f"of job {params.job_id}."
            )
    job_id = params.job_id if params.job_id is not None else ids.next_id()
    existing = session.get(Job, job_id)
    if existing is not None:
        return _resubmit(session, existing, prepared)
    session.add(_new_job(job_id, prepared))
    session.flush()  # a duplicate id fails here, inside the retry loop
    return Submitted(job_id, prepared.name)


def _new_job(job_id: int, prepared: Prepared) -> Job:
    return Job(**_new_values(job_id, prepared))


def _new_values(job_id: int, prepared: Prepared) -> dict:
    """The columns a new PENDING job sets, _NEW_COLUMNS (every other one is NULL); a plain
    dict, no ORM object: this runs for every submission, and an instance's attribute
    machinery would cost more than the rest."""
    dag = prepared.plan.dag(str(job_id))
    dag["envOptions"] = orjson.Fragment(prepared.env_options_json)
    return {
        "id": job_id,
        "name": prepared.name,
        "status": JobStatus.PENDING.value,
        "mode": prepared.plan.mode,
        "config": prepared.config_json,
        "dag": prepared.masker.text(_json_text(dag, "job config")),
        "env_options": prepared.env_options_json,
        "start_with_savepoint": prepared.params.start_with_savepoint,
        "restore_checkpoint_id": prepared.params.restore_checkpoint_id,
        "tag_filter": prepared.tag_filter,
        "create_ms": now_ms(),
    }


def _resubmit(session, job: Job, prepared: Prepared) -> Submitted:
    """A job id that is already stored: a retry of a live job, or a restart from its state."""
    params = prepared.params
    if job.status not in FINAL_STATUSES:
        if params.start_with_savepoint and (
            job.status == JobStatus.DOING_SAVEPOINT.value or job.stop_request == stops.SAVEPOINT
        ):
            raise Conflict(
                f"The job {job.id} is still saving its savepoint: submit the restore again once "
                f"it is SAVEPOINT_DONE."
            )
        return Submitted(job.id, job.name)
    if not params.start_with_savepoint:
        raise Conflict(
            f"The job id {job.id} has already been submitted and is not starting with a savepoint."
        )
    counts.bump(session, job.status, -1)  # it leaves its final status
    fresh = _new_values(job.id, prepared)
    for column in _NEW_COLUMNS:
        if column not in ("id", "start_with_savepoint"):
            setattr(job, column, fresh[column])
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
    return Submitted(job.id, prepared.name)


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


# A job that ended has its whole job object in `info`: the columns it is rendered from are
# read only while it has none (a finished job's lookup then moves half the bytes).
_ONLY_WITHOUT_INFO = frozenset({"env_options", "dag", "metrics"})
_JOB_INFO_SQL = (
    "SELECT "
    + ", ".join(
        f"CASE WHEN info IS NULL THEN {c.key} END" if c.key in _ONLY_WITHOUT_INFO else c.key
        for c in _JOB_COLUMNS
    )
    + ", start_ms, finish_ms FROM jobs WHERE id = ?"
)


def job_info(db: Database, job_id: int) -> bytes:
    """job-info's body: the job object, or SeaTunnel's {"jobId": "<id>"} for an unknown id.

    The hottest endpoint: one primary-key lookup on the thread's own connection (on PostgreSQL
    shared with the lookups of other threads at the same moment), and a finished job's body is
    the stored, pre-rendered document.
    """
    row = db.fetch_by_id(_JOB_INFO_SQL, job_id)
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


def _listing(db: Database, where, order, page: Page | None, render_row, count) -> bytes:
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
