"""What the notifications context publishes: inboxes changed.

They exist for the realtime gateway, which runs in every API process and pushes to the
sockets it holds: they travel through the outbox like every other event, so a push is as
reliable and as ordered as the change that caused it, and the same signals reach outside
consumers (a mobile push service, say) on `showgeo.notifications.*`.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from showgeo_domain.shared.domain_events import DomainEvent


class NotificationEvent(DomainEvent, frozen=True, kw_only=True):
    context: ClassVar[str] = "notifications"


class NotificationsCreated(NotificationEvent, frozen=True, kw_only=True):
    """Notifications of one `kind` were added for the event `source_event_id`.

    `user_ids` names the recipients of a small, named delivery (a buyer, an entity's team);
    it is None for a fan-out to an audience (followers, ticket holders), which may be
    millions: a listener then asks the store which of *its* users got one."""

    source_event_id: UUID
    kind: str
    count: int
    user_ids: list[UUID] | None = None


class NotificationsRead(NotificationEvent, frozen=True, kw_only=True):
    """`count` of `user_id`'s notifications became read: their unread count dropped."""

    user_id: UUID
    count: int
