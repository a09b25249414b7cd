"""The outbox as the relay reads it, and the consumers' inbox of handled events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import consumer_inbox, outbox
from showgeo_domain.shared.messaging import OutboxMessage


class SqlOutboxReader(SqlRepository):
    async def unpublished(self, limit: int) -> list[OutboxMessage]:
        """Select by `published_at IS NULL` in `sequence` order (see `outbox.py` on why not
        by a last-seen sequence). On PostgreSQL the rows stay locked until the relay's
        transaction ends and a concurrent relay skips them; SQLite has one writer anyway."""
        t = outbox
        query = (
            select(t.c.id, t.c.subject, t.c.payload, t.c.occurred_at)
            .where(t.c.published_at.is_(None))
            .order_by(t.c.sequence)
            .limit(limit)
        )
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._conn.execute(query)).all()
        return [
            OutboxMessage(
                id=r.id, subject=r.subject, payload=r.payload.encode(), occurred_at=r.occurred_at
            )
            for r in rows
        ]

    async def mark_published(self, ids: Sequence[UUID], at: datetime) -> None:
        if not ids:
            return
        t = outbox
        await self._conn.execute(
            update(t)
            .where(t.c.id.in_(list(ids)), t.c.published_at.is_(None))
            .values(published_at=at)
        )


class SqlConsumerInbox(SqlRepository):
    async def claim(self, consumer: str, event_id: UUID, at: datetime) -> bool:
        """True the first time `consumer` claims `event_id`, False after."""
        t = consumer_inbox
        result = await self._conn.execute(
            self._insert_ignoring_conflicts(t)
            .values(consumer=consumer, event_id=event_id, handled_at=at)
            .returning(t.c.event_id)
        )
        return result.first() is not None
