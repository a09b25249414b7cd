"""Orders with their lines, and the tickets paid orders issue.

Revision ID: 0003_orders
Revises: 0002_events_and_store
Create Date: 2026-11-25

New tables only, so plain `create_table` works on SQLite too. UNIQUE (buyer_id,
idempotency_key) is what makes a retried order creation find the first one: both databases
treat NULLs as distinct, so orders placed without a key never clash. Orders keep their buyer
and seller with ON DELETE RESTRICT: they are financial records, and deleting either must not
erase what was paid and refunded.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_orders"
down_revision: str | None = "0002_events_and_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False, comment="minor units"),
        sa.Column(
            "currency", sa.String(3), nullable=False, comment="of the total, lines and refunds"
        ),
        sa.Column("refunded_amount", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False, comment="end of the reservation"),
        sa.Column("paid_at", TIMESTAMP, nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("payment_ref", sa.String(255), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column(
            "request_fingerprint", sa.String(64), nullable=True, comment="SHA-256 of the items"
        ),
        sa.CheckConstraint("total_amount >= 0", name="ck_orders_total_not_negative"),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= total_amount",
            name="ck_orders_refund_within_total",
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name="fk_orders_buyer_id_users", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name="fk_orders_entity_id_entities",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint(
            "buyer_id", "idempotency_key", name="uq_orders_buyer_id_idempotency_key"
        ),
    )
    op.create_index("ix_orders_payment_ref", "orders", ["payment_ref"])
    op.create_index("ix_orders_status_expires_at", "orders", ["status", "expires_at"])
    op.create_index("ix_orders_buyer_id_created_at_id", "orders", ["buyer_id", "created_at", "id"])
    op.create_index("ix_orders_entity_id", "orders", ["entity_id"])

    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "position", sa.Integer(), nullable=False, comment="the line's place in the order"
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False, comment="ticket type or product, by kind"),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True, comment="ticket lines only"),
        sa.Column("title", sa.String(400), nullable=False, comment="as it read when ordered"),
        sa.Column(
            "unit_amount", sa.BigInteger(), nullable=False, comment="minor units, frozen at order"
        ),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name="fk_order_lines_order_id_orders",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "position", name="pk_order_lines"),
    )

    op.create_table(
        "tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_type_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("checked_in_at", TIMESTAMP, nullable=True),
        sa.Column("voided_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_tickets_order_id_orders", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_type_id"],
            ["ticket_types.id"],
            name="fk_tickets_ticket_type_id_ticket_types",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_tickets_event_id_events", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["users.id"], name="fk_tickets_holder_id_users", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("code", name="uq_tickets_code"),
    )
    op.create_index(
        "ix_tickets_holder_id_issued_at_id", "tickets", ["holder_id", "issued_at", "id"]
    )
    op.create_index("ix_tickets_order_id", "tickets", ["order_id"])
    op.create_index("ix_tickets_event_id", "tickets", ["event_id"])


def downgrade() -> None:
    for table in ("tickets", "order_lines", "orders"):
        op.drop_table(table)
