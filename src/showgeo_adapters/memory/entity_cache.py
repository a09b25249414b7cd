"""Entity pages cached in this process's memory (the default without REDIS_URL).

Entries expire after `ttl_seconds`; at most `max_entries` are kept (the oldest inserted go
first). Values are stored encoded (`entity_codec`), so a caller can never change a cached
entity through the object it was given."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from uuid import UUID

from showgeo_adapters.entity_codec import decode_entity, encode_entity
from showgeo_domain.entities.model import Entity


class MemoryEntityCache:
    def __init__(
        self,
        ttl_seconds: float = 10.0,
        max_entries: int = 50_000,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._now = now
        self._entries: OrderedDict[UUID, tuple[float, bytes]] = OrderedDict()

    async def get(self, entity_id: UUID) -> Entity | None:
        found = self._entries.get(entity_id)
        if found is None:
            return None
        expires, data = found
        if self._now() >= expires:
            self._entries.pop(entity_id, None)
            return None
        return decode_entity(data)

    async def put(self, entity: Entity) -> None:
        self._entries.pop(entity.id, None)
        self._entries[entity.id] = (self._now() + self._ttl, encode_entity(entity))
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def forget(self, entity_id: UUID) -> None:
        self._entries.pop(entity_id, None)
