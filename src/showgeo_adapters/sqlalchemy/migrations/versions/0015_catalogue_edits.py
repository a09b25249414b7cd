"""Catalogue edits: a ticket type's description and `hidden` flag (off sale, still listed to
its managers), and a product's `archived_at` (withdrawn for good; orders keep pointing at it).

Revision ID: 0015_catalogue_edits
Revises: 0014_seller_order_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_catalogue_edits"
down_revision: str | None = "0014_seller_order_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ticket_types", sa.Column("description", sa.Text(), nullable=True))
    op.add_column(
        "ticket_types",
        sa.Column(
            "hidden", sa.Boolean(), server_default=sa.false(), nullable=False, comment="not on sale"
        ),
    )
    op.add_column(
        "products",
        sa.Column(
            "archived_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="withdrawn; orders keep it",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("products") as table:
        table.drop_column("archived_at")
    with op.batch_alter_table("ticket_types") as table:
        table.drop_column("hidden")
        table.drop_column("description")
