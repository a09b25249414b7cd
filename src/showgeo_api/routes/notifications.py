"""Notifications: the caller's inbox, unread count, reads and preferences.

Every route is about the caller's own notifications; someone else's id is a 404
(`notification_not_found`), exactly like an unknown one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import Meta

from showgeo_api.http.deps import actor_of, container_of
from showgeo_api.routes.schemas import PageOut
from showgeo_domain.identity.model import Actor
from showgeo_domain.notifications.model import Notification, NotificationKind, Preferences
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]


class NotificationOut(msgspec.Struct):
    id: UUID
    kind: NotificationKind
    title: str
    body: str
    data: dict[str, str]
    entity_id: UUID | None
    created_at: datetime
    read_at: datetime | None
    is_read: bool

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        return cls(
            n.id, n.kind, n.title, n.body, n.data, n.entity_id, n.created_at, n.read_at, n.is_read
        )


class CountOut(msgspec.Struct):
    count: int


class PreferencesIO(msgspec.Struct, forbid_unknown_fields=True):
    muted_kinds: Annotated[list[str], Meta(max_length=50)] = []
    muted_entities: Annotated[list[UUID], Meta(max_length=200)] = []

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesIO:
        return cls(
            sorted(k.value for k in preferences.muted_kinds),
            sorted(preferences.muted_entities, key=str),
        )


class NotificationsController(Controller):
    path = "/notifications"
    tags = ["notifications"]

    @get("/", security=SECURITY)
    async def list_notifications(
        self,
        request: Request[Any, Any, Any],
        unread_only: FromQuery[bool] = False,
        cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> PageOut[NotificationOut]:
        """Newest first. The caller, page and service come without dependency injection
        (see deps.container_of); the same 401 and page rules as the other routes."""
        actor = actor_of(request)
        page = PageRequest.parse(cursor, limit)
        notifications = container_of(request).notifications()
        found = await notifications.list(actor, page, unread_only=unread_only)
        return PageOut([NotificationOut.of(n) for n in found.items], found.next_cursor)

    @get("/unread-count", security=SECURITY)
    async def unread_count(
        self, actor: NamedDependency[Actor], notifications: NamedDependency[Notifications]
    ) -> CountOut:
        return CountOut(await notifications.unread_count(actor))

    @post("/{notification_id:uuid}/read", status_code=200, security=SECURITY)
    async def read(
        self,
        notification_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        notifications: NamedDependency[Notifications],
    ) -> NotificationOut:
        return NotificationOut.of(await notifications.read(actor, notification_id))

    @post("/read-all", status_code=200, security=SECURITY)
    async def read_all(
        self, actor: NamedDependency[Actor], notifications: NamedDependency[Notifications]
    ) -> CountOut:
        """`count` is how many notifications this call marked read (0 when none were unread)."""
        return CountOut(await notifications.mark_all_read(actor))

    @get("/preferences", security=SECURITY)
    async def preferences(
        self, actor: NamedDependency[Actor], notifications: NamedDependency[Notifications]
    ) -> PreferencesIO:
        return PreferencesIO.of(await notifications.preferences(actor))

    @put("/preferences", security=SECURITY)
    async def set_preferences(
        self,
        data: JSONBody[PreferencesIO],
        actor: NamedDependency[Actor],
        notifications: NamedDependency[Notifications],
    ) -> PreferencesIO:
        saved = await notifications.set_preferences(actor, data.muted_kinds, data.muted_entities)
        return PreferencesIO.of(saved)
