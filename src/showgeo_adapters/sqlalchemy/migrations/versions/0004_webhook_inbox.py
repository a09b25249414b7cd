"""Verified payment webhooks, stored raw and keyed by the provider's event id.

Revision ID: 0004_webhook_inbox
Revises: 0003_orders
Create Date: 2026-11-25

The primary key (provider, event_ref) is what makes a replayed delivery harmless: the second
`INSERT … ON CONFLICT DO NOTHING` stores nothing and the event is not acted on again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_webhook_inbox"
down_revision: str | None = "0003_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("event_ref", sa.String(255), nullable=False, comment="the provider's event id"),
        sa.Column("payload", sa.LargeBinary(), nullable=False, comment="the raw body as received"),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("provider", "event_ref", name="pk_webhook_events"),
    )


def downgrade() -> None:
    op.drop_table("webhook_events")
