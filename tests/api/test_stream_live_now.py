"""LIVE_NOW over the notification WebSocket, through a real server with LiveKit configured
(a local fake): a follower and a ticket holder each hear it once when the event goes live,
and the room starting afterwards (LiveKit's room_started webhook) tells them nothing more."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import register
from tests.api.helpers import create_entity, create_event, move, pay
from tests.api.test_notification_socket import Tab, open_tab
from tests.support.fake_livekit import API_KEY, API_SECRET, FakeLiveKit, fake_livekit, webhook_event
from tests.support.live_server import LiveServer, live_server
from tests.support.waiting import eventually

QUIET = 1.0
"""How long a socket must stay silent to count as "nothing more came"."""


@pytest.fixture
async def livekit() -> AsyncIterator[FakeLiveKit]:
    async with fake_livekit() as fake:
        yield fake


@pytest.fixture
async def live(settings: Settings, livekit: FakeLiveKit) -> AsyncIterator[LiveServer]:
    fields = {name: getattr(settings, name) for name in settings.__struct_fields__}
    fields.update(livekit_url=livekit.url, livekit_api_key=API_KEY, livekit_api_secret=API_SECRET)
    async with live_server(create_app(Settings(**fields))) as server:
        yield server


async def notifications_until_quiet(tab: Tab) -> list[dict[str, Any]]:
    """Every `notification` frame until the socket has been silent for QUIET seconds."""
    got: list[dict[str, Any]] = []
    while True:
        try:
            async with asyncio.timeout(QUIET):
                message = json.loads(await tab.ws.recv())
        except TimeoutError:
            return got
        if message["event"] == "notification":
            got.append(message["data"])


async def test_live_now_once_per_go_live_for_followers_and_ticket_holders(
    live: LiveServer, livekit: FakeLiveKit
) -> None:
    http = live.http
    owner, fan, holder = [await register(http, n) for n in ("owner", "fan", "holder")]
    entity = await create_entity(http, owner, "night-owls")
    assert (await http.put(f"/entities/{entity['id']}/follow", headers=fan.headers)).is_success
    event = await create_event(http, owner, entity["id"], title="Moonrise")
    ticket_type = await http.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 900, "currency": "EUR"}, "quota": 5},
        headers=owner.headers,
    )
    assert ticket_type.status_code == 201, ticket_type.text
    order = await http.post(
        "/orders",
        json={"items": [{"ticket_type_id": ticket_type.json()["id"], "quantity": 1}]},
        headers=holder.headers,
    )
    assert order.status_code == 201, order.text
    await pay(http, order.json()["checkout"]["url"])  # type: ignore[arg-type]
    stream = await http.put(
        f"/events/{event['id']}/stream", json={"access_level": "PUBLIC"}, headers=owner.headers
    )
    assert stream.status_code == 200, stream.text

    tabs = {who.username: await open_tab(live, who.access_token) for who in (fan, holder)}
    for tab in tabs.values():
        await tab.next("connected")
        await notifications_until_quiet(tab)  # ORDER_PAID and the like, from before

    assert (await move(http, owner, event["id"], "LIVE")).status_code == 200
    room = f"showgeo-event-{event['id']}"
    await eventually(lambda: room in livekit.rooms)
    body, auth = livekit.signed(
        webhook_event("room_started", room, event_id="EV_started", created_at=int(time.time()))
    )
    started = await http.post("/webhooks/livekit", content=body, headers={"Authorization": auth})
    assert started.status_code == 200, started.text

    for who, tab in tabs.items():
        kinds = [n["kind"] for n in await notifications_until_quiet(tab)]
        assert kinds.count("LIVE_NOW") == 1, (who, kinds)
        await tab.ws.close()
