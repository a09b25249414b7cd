"""Notification use cases: a user's inbox, its unread count, and what they muted.

Every action works on the caller's own notifications only: ids of someone else's are ignored
(a single unknown or foreign id is `NotificationNotFound`, so existence does not leak).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from showgeo_domain.identity.model import Actor
from showgeo_domain.notifications.domain_events import NotificationsRead
from showgeo_domain.notifications.errors import NotificationNotFound
from showgeo_domain.notifications.model import (
    Notification,
    NotificationKind,
    Preferences,
    parse_kinds,
)
from showgeo_domain.notifications.ports import NotificationsUnitOfWork
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.pagination import Page, PageRequest
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory

MAX_IDS_PER_CALL = 500


class Notifications:
    def __init__(self, uow: UnitOfWorkFactory[NotificationsUnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def list(
        self, actor: Actor, page: PageRequest, *, unread_only: bool = False
    ) -> Page[Notification]:
        async with self._uow(read_only=True) as uow:
            return await uow.notifications.list_for_user(actor.user_id, page, unread_only)

    async def unread_count(self, actor: Actor) -> int:
        async with self._uow(read_only=True) as uow:
            return await uow.notifications.unread_count(actor.user_id)

    async def read(self, actor: Actor, notification_id: UUID) -> Notification:
        """Marks one of the caller's notifications read (again: no change) and returns it."""
        async with self._uow() as uow:
            if await uow.notifications.get(actor.user_id, notification_id) is None:
                raise NotificationNotFound("no such notification")
            changed = await uow.notifications.mark_read(
                actor.user_id, [notification_id], self._clock.now()
            )
            self._announce(uow, actor, changed)
            found = await uow.notifications.get(actor.user_id, notification_id)
            await uow.commit()
            assert found is not None
            return found

    async def mark_read(self, actor: Actor, ids: Sequence[UUID]) -> int:
        """How many of the caller's unread notifications among `ids` became read."""
        if len(ids) > MAX_IDS_PER_CALL:
            raise InvalidInput(f"at most {MAX_IDS_PER_CALL} ids at once", field="ids")
        if not ids:
            return 0
        async with self._uow() as uow:
            changed = await uow.notifications.mark_read(
                actor.user_id, list(dict.fromkeys(ids)), self._clock.now()
            )
            self._announce(uow, actor, changed)
            await uow.commit()
            return changed

    async def mark_all_read(self, actor: Actor) -> int:
        async with self._uow() as uow:
            changed = await uow.notifications.mark_all_read(actor.user_id, self._clock.now())
            self._announce(uow, actor, changed)
            await uow.commit()
            return changed

    async def unread_counts(self, user_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Each user's unread count (0 included), in one query: what the gateway sends the
        sockets it holds after their inboxes changed."""
        if not user_ids:
            return {}
        async with self._uow() as uow:
            return await uow.notifications.unread_counts(user_ids)

    async def created_for(
        self, source_event_id: UUID, kind: str, user_ids: Sequence[UUID]
    ) -> Sequence[Notification]:
        """The notifications of `kind` that `source_event_id` gave to any of `user_ids`: the
        gateway's question after a fan-out, asked only for the users it has sockets for."""
        if not user_ids:
            return []
        async with self._uow() as uow:
            return await uow.notifications.created_for(
                source_event_id, NotificationKind(kind), user_ids
            )

    def _announce(self, uow: NotificationsUnitOfWork, actor: Actor, changed: int) -> None:
        """The caller's other sockets, on any process, learn the new count from this."""
        if changed:
            uow.record(
                NotificationsRead(
                    occurred_at=self._clock.now(), user_id=actor.user_id, count=changed
                )
            )

    async def preferences(self, actor: Actor) -> Preferences:
        async with self._uow() as uow:
            return await uow.notification_preferences.get(actor.user_id)

    async def set_preferences(
        self, actor: Actor, muted_kinds: Sequence[str], muted_entities: Sequence[UUID]
    ) -> Preferences:
        """Replaces the caller's preferences; every muted entity must exist."""
        preferences = Preferences(
            user_id=actor.user_id,
            muted_kinds=parse_kinds(muted_kinds),
            muted_entities=frozenset(muted_entities),
        )
        async with self._uow() as uow:
            found = await uow.entities.get_many(list(preferences.muted_entities))
            missing = preferences.muted_entities - found.keys()
            if missing:
                raise InvalidInput(
                    f"unknown entity {sorted(missing, key=str)[0]}", field="muted_entities"
                )
            await uow.notification_preferences.put(preferences)
            await uow.commit()
            return preferences
