"""Everything the memory adapters hold, in one object so a unit of work can copy it whole."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from showgeo_domain.analytics.jobs import RecomputeJob
from showgeo_domain.assets.image_links import AssetLink
from showgeo_domain.assets.model import Asset
from showgeo_domain.entities.model import Entity, Membership
from showgeo_domain.events.model import Event, TicketType
from showgeo_domain.follow.model import Follow
from showgeo_domain.identity.model import PasswordReset, RefreshFamily, RefreshToken, User
from showgeo_domain.mail.model import MailKey, SentMail
from showgeo_domain.notifications.model import Notification, NotificationKind, Preferences
from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.shared.domain_events import DomainEvent
from showgeo_domain.store.model import Product
from showgeo_domain.streaming.model import Stream, StreamIngress, StreamRecording, ViewerSession


@dataclass
class WebhookEvent:
    """A verified provider delivery, as the SQL adapter's `webhook_events` row."""

    payload: bytes
    received_at: datetime
    processed_at: datetime | None = None


@dataclass
class MemoryState:
    users: dict[UUID, User] = field(default_factory=dict)
    refresh_families: dict[UUID, RefreshFamily] = field(default_factory=dict)
    refresh_tokens: dict[UUID, RefreshToken] = field(default_factory=dict)
    entities: dict[UUID, Entity] = field(default_factory=dict)
    memberships: dict[tuple[UUID, UUID], Membership] = field(default_factory=dict)
    follows: dict[tuple[UUID, UUID], Follow] = field(default_factory=dict)
    """Keyed (user_id, entity_id)."""
    events: dict[UUID, Event] = field(default_factory=dict)
    ticket_types: dict[UUID, TicketType] = field(default_factory=dict)
    products: dict[UUID, Product] = field(default_factory=dict)
    orders: dict[UUID, Order] = field(default_factory=dict)
    """Each order holds its lines, as the SQL adapter loads them with it."""
    tickets: dict[UUID, Ticket] = field(default_factory=dict)
    webhook_events: dict[tuple[str, str], WebhookEvent] = field(default_factory=dict)
    """Keyed (provider, event_ref)."""
    published: dict[UUID, datetime] = field(default_factory=dict)
    """When each outbox event (`MemoryStore.outbox`) was published, by event id."""
    consumer_inbox: dict[tuple[str, UUID], datetime] = field(default_factory=dict)
    """Handled events keyed (consumer, event_id)."""
    notifications: dict[UUID, Notification] = field(default_factory=dict)
    notification_keys: set[tuple[UUID, UUID, NotificationKind]] = field(default_factory=set)
    """The unique key (user_id, source_event_id, kind) of every stored notification."""
    notification_preferences: dict[UUID, Preferences] = field(default_factory=dict)
    assets: dict[UUID, Asset] = field(default_factory=dict)
    asset_links: list[AssetLink] = field(default_factory=list)
    streams: dict[UUID, Stream] = field(default_factory=dict)
    """Keyed by event id."""
    viewer_sessions: dict[tuple[UUID, str], ViewerSession] = field(default_factory=dict)
    stream_recordings: dict[str, StreamRecording] = field(default_factory=dict)
    stream_ingresses: dict[str, StreamIngress] = field(default_factory=dict)
    """Keyed (event_id, participant_sid)."""
    analytics_metrics: dict[tuple[str, UUID, str, date], float] = field(default_factory=dict)
    """Keyed (scope, subject_id, metric, day), as the `analytics_metrics` table."""
    analytics_neighbours: dict[tuple[int, UUID, UUID], float] = field(default_factory=dict)
    """Keyed (generation, entity_id, neighbour_id)."""
    analytics_jobs: dict[UUID, RecomputeJob] = field(default_factory=dict)
    password_resets: dict[UUID, PasswordReset] = field(default_factory=dict)
    sent_mail: dict[MailKey, SentMail] = field(default_factory=dict)


@dataclass
class MemoryStore:
    """Committed state plus the outbox. Units of work run one at a time (like SQLite's
    single writer), each on a private copy that replaces the state only on commit."""

    state: MemoryState = field(default_factory=MemoryState)
    outbox: list[DomainEvent] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
