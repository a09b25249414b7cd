"""The first page of a user's notifications read by hand (`GET /notifications`)."""

from __future__ import annotations

from uuid import UUID

from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository, RecordRow
from showgeo_adapters.sqlalchemy.repositories.notifications import (
    SqlNotificationRepository,
    notification_of,
)
from showgeo_domain.notifications.model import Notification
from showgeo_domain.shared.pagination import Page, PageRequest, page_of

_FIRST_PAGE = """SELECT id, user_id, kind, title, body, data, entity_id, source_event_id,
created_at, read_at FROM notifications WHERE user_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2"""


class PostgresNotificationRepository(PostgresRepository, SqlNotificationRepository):
    async def list_for_user(
        self, user_id: UUID, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        rows = None
        if page.after is None and not unread_only:
            rows = await self._fetch(_FIRST_PAGE, user_id, page.limit + 1)
        if rows is None:
            return await super().list_for_user(user_id, page, unread_only)
        return page_of([notification_of(RecordRow(row)) for row in rows], page, Notification.key)
