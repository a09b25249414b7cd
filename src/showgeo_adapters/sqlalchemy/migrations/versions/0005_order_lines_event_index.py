"""Index order lines by event, for finding the paid orders of a cancelled event.

Revision ID: 0005_order_lines_event_index
Revises: 0004_webhook_inbox
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_order_lines_event_index"
down_revision: str | None = "0004_webhook_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_order_lines_event_id", "order_lines", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_event_id", table_name="order_lines")
