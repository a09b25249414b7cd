"""Recommendations through HTTP: entities followed by people with similar follows, never one
already followed; the popular list for newcomers; upcoming events of recommended entities,
nearest first with `near`."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import create_entity, create_event, make_admin
from tests.api.test_analytics import follow, recompute

LISBON = {"name": "Coliseu", "lat": 38.7223, "lon": -9.1393, "country": "PT"}
PORTO = {"name": "Casa da Musica", "lat": 41.1588, "lon": -8.6308, "country": "PT"}


async def test_similar_follows_popular_list_and_events_near(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    for slug in ("jazz-a", "jazz-b", "jazz-c", "rock-a", "rock-b"):
        await create_entity(client, owner, slug)
    fans = {name: await register(client, name) for name in ("ana", "bea", "cid", "dan", "eve")}
    for name in ("ana", "bea"):
        for slug in ("jazz-a", "jazz-b", "jazz-c"):
            await follow(client, fans[name], slug)
    for name in ("cid", "dan"):
        for slug in ("rock-a", "rock-b"):
            await follow(client, fans[name], slug)
    await follow(client, fans["eve"], "jazz-a")
    await follow(client, fans["eve"], "jazz-b")
    far = await create_event(client, owner, "jazz-c", title="Porto night", venue=PORTO)
    near = await create_event(
        client,
        owner,
        "jazz-c",
        title="Lisbon night",
        starts_at="2031-01-01T21:00:00Z",
        venue=LISBON,
    )
    await create_event(client, owner, "jazz-a", title="Followed already")
    admin = await make_admin(client)
    await recompute(client, admin)

    eve = fans["eve"].headers
    picks = (await client.get("/recommendations/entities?limit=3", headers=eve)).json()["items"]
    assert picks[0]["entity"]["slug"] == "jazz-c"
    assert picks[0]["reason"] == "similar"
    assert 0 < picks[0]["score"] <= 1
    assert not {p["entity"]["slug"] for p in picks} & {"jazz-a", "jazz-b"}

    newcomer = await register(client, "newcomer")
    popular = await client.get("/recommendations/entities?limit=2", headers=newcomer.headers)
    assert [p["reason"] for p in popular.json()["items"]] == ["popular", "popular"]
    assert popular.json()["items"][0]["entity"]["slug"] in {"jazz-a", "jazz-b"}  # 3 followers

    by_time = (await client.get("/recommendations/events", headers=eve)).json()["items"]
    assert [e["id"] for e in by_time][:2] == [far["id"], near["id"]]  # soonest first
    assert "Followed already" not in [e["title"] for e in by_time]
    by_place = await client.get("/recommendations/events?near=38.70,-9.14", headers=eve)
    items = by_place.json()["items"]
    assert [e["id"] for e in items][:2] == [near["id"], far["id"]]
    assert items[0]["distance_km"] < items[1]["distance_km"]
