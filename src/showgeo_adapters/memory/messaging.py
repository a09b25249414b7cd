"""OutboxReader and ConsumerInbox in memory: the same answers as the SQL tables.

The committed events live in `MemoryStore.outbox` (appended on commit, never removed);
which of them are published is unit-of-work state (`MemoryState.published`), so marking
rolls back with everything else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from showgeo_adapters.memory.state import MemoryState
from showgeo_domain.shared.domain_events import DomainEvent
from showgeo_domain.shared.messaging import OutboxMessage


class MemoryOutboxReader:
    def __init__(self, state: MemoryState, outbox: list[DomainEvent]) -> None:
        self.state = state
        self.outbox = outbox

    async def unpublished(self, limit: int) -> list[OutboxMessage]:
        waiting = [e for e in self.outbox if e.id not in self.state.published][:limit]
        return [
            OutboxMessage(
                id=e.id,
                subject=type(e).subject(),
                payload=msgspec.json.encode(e),
                occurred_at=e.occurred_at,
            )
            for e in waiting
        ]

    async def mark_published(self, ids: Sequence[UUID], at: datetime) -> None:
        known = {e.id for e in self.outbox}
        for event_id in ids:
            if event_id in known:
                self.state.published.setdefault(event_id, at)


class MemoryConsumerInbox:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    async def claim(self, consumer: str, event_id: UUID, at: datetime) -> bool:
        key = (consumer, event_id)
        if key in self.state.consumer_inbox:
            return False
        self.state.consumer_inbox[key] = at
        return True
