"""Analytics jobs count their attempts: the lease that lets a worker take over a recompute
whose process died.

Revision ID: 0011_analytics_job_attempts
Revises: 0010_analytics
Create Date: 2026-12-04

A recompute job holds a lease renewed by its heartbeat; when the heartbeat stops (the process
running it was killed) a worker takes the job over and runs it again from the start. Each run
is an attempt: `attempts` is the fencing token (a run whose attempt is no longer the job's
stops writing) and bounds how often a job that kills its process is retried.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_analytics_job_attempts"
down_revision: str | None = "0010_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "analytics_jobs",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    with op.batch_alter_table("analytics_jobs") as batch:
        batch.drop_column("attempts")
