"""Housekeeping beside serving: lapsed reservations are given back without anyone asking."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from dependency_injector import providers
from litestar.testing import AsyncTestClient

from showgeo_adapters.memory import FakeClock
from showgeo_api.app import create_app
from showgeo_api.processes.background import PeriodicJob
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import bootstrap, start, stop
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.events.services import EventDetails, TicketTypeDetails
from showgeo_domain.orders.model import OrderStatus
from showgeo_domain.orders.services import ItemRequest
from showgeo_domain.shared.money import Money


async def test_a_periodic_job_runs_again_after_a_failure() -> None:
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("database blip")

    job = PeriodicJob("flaky", flaky, interval=0.01)
    job.start()
    for _ in range(200):
        if len(runs) >= 3:
            break
        await asyncio.sleep(0.01)
    await job.stop()
    assert len(runs) >= 3
    stopped_at = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == stopped_at  # stop() really stops


def test_failures_back_off_up_to_a_cap() -> None:
    async def nothing() -> None: ...

    job = PeriodicJob("relay", nothing, interval=0.2)
    assert [job.delay_after(n) for n in (0, 1, 2, 3)] == [0.2, 0.4, 0.8, 1.6]
    assert job.delay_after(50) == 30.0


async def test_the_api_gives_lapsed_reservations_back_on_its_own(settings: Settings) -> None:
    container = bootstrap(settings)
    clock = FakeClock()
    container.clock.override(providers.Object(clock))
    await start(container)
    try:
        session = await container.authentication().register(
            email="olga@example.com", username="olga", password="correct horse"
        )
        olga = session.user.as_actor()
        entity = await container.entities().create(
            olga, name="Night Shift", slug="night-shift", kind=EntityKind.CREATOR
        )
        event = await container.events().create(
            olga,
            entity.id,
            EventDetails(title="Live", starts_at=clock.now() + timedelta(days=3)),
        )
        seats = await container.events().add_ticket_type(
            olga, event.id, TicketTypeDetails(name="Standing", price=Money(2500, "EUR"), quota=5)
        )
        order = await container.orders().place(
            olga, [ItemRequest(ticket_type_id=seats.id, quantity=2)]
        )
    finally:
        await stop(container)

    clock.advance(timedelta(minutes=16))  # the reservation lapsed; nobody reads the order
    # The app runs on the test client's own loop: from here on, talk to it over HTTP only.
    async with AsyncTestClient(app=create_app(container=container)) as client:
        for _ in range(100):
            listing = (await client.get(f"/events/{event.id}/ticket-types")).json()
            if listing["items"][0]["reserved"] == 0:
                break
            await asyncio.sleep(0.02)
        assert listing["items"][0]["reserved"] == 0
        login = await client.post(  # the access token from before has lapsed too
            "/auth/login", json={"email": "olga@example.com", "password": "correct horse"}
        )
        token = login.json()["access_token"]
        mine = await client.get("/users/me/orders", headers={"Authorization": f"Bearer {token}"})
    assert [o["status"] for o in mine.json()["items"]] == [OrderStatus.EXPIRED.value]
    assert mine.json()["items"][0]["id"] == str(order.id)


def test_a_cron_job_runs_at_the_named_local_time() -> None:
    from datetime import UTC, datetime

    from showgeo_api.processes.background import CronJob

    async def nothing() -> None:
        return None

    lisbon = CronJob("analytics", nothing, "0 2 * * *", "Europe/Lisbon")
    # Summer: Lisbon is UTC+1, so 02:00 there is 01:00 UTC; winter: the same instant.
    assert lisbon.next_run(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == datetime(
        2026, 7, 2, 1, 0, tzinfo=UTC
    )
    assert lisbon.next_run(datetime(2026, 12, 1, 1, 59, tzinfo=UTC)) == datetime(
        2026, 12, 1, 2, 0, tzinfo=UTC
    )
    utc = CronJob("analytics", nothing, "0 2 * * *")
    assert utc.next_run(datetime(2026, 12, 1, 2, 0, tzinfo=UTC)) == datetime(
        2026, 12, 2, 2, 0, tzinfo=UTC
    )


def test_a_bad_cron_expression_is_refused() -> None:
    import pytest

    from showgeo_api.processes.background import CronJob

    async def nothing() -> None:
        return None

    with pytest.raises(ValueError, match="not a cron expression"):
        CronJob("analytics", nothing, "every night")
