"""Entity pages cached in Redis (with REDIS_URL): one cache for every API process, so a
forget after a write reaches them all at once. Keys expire after `ttl_seconds`.

A Redis that cannot be reached is a miss (get) or nothing (put, forget): the page then comes
from PostgreSQL, and a forget that failed is bounded by the time to live."""

from __future__ import annotations

import logging
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from showgeo_adapters.entity_codec import decode_entity, encode_entity
from showgeo_domain.entities.model import Entity

log = logging.getLogger(__name__)


class RedisEntityCache:
    def __init__(
        self, redis: Redis, ttl_seconds: float = 10.0, prefix: str = "showgeo:entity:"
    ) -> None:
        self._redis = redis
        self._ttl_ms = int(ttl_seconds * 1000)
        self._prefix = prefix

    def _key(self, entity_id: UUID) -> str:
        return f"{self._prefix}{entity_id}"

    async def get(self, entity_id: UUID) -> Entity | None:
        try:
            data = await self._redis.get(self._key(entity_id))
        except RedisError as exc:
            log.warning("entity cache unavailable: %s", type(exc).__name__)
            return None
        return decode_entity(data) if data is not None else None

    async def put(self, entity: Entity) -> None:
        try:
            await self._redis.set(self._key(entity.id), encode_entity(entity), px=self._ttl_ms)
        except RedisError as exc:
            log.warning("entity cache unavailable: %s", type(exc).__name__)

    async def forget(self, entity_id: UUID) -> None:
        try:
            await self._redis.delete(self._key(entity_id))
        except RedisError as exc:
            log.warning("entity cache unavailable: %s", type(exc).__name__)
