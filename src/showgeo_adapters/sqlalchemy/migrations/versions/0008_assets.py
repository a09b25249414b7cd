"""Assets: uploaded files, their variants, the images linked to profiles, entities and
events, and the products index that finds their uses.

Revision ID: 0008_assets
Revises: 0009_streaming
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_assets"
down_revision: str | None = "0009_streaming"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("visibility", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True, comment="bytes of the original"),
        sa.Column("filename", sa.String(200), nullable=True, comment="as uploaded, display only"),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("failure_reason", sa.String(500), nullable=True),
        sa.Column(
            "variants", sa.Text(), nullable=False, comment="JSON list of the stored variants"
        ),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_assets_owner_id_users", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name="fk_assets_entity_id_entities", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_assets_event_id_events", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assets"),
        sa.UniqueConstraint("key", name="uq_assets_key"),
    )
    op.create_index("ix_assets_owner_id_created_at", "assets", ["owner_id", "created_at", "id"])
    op.create_index("ix_assets_entity_id", "assets", ["entity_id"])
    op.create_index("ix_products_asset_id", "products", ["asset_id"])
    op.create_table(
        "asset_links",
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("linked_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name="fk_asset_links_asset_id_assets", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("target", "target_id", "role", "asset_id", name="pk_asset_links"),
    )
    op.create_index("ix_asset_links_asset_id", "asset_links", ["asset_id"])


def downgrade() -> None:
    op.drop_index("ix_asset_links_asset_id", table_name="asset_links")
    op.drop_table("asset_links")
    op.drop_index("ix_products_asset_id", table_name="products")
    op.drop_index("ix_assets_entity_id", table_name="assets")
    op.drop_index("ix_assets_owner_id_created_at", table_name="assets")
    op.drop_table("assets")
