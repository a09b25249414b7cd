"""The auth rate-limit counters, in memory and on Redis, held to the same behaviour."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from showgeo_api.http.throttle import MemoryThrottle, RedisThrottle, Throttle

REDIS_URL = os.environ.get("SHOWGEO_TEST_REDIS", "redis://127.0.0.1:6379/15")
LIMIT = 3


@pytest.fixture(params=["memory", "redis"])
async def throttle(request: pytest.FixtureRequest) -> AsyncIterator[Throttle]:
    if request.param == "memory":
        yield MemoryThrottle(limit=LIMIT, window_seconds=60)
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
        yield RedisThrottle(redis, limit=LIMIT, window_seconds=60)
    finally:
        await redis.aclose()


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_allows_up_to_the_limit_then_says_when_to_retry(throttle: Throttle) -> None:
    key = _key()
    assert [await throttle.hit(key) for _ in range(LIMIT)] == [None] * LIMIT
    retry_after = await throttle.hit(key)
    assert retry_after is not None
    assert 1 <= retry_after <= 60


async def test_keys_are_counted_apart(throttle: Throttle) -> None:
    first, second = _key(), _key()
    for _ in range(LIMIT + 1):
        await throttle.hit(first)
    assert await throttle.hit(second) is None


async def test_concurrent_attempts_never_slip_past_the_limit(throttle: Throttle) -> None:
    key = _key()
    verdicts = await asyncio.gather(*(throttle.hit(key) for _ in range(20)))
    assert sum(v is None for v in verdicts) == LIMIT


async def test_the_window_reopens() -> None:
    throttle = MemoryThrottle(limit=1, window_seconds=1)
    key = _key()
    assert await throttle.hit(key) is None
    assert await throttle.hit(key) is not None
    await asyncio.sleep(1.05)
    assert await throttle.hit(key) is None
