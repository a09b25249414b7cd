"""Claiming an event for a consumer by hand: every event every consumer handles begins
with this statement."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from showgeo_adapters.sqlalchemy.postgres.repository import PostgresRepository
from showgeo_adapters.sqlalchemy.repositories.messaging import SqlConsumerInbox

_CLAIM = """INSERT INTO consumer_inbox (consumer, event_id, handled_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING event_id"""


class PostgresConsumerInbox(PostgresRepository, SqlConsumerInbox):
    async def claim(self, consumer: str, event_id: UUID, at: datetime) -> bool:
        driver = await self._driver()
        if driver is None:
            return await super().claim(consumer, event_id, at)
        return await driver.fetchval(_CLAIM, consumer, event_id, at) is not None
