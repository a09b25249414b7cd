"""Streaming: streams of events and their viewer sessions.

Revision ID: 0009_streaming
Revises: 0007_notifications
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_streaming"
down_revision: str | None = "0007_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "streams",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("access_level", sa.String(20), nullable=False),
        sa.Column("geofence", sa.Text(), nullable=False, comment="JSON of the geofence rules"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_streams_event_id_events", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name="pk_streams"),
    )
    op.create_table(
        "stream_sessions",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("participant_sid", sa.String(64), nullable=False),
        sa.Column("identity", sa.String(255), nullable=False),
        sa.Column("joined_at", TIMESTAMP, nullable=True),
        sa.Column("left_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["streams.event_id"],
            name="fk_stream_sessions_event_id_streams",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "participant_sid", name="pk_stream_sessions"),
    )


def downgrade() -> None:
    op.drop_table("stream_sessions")
    op.drop_table("streams")
