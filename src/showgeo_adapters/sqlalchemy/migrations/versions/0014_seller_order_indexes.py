"""Seller back-office reads: an entity's orders and an event's tickets, newest first.

Revision ID: 0014_seller_order_indexes
Revises: 0013_mail
Create Date: 2026-12-07

The keyset pages walk (entity_id, created_at, id) over orders and (event_id, issued_at, id)
over tickets; each composite index replaces the single-column one it starts with, which
served only equality lookups.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014_seller_order_indexes"
down_revision: str | None = "0013_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_entity_id_created_at_id", "orders", ["entity_id", "created_at", "id"]
    )
    op.drop_index("ix_orders_entity_id", table_name="orders")
    op.create_index("ix_tickets_event_id_issued_at_id", "tickets", ["event_id", "issued_at", "id"])
    op.drop_index("ix_tickets_event_id", table_name="tickets")


def downgrade() -> None:
    op.create_index("ix_tickets_event_id", "tickets", ["event_id"])
    op.drop_index("ix_tickets_event_id_issued_at_id", table_name="tickets")
    op.create_index("ix_orders_entity_id", "orders", ["entity_id"])
    op.drop_index("ix_orders_entity_id_created_at_id", table_name="orders")
