"""Consumer inbox: the events each consumer has handled, so redeliveries do nothing.

Revision ID: 0006_consumer_inbox
Revises: 0005_order_lines_event_index
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_consumer_inbox"
down_revision: str | None = "0005_order_lines_event_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consumer_inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_consumer_inbox"),
    )


def downgrade() -> None:
    op.drop_table("consumer_inbox")
