"""Mail: password reset links (hash of the token only) and the record of every mail sent.

Revision ID: 0013_mail
Revises: 0012_stream_recordings_ingresses
Create Date: 2026-12-07

`sent_mail` is keyed (source event, recipient, template): a redelivered event finds its row
and sends nothing again. Pending rows are found by (status, next attempt); the hourly cap
counts a recipient's rows by sent time.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_mail"
down_revision: str | None = "0012_stream_recordings_ingresses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_password_resets_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_password_resets"),
        sa.UniqueConstraint("token_hash", name="uq_password_resets_token_hash"),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])
    op.create_table(
        "sent_mail",
        sa.Column("source_event_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("template", sa.String(50), nullable=False),
        sa.Column("source_subject", sa.String(200), nullable=False),
        sa.Column("source_payload", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(300), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("source_event_id", "recipient", "template", name="pk_sent_mail"),
    )
    op.create_index("ix_sent_mail_status", "sent_mail", ["status", "next_attempt_at"])
    op.create_index("ix_sent_mail_recipient", "sent_mail", ["recipient", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_sent_mail_recipient", table_name="sent_mail")
    op.drop_index("ix_sent_mail_status", table_name="sent_mail")
    op.drop_table("sent_mail")
    op.drop_index("ix_password_resets_user_id", table_name="password_resets")
    op.drop_table("password_resets")
