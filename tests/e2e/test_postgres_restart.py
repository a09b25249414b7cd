"""PostgreSQL restarted in the middle of a load of order creation, on a cluster of the
test's own: while it is down the API answers 503 (never 500) and `/health/ready` says so;
it recovers by itself; afterwards every order a buyer was told about exists once, none is
doubled (retries reuse their Idempotency-Key) and the seats held equal the orders."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from showgeo_adapters.sqlalchemy import upgrade
from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import FAST_ARGON2, Account, register
from tests.api.helpers import counters, place, seats, shop
from tests.support.live_server import LiveServer, live_server
from tests.support.processes import ThrowawayPostgres, throwaway_postgres

pytestmark = pytest.mark.postgres

BUYERS = 6
ORDERS_EACH = 15
A_THIRD_PLACED = asyncio.Event()


async def buy_all(
    live: LiveServer,
    buyer: Account,
    general: dict[str, object],
    told: dict[str, str],
    refused: list[int],
) -> None:
    for n in range(ORDERS_EACH):
        key = f"{buyer.username}-{n}"
        while True:
            try:
                response = await place(live.http, buyer, seats(general, 1), key=key)
            except httpx.TransportError:
                await asyncio.sleep(0.1)
                continue
            if response.status_code == 201:
                told[key] = response.json()["order"]["id"]
                if len(told) >= BUYERS * ORDERS_EACH // 3:
                    A_THIRD_PLACED.set()
                break
            refused.append(response.status_code)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            await asyncio.sleep(0.1)


async def restart(pg: ThrowawayPostgres, live: LiveServer) -> list[int]:
    """Stop the cluster once a third of the orders exist; note what readiness says; start it."""
    await A_THIRD_PLACED.wait()
    await asyncio.to_thread(pg.stop)
    ready = [(await live.http.get("/health/ready")).status_code for _ in range(3)]
    await asyncio.sleep(1.0)
    await asyncio.to_thread(pg.start)
    return ready


async def test_orders_survive_a_postgres_restart() -> None:
    with throwaway_postgres() as pg:
        await upgrade(pg.url)
        settings = Settings(
            showgeo_env="test",  # type: ignore[arg-type]
            database_url=pg.url,
            auth_rate_limit_per_client=10_000,
            auth_rate_limit_per_account=10_000,
            **FAST_ARGON2,  # type: ignore[arg-type]
        )
        async with live_server(create_app(settings)) as live:
            _, general = await shop(live.http, quota=10_000)
            buyers = [await register(live.http, f"buyer{n}") for n in range(BUYERS)]
            told: dict[str, str] = {}
            refused: list[int] = []
            ready_while_down, *_ = await asyncio.gather(
                restart(pg, live),
                *(buy_all(live, b, general, told, refused) for b in buyers),
            )
            assert set(ready_while_down) == {503}
            assert (await live.http.get("/health/ready")).status_code == 200
            assert refused, "the restart came after the load: nothing was tested"

            assert len(told) == BUYERS * ORDERS_EACH
            assert len(set(told.values())) == len(told)  # no key got two orders
            sold, reserved = await counters(live.http, general)
            assert (sold, reserved) == (0, BUYERS * ORDERS_EACH)  # every hold is an order
            for buyer in buyers:
                mine = await live.http.get("/users/me/orders?limit=100", headers=buyer.headers)
                ids = {o["id"] for o in mine.json()["items"]}
                assert ids == {v for k, v in told.items() if k.startswith(f"{buyer.username}-")}
