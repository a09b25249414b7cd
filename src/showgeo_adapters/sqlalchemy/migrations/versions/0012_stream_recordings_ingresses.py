"""Streaming: recordings of an event's room (LiveKit egress to object storage) and the
ingresses made for it, with the state their webhooks report.

Revision ID: 0012_stream_recordings_ingresses
Revises: 0011_analytics_job_attempts
Create Date: 2026-12-04

Both are keyed by the media server's own id (egress id, ingress id), so the answer of the
call that made one and a webhook about it land on the same row whichever comes first. An
ingress's stream key is a secret shown once and never stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_stream_recordings_ingresses"
down_revision: str | None = "0011_analytics_job_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stream_recordings",
        sa.Column("egress_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["streams.event_id"],
            name="fk_stream_recordings_event_id_streams",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("egress_id", name="pk_stream_recordings"),
    )
    op.create_index(
        "ix_stream_recordings_event_id", "stream_recordings", ["event_id", "created_at"]
    )
    op.create_table(
        "stream_ingresses",
        sa.Column("ingress_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("protocol", sa.String(10), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("reported_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["streams.event_id"],
            name="fk_stream_ingresses_event_id_streams",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ingress_id", name="pk_stream_ingresses"),
    )
    op.create_index("ix_stream_ingresses_event_id", "stream_ingresses", ["event_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_stream_ingresses_event_id", table_name="stream_ingresses")
    op.drop_table("stream_ingresses")
    op.drop_index("ix_stream_recordings_event_id", table_name="stream_recordings")
    op.drop_table("stream_recordings")
