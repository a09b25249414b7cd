"""Events with their venues and ticket types; store products.

Revision ID: 0002_events_and_store
Revises: 0001_foundation
Create Date: 2026-11-25

New tables only, so plain `create_table` works on SQLite too (no batch mode needed). The
CHECK constraints are the last line against overselling: the orders code moves `sold` and
`reserved` with conditional updates, and the database refuses any that would pass the quota.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_events_and_store"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
# Spelled out (not imported from tables.py): a migration is frozen once released.
_VENUE = ("venue_name", "venue_lat", "venue_lon", "venue_country")
VENUE_ALL_OR_NOTHING = "({}) OR ({})".format(
    " AND ".join(f"{c} IS NULL" for c in _VENUE),
    " AND ".join(f"{c} IS NOT NULL" for c in _VENUE),
)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=True),
        sa.Column("venue_name", sa.String(200), nullable=True),
        sa.Column("venue_lat", sa.Double(), nullable=True),
        sa.Column("venue_lon", sa.Double(), nullable=True),
        sa.Column("venue_country", sa.String(2), nullable=True, comment="ISO 3166-1 alpha-2"),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("phase_changed_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(VENUE_ALL_OR_NOTHING, name="ck_events_venue_all_or_nothing"),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name="fk_events_entity_id_entities", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_entity_id_starts_at", "events", ["entity_id", "starts_at"])
    op.create_index("ix_events_starts_at_id", "events", ["starts_at", "id"])
    op.create_index("ix_events_phase", "events", ["phase"])
    op.create_index("ix_events_venue_lat_venue_lon", "events", ["venue_lat", "venue_lon"])

    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column(
            "entity_id",
            sa.Uuid(),
            nullable=False,
            comment="the event's entity, for permission checks",
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False, comment="minor units"),
        sa.Column("price_currency", sa.String(3), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sales_start", TIMESTAMP, nullable=True),
        sa.Column("sales_end", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("sold >= 0", name="ck_ticket_types_sold_not_negative"),
        sa.CheckConstraint("reserved >= 0", name="ck_ticket_types_reserved_not_negative"),
        sa.CheckConstraint("sold + reserved <= quota", name="ck_ticket_types_within_quota"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_ticket_types_event_id_events", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_types"),
    )
    op.create_index(
        "ix_ticket_types_event_id_created_at", "ticket_types", ["event_id", "created_at", "id"]
    )

    op.create_table(
        "products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False, comment="minor units"),
        sa.Column("price_currency", sa.String(3), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True, comment="NULL: unlimited"),
        sa.Column("sold", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("visibility", sa.String(20), nullable=False),
        sa.Column(
            "asset_id", sa.Uuid(), nullable=True, comment="no foreign key until assets exist"
        ),
        sa.Column("published_at", TIMESTAMP, nullable=True, comment="NULL: a draft"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("sold >= 0", name="ck_products_sold_not_negative"),
        sa.CheckConstraint("reserved >= 0", name="ck_products_reserved_not_negative"),
        sa.CheckConstraint(
            "stock IS NULL OR sold + reserved <= stock", name="ck_products_within_stock"
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name="fk_products_entity_id_entities",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
    )
    op.create_index(
        "ix_products_entity_id_created_at", "products", ["entity_id", "created_at", "id"]
    )


def downgrade() -> None:
    for table in ("products", "ticket_types", "events"):
        op.drop_table(table)
