"""metric samples of running jobs (the console's charts)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 11:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_samples",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("sample_ms", sa.BigInteger(), nullable=False),
        sa.Column("read_rows", sa.BigInteger(), nullable=False),
        sa.Column("write_rows", sa.BigInteger(), nullable=False),
        sa.Column("read_bytes", sa.BigInteger(), nullable=False),
        sa.Column("write_bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_metric_samples_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_samples")),
    )
    op.create_index("ix_metric_samples_job_id_sample_ms", "metric_samples", ["job_id", "sample_ms"])


def downgrade() -> None:
    op.drop_index("ix_metric_samples_job_id_sample_ms", table_name="metric_samples")
    op.drop_table("metric_samples")
