"""The data the API benchmarks run on, filled set-based (`generate_series`, no API calls),
and access tokens for its users.

`Sizes.full()` is the issue's size: 10,000 entities, 100,000 users, 1,000,000 follows.
Ids are derived from numbers (md5 of a prefix and the number, as a uuid), so the load
generator can name any row without reading the database:

- user i (1..users): `user_id(i)` (common.USERS_SQL), follows `follows_per_user` entities;
- entity k (1..entities): `entity_id(k)`, slug `e<k>`, its `follower_count` the true count;
- one PRE_LIVE event per entity, its venue spread over Western Europe (lat 36..56,
  lon -10..20), starting within the next year;
- a ticket type on the first `ticket_types` events (a quota orders never exhaust);
- `notifications_per_user` notifications for each of the first `notified_users` users
  (a third of them read).

ANALYZE at the end, so plans are those of a live database.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import jwt
from common import USERS_SQL, user_id

JWT_SECRET = "bench-only-jwt-secret-0123456789abcdef-0123456789"


@dataclass(frozen=True)
class Sizes:
    entities: int
    users: int
    follows_per_user: int
    notified_users: int
    notifications_per_user: int
    ticket_types: int

    @property
    def follows(self) -> int:
        return self.users * self.follows_per_user

    @classmethod
    def full(cls) -> Sizes:
        return cls(10_000, 100_000, 10, 20_000, 20, 200)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(1_000, 10_000, 10, 2_000, 20, 50)

    def describe(self) -> str:
        return (
            f"{self.entities:,} entities, {self.users:,} users, {self.follows:,} follows, "
            f"{self.entities:,} events, "
            f"{self.notified_users * self.notifications_per_user:,} notifications"
        )


def entity_id(k: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"e{k}".encode()).hexdigest())


def event_id(k: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"v{k}".encode()).hexdigest())


def ticket_type_id(k: int) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"t{k}".encode()).hexdigest())


ENTITIES_SQL = """
INSERT INTO entities (id, name, slug, kind, bio, verified, follower_count, created_at,
                      updated_at)
SELECT md5('e' || k)::uuid, 'Entity ' || k, 'e' || k,
       (ARRAY['CREATOR', 'ORGANIZATION'])[1 + k % 2],
       'Plays on Fridays. Entity number ' || k || '.', k % 10 = 0, 0,
       now() - make_interval(secs => k), now()
FROM generate_series(1, $1::int) k
"""

# User u follows entities (u*31 + j*997) % E + 1 for j < per_user: distinct for each u.
FOLLOWS_SQL = """
INSERT INTO follows (user_id, entity_id, created_at)
SELECT md5('u' || u)::uuid, md5('e' || ((u * 31 + j * 997) % $2::int + 1))::uuid,
       now() - make_interval(secs => u + j)
FROM generate_series(1, $1::int) u, generate_series(0, $3::int - 1) j
"""

COUNTS_SQL = """
UPDATE entities e SET follower_count = c.n
FROM (SELECT entity_id, count(*) AS n FROM follows GROUP BY entity_id) c
WHERE e.id = c.entity_id
"""

EVENTS_SQL = """
INSERT INTO events (id, entity_id, title, description, starts_at, ends_at, venue_name,
                    venue_lat, venue_lon, venue_country, phase, phase_changed_at, created_at,
                    updated_at)
SELECT md5('v' || k)::uuid, md5('e' || k)::uuid, 'Show number ' || k, 'An evening of music.',
       now() + make_interval(hours => 1 + k % 8760), NULL, 'Hall ' || k,
       36 + ((k * 7919) % 20000) / 1000.0, -10 + ((k * 104729) % 30000) / 1000.0, 'PT',
       'PRE_LIVE', NULL, now(), now()
FROM generate_series(1, $1::int) k
"""

TICKET_TYPES_SQL = """
INSERT INTO ticket_types (id, event_id, entity_id, name, price_amount, price_currency, quota,
                          sold, reserved, sales_start, sales_end, created_at)
SELECT md5('t' || k)::uuid, md5('v' || k)::uuid, md5('e' || k)::uuid, 'General', 2500, 'EUR',
       2000000000, 0, 0, NULL, NULL, now()
FROM generate_series(1, $1::int) k
"""

NOTIFICATIONS_SQL = """
INSERT INTO notifications (id, user_id, kind, title, body, data, entity_id, source_event_id,
                           created_at, read_at)
SELECT gen_random_uuid(), md5('u' || u)::uuid, 'LIVE_NOW', 'Entity ' || (u % 100 + 1)
       || ' is live now', 'Show number ' || n || ' has started. Tune in!',
       '{"event_id": "' || md5('v' || n)::uuid || '"}', md5('e' || (u % 100 + 1))::uuid,
       gen_random_uuid(), now() - make_interval(mins => n),
       CASE WHEN n % 3 = 0 THEN now() ELSE NULL END
FROM generate_series(1, $1::int) u, generate_series(1, $2::int) n
"""


async def fill(dsn: str, sizes: Sizes) -> float:
    """Fill the (migrated, empty) database at `dsn`; returns the seconds it took."""
    started = time.monotonic()
    conn = await asyncpg.connect(dsn)
    try:
        # The generated ids match by construction: skip the per-row foreign-key triggers
        # while filling (needs a superuser, as on a development server with trust auth).
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(USERS_SQL, sizes.users)
        await conn.execute(ENTITIES_SQL, sizes.entities)
        await conn.execute(FOLLOWS_SQL, sizes.users, sizes.entities, sizes.follows_per_user)
        await conn.execute(COUNTS_SQL)
        await conn.execute(EVENTS_SQL, sizes.entities)
        await conn.execute(TICKET_TYPES_SQL, sizes.ticket_types)
        await conn.execute(NOTIFICATIONS_SQL, sizes.notified_users, sizes.notifications_per_user)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.monotonic() - started


def access_token(i: int, ttl: timedelta = timedelta(hours=2)) -> str:
    """An access token for user i, as `JwtAccessTokens.issue` makes them (same claims),
    signed with JWT_SECRET: the servers run with JWT_SECRET and a long enough TTL."""
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id(i)),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
        "iss": "showgeo",
        "aud": "showgeo-api",
        "roles": ["USER"],
    }
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")
