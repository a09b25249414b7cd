"""The entity page cache, in memory and on Redis, held to the same behaviour: what is put
comes back equal (and a copy), a forget or the time to live removes it, and on Redis an
unreachable server is a miss, never an error."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.memory.entity_cache import MemoryEntityCache
from showgeo_adapters.redis import RedisEntityCache
from showgeo_domain.entities.ports import EntityCache
from tests.contract.builders import an_entity, state_of

REDIS_URL = os.environ.get("SHOWGEO_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[EntityCache]:
    if request.param == "memory":
        yield MemoryEntityCache(ttl_seconds=60)
        return
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except (RedisConnectionError, OSError) as exc:
        await redis.aclose()
        message = f"Redis is needed at {REDIS_URL}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield RedisEntityCache(redis, ttl_seconds=60, prefix=f"test:{uuid.uuid4().hex}:")
    finally:
        await redis.aclose()


async def test_what_is_put_comes_back_until_forgotten(cache: EntityCache) -> None:
    clock = FakeClock()
    entity = an_entity(clock, "band")
    entity.follower_count = 41
    entity.verify(by=uuid.uuid4(), now=clock.tick())
    other = an_entity(clock, "other")
    assert await cache.get(entity.id) is None

    await cache.put(entity)
    await cache.put(other)
    found = await cache.get(entity.id)
    assert found is not None
    assert found is not entity
    assert state_of(found) == state_of(entity)

    found.follower_count = 0  # changing what came back changes nothing cached
    again = await cache.get(entity.id)
    assert again is not None
    assert again.follower_count == 41

    await cache.forget(entity.id)
    assert await cache.get(entity.id) is None
    assert await cache.get(other.id) is not None
    await cache.forget(entity.id)  # forgetting twice is fine


async def test_entries_expire() -> None:
    now = [0.0]
    cache = MemoryEntityCache(ttl_seconds=10, max_entries=2, now=lambda: now[0])
    clock = FakeClock()
    a, b, c = an_entity(clock, "aaa"), an_entity(clock, "bbb"), an_entity(clock, "ccc")
    await cache.put(a)
    now[0] = 9.9
    assert await cache.get(a.id) is not None
    now[0] = 10.0
    assert await cache.get(a.id) is None
    await cache.put(a)
    await cache.put(b)
    await cache.put(c)  # over max_entries: the oldest goes
    assert await cache.get(a.id) is None
    assert await cache.get(c.id) is not None


async def test_redis_sets_a_time_to_live_and_an_unreachable_redis_is_a_miss() -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except (RedisConnectionError, OSError):
        await redis.aclose()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is needed at {REDIS_URL}")
        pytest.skip(f"Redis is needed at {REDIS_URL}")
    prefix = f"test:{uuid.uuid4().hex}:"
    entity = an_entity(FakeClock(), "band")
    try:
        await RedisEntityCache(redis, ttl_seconds=7, prefix=prefix).put(entity)
        assert 0 < await redis.pttl(f"{prefix}{entity.id}") <= 7000
    finally:
        await redis.delete(f"{prefix}{entity.id}")
        await redis.aclose()

    nowhere = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        dead = RedisEntityCache(nowhere)
        await dead.put(entity)
        assert await dead.get(entity.id) is None
        await dead.forget(entity.id)
    finally:
        await nowhere.aclose()
