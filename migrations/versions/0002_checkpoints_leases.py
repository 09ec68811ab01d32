"""checkpoint reference and restore point on jobs, final-status counts, leases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 14:37:20.158970
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


FINAL_STATUSES = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE", "UNKNOWABLE")


def upgrade() -> None:
    counts = op.create_table(
        "job_counts",
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_job_counts")),
    )
    op.bulk_insert(counts, [{"status": status, "count": 0} for status in FINAL_STATUSES])
    # jobs that already ended before this revision
    op.execute(
        "UPDATE job_counts SET count = "
        "(SELECT count(*) FROM jobs WHERE jobs.status = job_counts.status)"
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_checkpoint", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("restore_checkpoint_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("restore_checkpoint_id")
        batch_op.drop_column("last_checkpoint")

    op.drop_table("leases")
    op.drop_table("job_counts")
