"""realtime busyness points of running jobs (/metrics/realtime)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "realtime_points",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("point_ms", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["jobs.id"],
            name=op.f("fk_realtime_points_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_realtime_points")),
    )
    op.create_index("ix_realtime_points_job_id_point_ms", "realtime_points", ["job_id", "point_ms"])


def downgrade() -> None:
    op.drop_index("ix_realtime_points_job_id_point_ms", table_name="realtime_points")
    op.drop_table("realtime_points")
