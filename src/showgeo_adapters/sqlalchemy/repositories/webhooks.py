"""WebhookInbox on the `webhook_events` table.

`record` is `INSERT … ON CONFLICT DO NOTHING RETURNING`: of two deliveries of one event
(a replay, or the provider retrying while we still work) exactly one inserts the row, and
the other learns it from the missing RETURNING row, without an error that would abort its
PostgreSQL transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from showgeo_adapters.sqlalchemy.repositories._base import SqlRepository
from showgeo_adapters.sqlalchemy.tables import webhook_events


class SqlWebhookInbox(SqlRepository):
    async def record(self, provider: str, event_ref: str, payload: bytes, at: datetime) -> bool:
        t = webhook_events
        result = await self._conn.execute(
            self._insert_ignoring_conflicts(t)
            .values(provider=provider, event_ref=event_ref, payload=payload, received_at=at)
            .returning(t.c.event_ref)
        )
        if result.first() is not None:
            return True
        processed_at = await self._conn.scalar(
            select(t.c.processed_at).where(t.c.provider == provider, t.c.event_ref == event_ref)
        )
        return processed_at is None

    async def mark_processed(self, provider: str, event_ref: str, at: datetime) -> None:
        t = webhook_events
        await self._conn.execute(
            update(t)
            .where(t.c.provider == provider, t.c.event_ref == event_ref, t.c.processed_at.is_(None))
            .values(processed_at=at)
        )
