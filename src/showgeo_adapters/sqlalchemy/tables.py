"""The schema, as SQLAlchemy Core tables.

Domain objects are plain dataclasses; repositories map rows to them by hand, so the domain
never learns about SQLAlchemy. The Alembic migrations are the source of truth for deployed
databases; these tables must describe the same schema (a contract test compares them).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from showgeo_adapters.sqlalchemy.columns import UtcDateTime

# Named constraints let Alembic's batch mode (SQLite) alter them later.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntegerPk = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("username", String(30), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("display_name", String(80), nullable=False),
    Column("bio", Text, nullable=True),
    Column("is_private", Boolean, nullable=False, server_default=false()),
    Column("roles", String(200), nullable=False, comment="comma-separated Role values"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

refresh_families = Table(
    "refresh_families",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "family_id",
        Uuid,
        ForeignKey("refresh_families.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("slug", String(64), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("bio", Text, nullable=True),
    Column("verified", Boolean, nullable=False, server_default=false()),
    Column("verified_at", UtcDateTime, nullable=True),
    Column("verification_requested_at", UtcDateTime, nullable=True),
    Column("follower_count", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_entities_created_at_id", "created_at", "id"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_memberships_user_id_created_at", "user_id", "created_at", "entity_id"),
)

follows = Table(
    "follows",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_follows_entity_id_created_at", "entity_id", "created_at", "user_id"),
    Index("ix_follows_user_id_created_at", "user_id", "created_at", "entity_id"),
    # Fan-out walks an entity's followers in user id order (keyset batches).
    Index("ix_follows_entity_id_user_id", "entity_id", "user_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column(
        "sequence",
        BigIntegerPk,
        primary_key=True,
        autoincrement=True,
        comment="insertion order; the relay publishes in this order",
    ),
    Column("id", Uuid, nullable=False, unique=True, comment="the domain event's id"),
    Column("subject", String(200), nullable=False),
    Column("payload", Text, nullable=False, comment="msgspec JSON of the event"),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Index(
        "ix_outbox_unpublished",
        "sequence",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)


# Handled events per consumer: a handler's work and its claim commit together, so an event is
# handled once per consumer however often the bus delivers it.
consumer_inbox = Table(
    "consumer_inbox",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("handled_at", UtcDateTime, nullable=False),
)

# A venue is all four columns or none of them.
_VENUE_COLUMNS = ("venue_name", "venue_lat", "venue_lon", "venue_country")
VENUE_ALL_OR_NOTHING = "({}) OR ({})".format(
    " AND ".join(f"{c} IS NULL" for c in _VENUE_COLUMNS),
    " AND ".join(f"{c} IS NOT NULL" for c in _VENUE_COLUMNS),
)

events = Table(
    "events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("venue_name", String(200), nullable=True),
    Column("venue_lat", Double, nullable=True),
    Column("venue_lon", Double, nullable=True),
    Column("venue_country", String(2), nullable=True, comment="ISO 3166-1 alpha-2"),
    Column("phase", String(20), nullable=False),
    Column("phase_changed_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(VENUE_ALL_OR_NOTHING, name="venue_all_or_nothing"),
    Index("ix_events_entity_id_starts_at", "entity_id", "starts_at"),
    Index("ix_events_starts_at_id", "starts_at", "id"),
    Index("ix_events_phase", "phase"),
    Index("ix_events_venue_lat_venue_lon", "venue_lat", "venue_lon"),
)

ticket_types = Table(
    "ticket_types",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("event_id", Uuid, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Uuid, nullable=False, comment="the event's entity, for permission checks"),
    Column("name", String(100), nullable=False),
    Column("description", Text, nullable=True),
    Column("price_amount", BigInteger, nullable=False, comment="minor units"),
    Column("price_currency", String(3), nullable=False),
    Column("quota", Integer, nullable=False),
    Column("hidden", Boolean, nullable=False, server_default=false(), comment="not on sale"),
    Column("sold", Integer, nullable=False, server_default=text("0")),
    Column("reserved", Integer, nullable=False, server_default=text("0")),
    Column("sales_start", UtcDateTime, nullable=True),
    Column("sales_end", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("sold >= 0", name="sold_not_negative"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("sold + reserved <= quota", name="within_quota"),
    Index("ix_ticket_types_event_id_created_at", "event_id", "created_at", "id"),
)

products = Table(
    "products",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("kind", String(20), nullable=False),
    Column("price_amount", BigInteger, nullable=False, comment="minor units"),
    Column("price_currency", String(3), nullable=False),
    Column("stock", Integer, nullable=True, comment="NULL: unlimited"),
    Column("sold", Integer, nullable=False, server_default=text("0")),
    Column("reserved", Integer, nullable=False, server_default=text("0")),
    Column("visibility", String(20), nullable=False),
    Column("asset_id", Uuid, nullable=True, comment="no foreign key until assets exist"),
    Column("published_at", UtcDateTime, nullable=True, comment="NULL: a draft"),
    Column("archived_at", UtcDateTime, nullable=True, comment="withdrawn; orders keep it"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("sold >= 0", name="sold_not_negative"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("stock IS NULL OR sold + reserved <= stock", name="within_stock"),
    Index("ix_products_entity_id_created_at", "entity_id", "created_at", "id"),
)

# Orders are financial records: deleting the buyer or the seller must never erase what was
# paid and refunded, so both foreign keys RESTRICT (users are never deleted today; entities
# with orders are refused with a 409 by the repository before the database has to).
orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("buyer_id", Uuid, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="RESTRICT"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("total_amount", BigInteger, nullable=False, comment="minor units"),
    Column("currency", String(3), nullable=False, comment="of the total, lines and refunds"),
    Column("refunded_amount", BigInteger, nullable=False, server_default=text("0")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, comment="end of the reservation"),
    Column("paid_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("payment_ref", String(255), nullable=True, index=True),
    Column("idempotency_key", String(255), nullable=True),
    Column("request_fingerprint", String(64), nullable=True, comment="SHA-256 of the items"),
    CheckConstraint("total_amount >= 0", name="total_not_negative"),
    CheckConstraint(
        "refunded_amount >= 0 AND refunded_amount <= total_amount", name="refund_within_total"
    ),
    # NULL keys are distinct on both databases: orders without a key never clash.
    UniqueConstraint("buyer_id", "idempotency_key"),
    Index("ix_orders_status_expires_at", "status", "expires_at"),
    Index("ix_orders_buyer_id_created_at_id", "buyer_id", "created_at", "id"),
    # The seller's orders, newest first (keyset pages).
    Index("ix_orders_entity_id_created_at_id", "entity_id", "created_at", "id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, comment="the line's place in the order"),
    Column("kind", String(20), nullable=False),
    Column("item_id", Uuid, nullable=False, comment="ticket type or product, by kind"),
    Column("entity_id", Uuid, nullable=False),
    Column("event_id", Uuid, nullable=True, comment="ticket lines only"),
    Column("title", String(400), nullable=False, comment="as it read when ordered"),
    Column("unit_amount", BigInteger, nullable=False, comment="minor units, frozen at order"),
    Column("currency", String(3), nullable=False),
    Column("quantity", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    # Cancelling an event looks up the paid orders holding its seats.
    Index("ix_order_lines_event_id", "event_id"),
)

# A ticket is proof of purchase: its event and type cannot vanish under it (RESTRICT).
tickets = Table(
    "tickets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column(
        "ticket_type_id",
        Uuid,
        ForeignKey("ticket_types.id", ondelete="RESTRICT"),
        nullable=False,
    ),
    Column("event_id", Uuid, ForeignKey("events.id", ondelete="RESTRICT"), nullable=False),
    Column("holder_id", Uuid, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("checked_in_at", UtcDateTime, nullable=True),
    Column("voided_at", UtcDateTime, nullable=True),
    Index("ix_tickets_holder_id_issued_at_id", "holder_id", "issued_at", "id"),
    Index("ix_tickets_order_id", "order_id"),
    # An event's attendees, newest first (keyset pages).
    Index("ix_tickets_event_id_issued_at_id", "event_id", "issued_at", "id"),
)

# Verified payment webhooks, stored raw before they are acted on. The primary key is the
# provider's event id: a replayed delivery finds its row and is acknowledged without effect.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("provider", String(40), primary_key=True),
    Column("event_ref", String(255), primary_key=True, comment="the provider's event id"),
    Column("payload", LargeBinary, nullable=False, comment="the raw body as received"),
    Column("received_at", UtcDateTime, nullable=False),
    Column("processed_at", UtcDateTime, nullable=True),
)

# One row per notification in a user's inbox. `(user_id, source_event_id, kind)` is unique: a
# fan-out that runs again, or audiences that overlap, insert nothing twice (ON CONFLICT DO
# NOTHING). `entity_id` has no foreign key: the inbox keeps its history when an entity goes.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("data", Text, nullable=False, comment="JSON object of strings"),
    Column("entity_id", Uuid, nullable=True),
    Column("source_event_id", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    UniqueConstraint("user_id", "source_event_id", "kind"),
    Index("ix_notifications_user_id_created_at", "user_id", "created_at", "id"),
    # Unread counts and the unread-only list read only the unread rows.
    Index(
        "ix_notifications_unread",
        "user_id",
        "created_at",
        "id",
        postgresql_where=text("read_at IS NULL"),
        sqlite_where=text("read_at IS NULL"),
    ),
)

# Preferences, normalised so the fan-out's NOT EXISTS filters are primary-key lookups.
notification_muted_kinds = Table(
    "notification_muted_kinds",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(30), primary_key=True),
)

notification_muted_entities = Table(
    "notification_muted_entities",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
)

# The stream of an event (one at most, keyed by the event). `geofence` is the msgspec JSON of
# the domain's Geofence.
streams = Table(
    "streams",
    metadata,
    Column("event_id", Uuid, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Uuid, nullable=False),
    Column("access_level", String(20), nullable=False),
    Column("geofence", Text, nullable=False, comment="JSON of the geofence rules"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One row per participant connection (LiveKit gives each its own sid). Each end is written
# once (`… WHERE joined_at IS NULL`), so repeated or late webhooks change nothing.
stream_sessions = Table(
    "stream_sessions",
    metadata,
    Column("event_id", Uuid, ForeignKey("streams.event_id", ondelete="CASCADE"), primary_key=True),
    Column("participant_sid", String(64), primary_key=True),
    Column("identity", String(255), nullable=False),
    Column("joined_at", UtcDateTime, nullable=True),
    Column("left_at", UtcDateTime, nullable=True),
)

# Recordings of an event's room and the ingresses made for it, keyed by the media server's
# ids (the call's answer and a webhook may race to write one first: ON CONFLICT DO NOTHING).
stream_recordings = Table(
    "stream_recordings",
    metadata,
    Column("egress_id", String(64), primary_key=True),
    Column("event_id", Uuid, ForeignKey("streams.event_id", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("location", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("started_at", UtcDateTime, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("duration_seconds", Double, nullable=True),
    Column("size_bytes", BigInteger, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_stream_recordings_event_id", "event_id", "created_at"),
)

stream_ingresses = Table(
    "stream_ingresses",
    metadata,
    Column("ingress_id", String(64), primary_key=True),
    Column("event_id", Uuid, ForeignKey("streams.event_id", ondelete="CASCADE"), nullable=False),
    Column("protocol", String(10), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("error", Text, nullable=True),
    Column("started_at", UtcDateTime, nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("reported_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_stream_ingresses_event_id", "event_id", "created_at"),
)

# Uploaded files. The bytes live in object storage under `key` (derived from the id); the
# variants (thumbnail, display) are a small JSON list owned by the row. Entity and event
# links cascade: their rows go with them (see docs/assets.md for the objects left behind).
assets = Table(
    "assets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("key", String(300), nullable=False, unique=True),
    Column("content_type", String(100), nullable=True),
    Column("size", BigInteger, nullable=True, comment="bytes of the original"),
    Column("filename", String(200), nullable=True, comment="as uploaded, display only"),
    Column("entity_id", Uuid, ForeignKey("entities.id", ondelete="CASCADE"), nullable=True),
    Column("event_id", Uuid, ForeignKey("events.id", ondelete="CASCADE"), nullable=True),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("failure_reason", String(500), nullable=True),
    Column("variants", Text, nullable=False, comment="JSON list of the stored variants"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_assets_owner_id_created_at", "owner_id", "created_at", "id"),
    Index("ix_assets_entity_id", "entity_id"),
)

# Finding the products that carry an asset: delete's in-use check, purchasers' access.
Index("ix_products_asset_id", products.c.asset_id)


# Analytics: one number per (scope, subject, metric, day). A recompute writes a day's non-zero
# aggregates; consumers add to today's rows between recomputes (showgeo_domain.analytics).
# Money metrics are minor units with the currency in the name (`store_revenue.EUR`).
analytics_metrics = Table(
    "analytics_metrics",
    metadata,
    Column("scope", String(10), primary_key=True),
    Column("subject_id", Uuid, primary_key=True, comment="no foreign key: history outlives it"),
    Column("metric", String(60), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("value", Double, nullable=False),
    # A recompute replaces one scope's day; popular lists read one metric of one day.
    Index("ix_analytics_metrics_scope_day_metric", "scope", "day", "metric"),
)

# Each entity's most similar entities (cosine of interaction vectors), per neighbour set: a
# recompute writes generation n + 1 while readers use n, then switches in one commit.
analytics_neighbours = Table(
    "analytics_neighbours",
    metadata,
    Column("generation", Integer, primary_key=True),
    Column("entity_id", Uuid, primary_key=True),
    Column("neighbour_id", Uuid, primary_key=True),
    Column("similarity", Double, nullable=False),
    Index("ix_analytics_neighbours_generation_neighbour_id", "generation", "neighbour_id"),
)

# Recompute jobs. `active_slot` is 'recompute' while a job is QUEUED or RUNNING and NULL
# after: its UNIQUE constraint lets one job be active at a time (NULLs never clash).
analytics_jobs = Table(
    "analytics_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("trigger", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("active_slot", String(20), nullable=True, unique=True),
    Column("progress", Double, nullable=False),
    Column("stage", String(100), nullable=False),
    Column("requested_by", Uuid, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("error", Text, nullable=True),
    # Runs of the job so far: the lease's fencing token (migration 0011).
    Column("attempts", Integer, nullable=False, server_default="1"),
)

# Images shown on a profile, an entity or an event (docs/assets.md). `target_id` has no
# foreign key (it names a user, an entity or an event by `target`); links whose target is gone
# stop counting as uses of the asset and go with it.
asset_links = Table(
    "asset_links",
    metadata,
    Column("target", String(10), primary_key=True),
    Column("target_id", Uuid, primary_key=True),
    Column("role", String(10), primary_key=True),
    Column("asset_id", Uuid, ForeignKey("assets.id", ondelete="RESTRICT"), primary_key=True),
    Column("linked_at", UtcDateTime, nullable=False),
    Index("ix_asset_links_asset_id", "asset_id"),
)

# Password reset links (docs/mail.md): only the hash of the link's token is stored.
password_resets = Table(
    "password_resets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

# One row per mail, keyed (source event, recipient, template): what makes each mail go out
# once. It keeps the source event (its public payload) so a retry composes the mail again.
sent_mail = Table(
    "sent_mail",
    metadata,
    Column("source_event_id", Uuid, primary_key=True),
    Column("recipient", String(254), primary_key=True),
    Column("template", String(50), primary_key=True),
    Column("source_subject", String(200), nullable=False),
    Column("source_payload", LargeBinary, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("message_id", String(300), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Index("ix_sent_mail_status", "status", "next_attempt_at"),
    Index("ix_sent_mail_recipient", "recipient", "sent_at"),
)
