"""indexes for the worker's per-tick queries (jobs by owner) and for history by finish time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:50:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.create_index("ix_jobs_owner", ["owner"])
        batch.create_index("ix_jobs_finish_ms", ["finish_ms"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_finish_ms")
        batch.drop_index("ix_jobs_owner")
