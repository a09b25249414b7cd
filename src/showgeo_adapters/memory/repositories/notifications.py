"""Notifications in memory, with the SQL adapter's semantics: the `(user, source event, kind)`
key drops duplicates, mutes are applied at insert, fan-out walks the audience by user id."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from showgeo_adapters.memory.repositories._base import MemoryRepository, newest_first_page
from showgeo_domain.notifications.model import (
    Notification,
    NotificationDraft,
    NotificationKind,
    Preferences,
)
from showgeo_domain.notifications.ports import DEFAULT_BATCH
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import Page, PageRequest


class MemoryNotificationRepository(MemoryRepository):
    async def fan_out_to_followers(
        self,
        entity_id: UUID,
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int = DEFAULT_BATCH,
    ) -> int:
        audience = {u for (u, e) in self.state.follows if e == entity_id}
        return self._insert(sorted(audience), draft, source_event_id, now)

    async def fan_out_to_ticket_holders(
        self,
        event_id: UUID,
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
        batch_size: int = DEFAULT_BATCH,
    ) -> int:
        audience = {
            t.holder_id
            for t in self.state.tickets.values()
            if t.event_id == event_id and t.voided_at is None
        }
        return self._insert(sorted(audience), draft, source_event_id, now)

    async def notify(
        self,
        user_ids: Sequence[UUID],
        draft: NotificationDraft,
        source_event_id: UUID,
        now: datetime,
    ) -> int:
        known = {u for u in user_ids if u in self.state.users}
        return self._insert(sorted(known), draft, source_event_id, now)

    def _insert(
        self, users: Iterable[UUID], draft: NotificationDraft, source: UUID, now: datetime
    ) -> int:
        added = 0
        for user_id in users:
            key = (user_id, source, draft.kind)
            prefs = self.state.notification_preferences.get(user_id)
            if key in self.state.notification_keys or (
                prefs is not None and prefs.mutes(draft.kind, draft.entity_id)
            ):
                continue
            notification = Notification(
                id=new_id(),
                user_id=user_id,
                kind=draft.kind,
                title=draft.title,
                body=draft.body,
                data=dict(draft.data),
                entity_id=draft.entity_id,
                source_event_id=source,
                created_at=now,
            )
            self.state.notifications[notification.id] = notification
            self.state.notification_keys.add(key)
            added += 1
        return added

    async def get(self, user_id: UUID, notification_id: UUID) -> Notification | None:
        found = self.state.notifications.get(notification_id)
        return found if found is not None and found.user_id == user_id else None

    async def list_for_user(
        self, user_id: UUID, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        rows = [
            n
            for n in self.state.notifications.values()
            if n.user_id == user_id and not (unread_only and n.is_read)
        ]
        return newest_first_page(rows, page, Notification.key)

    async def unread_count(self, user_id: UUID) -> int:
        return sum(
            1 for n in self.state.notifications.values() if n.user_id == user_id and not n.is_read
        )

    async def unread_counts(self, user_ids: Sequence[UUID]) -> dict[UUID, int]:
        counts = dict.fromkeys(user_ids, 0)
        for n in self.state.notifications.values():
            if n.user_id in counts and not n.is_read:
                counts[n.user_id] += 1
        return counts

    async def created_for(
        self, source_event_id: UUID, kind: NotificationKind, user_ids: Sequence[UUID]
    ) -> list[Notification]:
        wanted = set(user_ids)
        return [
            n
            for n in self.state.notifications.values()
            if n.source_event_id == source_event_id and n.kind == kind and n.user_id in wanted
        ]

    async def mark_read(self, user_id: UUID, ids: Sequence[UUID], now: datetime) -> int:
        return self._mark((self.state.notifications.get(i) for i in set(ids)), user_id, now)

    async def mark_all_read(self, user_id: UUID, now: datetime) -> int:
        return self._mark(list(self.state.notifications.values()), user_id, now)

    def _mark(self, found: Iterable[Notification | None], user_id: UUID, now: datetime) -> int:
        changed = 0
        for n in found:
            if n is not None and n.user_id == user_id and not n.is_read:
                self.state.notifications[n.id] = dataclasses.replace(n, read_at=now)
                changed += 1
        return changed


class MemoryPreferencesRepository(MemoryRepository):
    async def get(self, user_id: UUID) -> Preferences:
        return self.state.notification_preferences.get(user_id) or Preferences(user_id)

    async def put(self, preferences: Preferences) -> None:
        self.state.notification_preferences[preferences.user_id] = preferences
