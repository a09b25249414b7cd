"""The ceiling of the API benchmark: a bare Litestar app doing the same SQL through asyncpg
and answering the same JSON as Showgeo's routes, with nothing in between (no dependency
injection, no domain objects, no SQLAlchemy, no unit of work).

    python benchmarks/ceiling_app.py --server granian --port 8001   # CEILING_DSN=postgresql://…

What it keeps, because the real routes must do it too: the same statements in the same
transactions (captured from the real routes with SQLAlchemy's cursor events), the access
token's signature and claims checked with PyJWT as `JwtAccessTokens.verify` does, the same
msgspec JSON (field for field), the same exact distance ranking and cursors for `near`
(the domain's pure functions), an outbox row for each domain event a write records. A
connection pool as large as the API's (twice DATABASE_POOL_SIZE, default 10).

Routes: GET /entities/{id}, GET /events?near=&radius_km=, GET /notifications,
PUT /entities/{id}/follow, POST /orders.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import jwt
import msgspec
from litestar import Litestar, Request, get, post, put
from litestar.exceptions import NotAuthorizedException, NotFoundException

from showgeo_domain.events.geo import GeoPoint, bounding_box, distance_km
from showgeo_domain.events.ports import ByDistance
from showgeo_domain.shared.pagination import Keyset, encode_cursor, encode_position

JWT_SECRET = os.environ.get("JWT_SECRET", "")
POOL_SIZE = 2 * int(os.environ.get("DATABASE_POOL_SIZE", "10"))  # as create_engine
CHECKOUT_SECRET = b"ceiling-checkout-secret"
RESERVATION = timedelta(minutes=15)


class EntityOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str
    kind: str
    bio: str | None
    verified: bool
    verified_at: datetime | None
    verification_requested_at: datetime | None
    follower_count: int
    created_at: datetime
    updated_at: datetime


class VenueOut(msgspec.Struct):
    name: str
    lat: float
    lon: float
    country: str | None


class EventHitOut(msgspec.Struct):
    id: UUID
    entity_id: UUID
    title: str
    description: str | None
    starts_at: datetime
    ends_at: datetime | None
    venue: VenueOut | None
    phase: str
    phase_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    distance_km: float | None = None


class NotificationOut(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    body: str
    data: dict[str, str]
    entity_id: UUID | None
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class EventsPage(msgspec.Struct):
    items: list[EventHitOut]
    next_cursor: str | None = None


class NotificationsPage(msgspec.Struct):
    items: list[NotificationOut]
    next_cursor: str | None = None


class FollowStatusOut(msgspec.Struct):
    following: bool
    follower_count: int


class MoneyOut(msgspec.Struct):
    amount: int
    currency: str


class OrderLineOut(msgspec.Struct):
    kind: str
    item_id: UUID
    event_id: UUID | None
    title: str
    unit_price: MoneyOut
    quantity: int
    total: MoneyOut


class OrderOut(msgspec.Struct):
    id: UUID
    buyer_id: UUID
    entity_id: UUID
    status: str
    lines: list[OrderLineOut]
    total: MoneyOut
    refunded: MoneyOut
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None


class CheckoutOut(msgspec.Struct):
    url: str
    expires_at: datetime


class PlacedOrderOut(msgspec.Struct):
    order: OrderOut
    checkout: CheckoutOut | None


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    quantity: int
    ticket_type_id: UUID | None = None
    product_id: UUID | None = None


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    items: list[ItemIn]


class Followed(msgspec.Struct):
    id: UUID
    occurred_at: datetime
    user_id: UUID
    entity_id: UUID


class OrderPlaced(msgspec.Struct):
    id: UUID
    occurred_at: datetime
    order_id: UUID
    buyer_id: UUID
    entity_id: UUID
    total_amount: int
    currency: str


ENTITY_SQL = """SELECT id, name, slug, kind, bio, verified, verified_at,
verification_requested_at, follower_count, created_at, updated_at FROM entities WHERE id = $1"""

NEAR_SQL = """SELECT id, entity_id, title, description, starts_at, ends_at, venue_name,
venue_lat, venue_lon, venue_country, phase, phase_changed_at, created_at, updated_at
FROM events WHERE venue_lat IS NOT NULL AND venue_lat BETWEEN $1 AND $2
AND venue_lon BETWEEN $3 AND $4"""

NOTIFICATIONS_SQL = """SELECT id, user_id, kind, title, body, data, entity_id, source_event_id,
created_at, read_at FROM notifications WHERE user_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2"""

FOLLOW_SQL = """INSERT INTO follows (user_id, entity_id, created_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING user_id"""
COUNT_UP_SQL = """UPDATE entities SET follower_count = follower_count + $1 WHERE id = $2
RETURNING follower_count"""
COUNT_SQL = "SELECT follower_count FROM entities WHERE id = $1"
OUTBOX_SQL = """INSERT INTO outbox (id, subject, payload, occurred_at) VALUES ($1, $2, $3, $4)
RETURNING sequence"""

TICKET_TYPE_SQL = """SELECT id, event_id, entity_id, name, price_amount, price_currency, quota,
sold, reserved, sales_start, sales_end, created_at FROM ticket_types WHERE id = $1"""
EVENT_SQL = """SELECT id, entity_id, title, description, starts_at, ends_at, venue_name,
venue_lat, venue_lon, venue_country, phase, phase_changed_at, created_at, updated_at
FROM events WHERE id = $1"""
RESERVE_SQL = """UPDATE ticket_types SET reserved = reserved + $1 WHERE id = $2
AND sold + reserved + $1 <= quota RETURNING id"""
ORDER_SQL = """INSERT INTO orders (id, buyer_id, entity_id, status, total_amount, currency,
refunded_amount, created_at, expires_at, paid_at, closed_at, payment_ref, idempotency_key,
request_fingerprint) VALUES ($1, $2, $3, 'PENDING', $4, $5, 0, $6, $7, NULL, NULL, $8, NULL,
NULL) ON CONFLICT DO NOTHING RETURNING id"""
LINE_SQL = """INSERT INTO order_lines (order_id, position, kind, item_id, entity_id, event_id,
title, unit_amount, currency, quantity) VALUES ($1, $2, 'TICKET', $3, $4, $5, $6, $7, $8, $9)"""

_pool: asyncpg.Pool | None = None


def pool() -> asyncpg.Pool:
    assert _pool is not None
    return _pool


def actor(request: Request[Any, Any, Any]) -> UUID:
    """The caller's user id from `Authorization: Bearer`, verified as the API verifies it."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException()
    try:
        claims = jwt.decode(
            token,
            JWT_SECRET,
            algorithms=["HS256"],
            audience="showgeo-api",
            issuer="showgeo",
            options={
                "require": ["sub", "iat", "exp", "jti", "iss", "aud", "roles"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        if time.time() >= int(claims["exp"]) + 10:
            raise NotAuthorizedException()
        return UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise NotAuthorizedException() from exc


@get("/entities/{entity_id:uuid}")
async def read_entity(entity_id: UUID) -> EntityOut:
    row = await pool().fetchrow(ENTITY_SQL, entity_id)
    if row is None:
        raise NotFoundException()
    return EntityOut(*row.values())


@get("/events")
async def near_events(near: str, radius_km: float, limit: int = 20) -> EventsPage:
    lat, lon = (float(part) for part in near.split(","))
    center = GeoPoint(lat, lon)
    box = bounding_box(center, radius_km)
    rows = await pool().fetch(NEAR_SQL, box.min_lat, box.max_lat, box.min_lon, box.max_lon)
    ranked = sorted(
        (d, row["id"], row)
        for row in rows
        if (d := distance_km(center, GeoPoint(row["venue_lat"], row["venue_lon"]))) <= radius_km
    )[: limit + 1]
    items = [
        EventHitOut(
            r["id"],
            r["entity_id"],
            r["title"],
            r["description"],
            r["starts_at"],
            r["ends_at"],
            VenueOut(r["venue_name"], r["venue_lat"], r["venue_lon"], r["venue_country"])
            if r["venue_name"] is not None
            else None,
            r["phase"],
            r["phase_changed_at"],
            r["created_at"],
            r["updated_at"],
            round(d, 3),
        )
        for d, _, r in ranked[:limit]
    ]
    cursor = None
    if len(ranked) > limit:
        cursor = encode_position(ByDistance(ranked[limit - 1][0], ranked[limit - 1][1]))
    return EventsPage(items, cursor)


@get("/notifications")
async def notifications(request: Request[Any, Any, Any], limit: int = 20) -> NotificationsPage:
    user = actor(request)
    rows = await pool().fetch(NOTIFICATIONS_SQL, user, limit + 1)
    items = [
        NotificationOut(
            r["id"],
            r["kind"],
            r["title"],
            r["body"],
            msgspec.json.decode(r["data"]),
            r["entity_id"],
            r["created_at"],
            r["read_at"],
            r["read_at"] is not None,
        )
        for r in rows[:limit]
    ]
    cursor = None
    if len(rows) > limit:
        cursor = encode_cursor(Keyset(rows[limit - 1]["created_at"], rows[limit - 1]["id"]))
    return NotificationsPage(items, cursor)


@put("/entities/{entity_id:uuid}/follow")
async def follow(request: Request[Any, Any, Any], entity_id: UUID) -> FollowStatusOut:
    user = actor(request)
    now = datetime.now(UTC)
    async with pool().acquire() as conn, conn.transaction():
        if await conn.fetchrow(ENTITY_SQL, entity_id) is None:
            raise NotFoundException()
        if await conn.fetchval(FOLLOW_SQL, user, entity_id, now) is not None:
            count = await conn.fetchval(COUNT_UP_SQL, 1, entity_id)
            event = Followed(uuid4(), now, user, entity_id)
            await conn.fetchval(
                OUTBOX_SQL,
                event.id,
                "showgeo.follow.followed",
                msgspec.json.encode(event).decode(),
                now,
            )
        else:
            count = await conn.fetchval(COUNT_SQL, entity_id)
    return FollowStatusOut(True, count)


@post("/orders", status_code=201)
async def place_order(request: Request[Any, Any, Any]) -> PlacedOrderOut:
    user = actor(request)
    data = msgspec.json.decode(await request.body(), type=OrderIn)
    item = data.items[0]
    assert item.ticket_type_id is not None
    now = datetime.now(UTC)
    order_id = uuid4()
    async with pool().acquire() as conn, conn.transaction():
        tt = await conn.fetchrow(TICKET_TYPE_SQL, item.ticket_type_id)
        if tt is None:
            raise NotFoundException()
        ev = await conn.fetchrow(EVENT_SQL, tt["event_id"])
        if await conn.fetchval(RESERVE_SQL, item.quantity, tt["id"]) is None:
            raise NotFoundException()
        total = tt["price_amount"] * item.quantity
        expires = now + RESERVATION
        # localpay's checkout is a signed link, opened inside the order's transaction
        # and stored by its INSERT, as the API does (Payments.place)
        expiry = int(expires.timestamp())
        mac = hmac.new(CHECKOUT_SECRET, f"checkout:{order_id}:{expiry}".encode(), hashlib.sha256)
        session_ref = f"lp_{secrets.token_hex(12)}"
        await conn.fetchval(
            ORDER_SQL,
            order_id,
            user,
            tt["entity_id"],
            total,
            tt["price_currency"],
            now,
            expires,
            session_ref,
        )
        title = f"{ev['title']} — {tt['name']}"
        await conn.execute(
            LINE_SQL,
            order_id,
            0,
            tt["id"],
            tt["entity_id"],
            tt["event_id"],
            title,
            tt["price_amount"],
            tt["price_currency"],
            item.quantity,
        )
        event = OrderPlaced(uuid4(), now, order_id, user, tt["entity_id"], total, "EUR")
        await conn.fetchval(
            OUTBOX_SQL,
            event.id,
            "showgeo.orders.order_placed",
            msgspec.json.encode(event).decode(),
            now,
        )
    money = MoneyOut(total, tt["price_currency"])
    order = OrderOut(
        order_id,
        user,
        tt["entity_id"],
        "PENDING",
        [
            OrderLineOut(
                "TICKET",
                tt["id"],
                tt["event_id"],
                title,
                MoneyOut(tt["price_amount"], tt["price_currency"]),
                item.quantity,
                money,
            )
        ],
        money,
        MoneyOut(0, tt["price_currency"]),
        now,
        expires,
        None,
        None,
    )
    url = f"http://127.0.0.1/localpay/checkout/{order_id}?token={expiry}.{mac.hexdigest()}"
    return PlacedOrderOut(order, CheckoutOut(url, expires))


async def _connect() -> None:
    global _pool
    _pool = await asyncpg.create_pool(
        os.environ["CEILING_DSN"], min_size=POOL_SIZE, max_size=POOL_SIZE
    )


async def _close() -> None:
    if _pool is not None:
        await _pool.close()


@get("/health/ready")
async def ready() -> dict[str, str]:
    await pool().fetchval("SELECT 1")
    return {"status": "ready"}


def create() -> Litestar:
    return Litestar(
        route_handlers=[read_entity, near_events, notifications, follow, place_order, ready],
        on_startup=[_connect],
        on_shutdown=[_close],
        openapi_config=None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Started exactly as `showgeo serve --server …` starts the API (see processes/cli.py).
    if args.server == "uvicorn":
        import uvicorn

        uvicorn.run(
            "ceiling_app:create",
            factory=True,
            host="127.0.0.1",
            port=args.port,
            workers=1,
            loop="uvloop",
            http="httptools",
            lifespan="on",
            log_level="warning",
        )
        return
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        "ceiling_app:create",
        address="127.0.0.1",
        port=args.port,
        workers=1,
        interface=Interfaces.ASGI,
        factory=True,
    ).serve()


if __name__ == "__main__":
    main()
