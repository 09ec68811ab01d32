"""claims match tags in SQL: tag_filter in canonical form, indexed with the queue order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:00:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_FINAL = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE", "UNKNOWABLE")


def _canonical(text: str | None) -> str | None:
    """The form services.jobs stores: a JSON object of strings, keys sorted, no spaces."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(value, dict) or not value:
        return None
    return json.dumps(
        {str(k): str(v) for k, v in value.items()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def upgrade() -> None:
    jobs = sa.table(
        "jobs", sa.column("id", sa.BigInteger), sa.column("status"), sa.column("tag_filter")
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(jobs.c.id, jobs.c.tag_filter).where(
            jobs.c.tag_filter.is_not(None), jobs.c.status.not_in(_FINAL)
        )
    ).all()
    for job_id, text in rows:
        canonical = _canonical(text)
        if canonical != text:
            conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(tag_filter=canonical))
    with op.batch_alter_table("jobs") as batch:
        batch.create_index(
            "ix_jobs_status_tag_filter_create_ms", ["status", "tag_filter", "create_ms", "id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_status_tag_filter_create_ms")
