"""executor pool figures per worker (telemetry), runtime logger level overrides per node, and
the trigger time of a checkpoint (checkpoint durations)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 11:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("pool_stats", sa.Text(), nullable=True))
    with op.batch_alter_table("checkpoints") as batch:
        batch.add_column(sa.Column("trigger_ms", sa.BigInteger(), nullable=True))
    op.create_table(
        "logger_levels",
        sa.Column("node_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("node_id", "name", name=op.f("pk_logger_levels")),
    )


def downgrade() -> None:
    op.drop_table("logger_levels")
    with op.batch_alter_table("checkpoints") as batch:
        batch.drop_column("trigger_ms")
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("pool_stats")
