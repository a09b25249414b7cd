from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from showgeo_domain.events.ports import EventsUnitOfWork
from showgeo_domain.notifications.model import (
    Notification,
    NotificationDraft,
    NotificationKind,
    Preferences,
)
from showgeo_domain.shared.pagination import Page, PageRequest

# Recipients per fan-out statement: fewer statements than batches of 1,000 made a large
# fan-out measurably faster, and larger batches gained nothing more (benchmarks/fanout.py;
# the figures are in docs/benchmarks.md). The whole fan-out is one transaction either way.
DEFAULT_BATCH = 5000


class NotificationRepository(Protocol):
    """Fan-out is set-based: an adapter inserts a whole batch of recipients with one statement
    (`INSERT … SELECT` over the audience, by keyset on user id), never one row per recipient.

    Every insert skips recipients who muted the draft's kind or entity, and rows whose
    `(user_id, source_event_id, kind)` already exists, so running a fan-out again (a redelivered
    event) or over overlapping audiences adds nothing. Each returns how many rows it added."""

    async def fan_out_to_followers(
        self,
        entity_id: UUID,
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int = DEFAULT_BATCH,
    ) -> int: ...

    async def fan_out_to_ticket_holders(
        self,
        event_id: UUID,
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int = DEFAULT_BATCH,
    ) -> int:
        """Holders of the event's valid (not voided) tickets, once each."""
        ...

    async def notify(
        self,
        user_ids: Sequence[UUID],
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
    ) -> int:
        """A few named users (a buyer, an entity's team); unknown ids are skipped."""
        ...

    async def get(self, user_id: UUID, notification_id: UUID) -> Notification | None:
        """Only the user's own: someone else's notification is None."""
        ...

    async def list_for_user(
        self, user_id: UUID, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        """Newest first."""
        ...

    async def unread_count(self, user_id: UUID) -> int: ...

    async def unread_counts(self, user_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Every one of `user_ids` (0 when nothing is unread, or the user is unknown)."""
        ...

    async def created_for(
        self, source_event_id: UUID, kind: NotificationKind, user_ids: Sequence[UUID]
    ) -> list[Notification]:
        """The rows `source_event_id` added of `kind` for any of `user_ids`, one per user."""
        ...

    async def mark_read(self, user_id: UUID, ids: Sequence[UUID], now: datetime) -> int:
        """Marks the user's own unread ones among `ids`; returns how many changed."""
        ...

    async def mark_all_read(self, user_id: UUID, now: datetime) -> int: ...


class PreferencesRepository(Protocol):
    async def get(self, user_id: UUID) -> Preferences:
        """Nothing stored means nothing muted."""
        ...

    async def put(self, preferences: Preferences) -> None:
        """Replaces the user's preferences whole."""
        ...


class NotificationsUnitOfWork(EventsUnitOfWork, Protocol):
    """What the notifications use cases and consumers need: notifications and preferences,
    and the events, entities and members a fan-out reads."""

    notifications: NotificationRepository
    notification_preferences: PreferencesRepository
