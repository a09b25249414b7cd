"""Analytics: daily metrics, entity neighbours and recompute jobs.

Revision ID: 0010_analytics
Revises: 0008_assets
Create Date: 2026-11-25

Metrics are one narrow table keyed (scope, subject, metric, day) so a recompute fills it with
`INSERT … SELECT … GROUP BY` per metric and consumers add to a row with one upsert.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_analytics"
down_revision: str | None = "0008_assets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "analytics_metrics",
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column(
            "subject_id", sa.Uuid(), nullable=False, comment="no foreign key: history outlives it"
        ),
        sa.Column("metric", sa.String(60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope", "subject_id", "metric", "day", name="pk_analytics_metrics"
        ),
    )
    op.create_index(
        "ix_analytics_metrics_scope_day_metric", "analytics_metrics", ["scope", "day", "metric"]
    )
    op.create_table(
        "analytics_neighbours",
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("neighbour_id", sa.Uuid(), nullable=False),
        sa.Column("similarity", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(
            "generation", "entity_id", "neighbour_id", name="pk_analytics_neighbours"
        ),
    )
    op.create_index(
        "ix_analytics_neighbours_generation_neighbour_id",
        "analytics_neighbours",
        ["generation", "neighbour_id"],
    )
    op.create_table(
        "analytics_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("active_slot", sa.String(20), nullable=True),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("stage", sa.String(100), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("heartbeat_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_jobs"),
        sa.UniqueConstraint("active_slot", name="uq_analytics_jobs_active_slot"),
    )


def downgrade() -> None:
    op.drop_table("analytics_jobs")
    op.drop_index("ix_analytics_neighbours_generation_neighbour_id", "analytics_neighbours")
    op.drop_table("analytics_neighbours")
    op.drop_index("ix_analytics_metrics_scope_day_metric", "analytics_metrics")
    op.drop_table("analytics_metrics")
