"""The API process relays committed events to the bus on its own (every 0.2 s) and picks
the bus from settings."""

from __future__ import annotations

import asyncio

from litestar.testing import AsyncTestClient

from showgeo_adapters.inprocess import InProcessBus
from showgeo_adapters.nats import JetStreamBus
from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import bootstrap
from showgeo_domain.shared.messaging import OutboxMessage
from tests.api.conftest import register
from tests.api.helpers import create_entity
from tests.support.waiting import eventually


async def test_a_follow_reaches_the_bus_without_anyone_asking(settings: Settings) -> None:
    container = bootstrap(settings)
    assert isinstance(container.bus(), InProcessBus)
    seen: list[OutboxMessage] = []

    async def probe(message: OutboxMessage) -> None:
        seen.append(message)

    async with AsyncTestClient(app=create_app(container=container)) as client:
        await container.bus().subscribe("probe", "showgeo.follow.>", probe)
        owner, fan = await register(client, "owner"), await register(client, "fan")
        entity = await create_entity(client, owner, "owls")
        response = await client.put(f"/entities/{entity['id']}/follow", headers=fan.headers)
        assert response.status_code == 200, response.text
        await eventually(lambda: len(seen) == 1, within=5)
    assert seen[0].subject == "showgeo.follow.entity_followed"
    assert entity["id"].encode() in seen[0].payload


def test_nats_url_selects_jetstream(settings: Settings) -> None:
    configured = Settings(
        **{
            **{f: getattr(settings, f) for f in settings.__struct_fields__},
            "nats_url": "nats://127.0.0.1:4222",
            "nats_stream": "OTHER",
        }
    )
    bus = bootstrap(configured).bus()
    assert isinstance(bus, JetStreamBus)
    assert (bus.url, bus.stream, bus.prefix) == ("nats://127.0.0.1:4222", "OTHER", "showgeo")


async def test_the_registered_consumers_turn_events_into_notifications(
    client: AsyncTestClient,
) -> None:
    owner, fan = await register(client, "owner"), await register(client, "fan")
    entity = await create_entity(client, owner, "owls")
    response = await client.put(f"/entities/{entity['id']}/follow", headers=fan.headers)
    assert response.status_code == 200, response.text

    kinds: list[str] = []
    for _ in range(100):  # relay every 0.2 s, then the consumer; over HTTP only
        listing = (await client.get("/notifications", headers=owner.headers)).json()
        kinds = [n["kind"] for n in listing["items"]]
        if kinds:
            break
        await asyncio.sleep(0.05)
    assert kinds == ["NEW_FOLLOWER"]
