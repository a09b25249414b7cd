"""Fixed-window attempt counters for the auth routes (per client address and per account).

In memory for a single process; on Redis (`REDIS_URL`) so every API process shares the count —
INCR plus EXPIRE is atomic enough that concurrent attempts can never slip past the limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from litestar import Request
from redis.asyncio import Redis

from showgeo_api.http.errors import RateLimited


class Throttle(Protocol):
    async def hit(self, key: str) -> int | None:
        """Count one attempt; None when allowed, else seconds until the window reopens."""
        ...


class MemoryThrottle:
    def __init__(self, *, limit: int, window_seconds: int) -> None:
        self._limit = limit
        self._window = window_seconds
        self._counts: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str) -> int | None:
        now = time.monotonic()
        started, count = self._counts.get(key, (now, 0))
        if now - started >= self._window:
            started, count = now, 0
        count += 1
        self._counts[key] = (started, count)
        if len(self._counts) > 100_000:  # forget closed windows so memory stays bounded
            self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self._window}
        if count <= self._limit:
            return None
        return max(1, math.ceil(self._window - (now - started)))


class RedisThrottle:
    def __init__(self, redis: Redis, *, limit: int, window_seconds: int) -> None:
        self._redis = redis
        self._limit = limit
        self._window = window_seconds

    async def hit(self, key: str) -> int | None:
        name = f"showgeo:throttle:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self._window, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        if int(count) <= self._limit:
            return None
        return max(1, int(ttl))


@dataclass
class AuthThrottles:
    """The auth routes' two counters, per client address and per account (and the Redis
    client they share, closed with them)."""

    per_client: Throttle
    per_account: Throttle
    redis: Redis | None = None

    async def check(self, request: Request[Any, Any, Any], account: str) -> None:
        """Count one sign-in or sign-up attempt against the client address and the account;
        429 `rate_limited` unless both are under their limit."""
        client = request.client.host if request.client else "unknown"
        for retry_after in (
            await self.per_client.hit(f"auth:client:{client}"),
            await self.per_account.hit(f"auth:account:{account.strip().lower()}"),
        ):
            if retry_after is not None:
                raise RateLimited(retry_after)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
