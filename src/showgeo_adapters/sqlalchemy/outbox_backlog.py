"""How far the relay is behind: the events written but not published yet (`showgeo bus
status`). Counted on the partial index of unpublished rows, so it stays cheap however long
the published history grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.sqlalchemy.tables import outbox


@dataclass(frozen=True)
class OutboxBacklog:
    unpublished: int
    oldest_occurred_at: datetime | None
    """When the oldest unpublished event happened (None: nothing waits)."""


async def outbox_backlog(engine: AsyncEngine) -> OutboxBacklog:
    query = select(func.count(), func.min(outbox.c.occurred_at)).where(
        outbox.c.published_at.is_(None)
    )
    async with engine.connect() as connection:
        count, oldest = (await connection.execute(query)).one()
    return OutboxBacklog(unpublished=int(count), oldest_occurred_at=oldest)
