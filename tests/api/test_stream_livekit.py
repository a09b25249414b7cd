"""Streaming with LIVEKIT_URL and keys set, against a local fake of LiveKit's Twirp API: rooms
follow the event's life, a refunded ticket holder is removed, webhooks signed as LiveKit
signs them feed the viewer metrics (bad signature, replay, out of order), and the schedule
reconciles the count from the participant list."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import move, pay, place, seats, shop
from tests.support.fake_livekit import (
    API_KEY,
    API_SECRET,
    FakeLiveKit,
    fake_livekit,
    webhook_event,
)
from tests.support.waiting import eventually


@pytest.fixture
async def livekit() -> AsyncIterator[FakeLiveKit]:
    async with fake_livekit() as fake:
        yield fake


@pytest.fixture
async def client(settings: Settings, livekit: FakeLiveKit) -> AsyncIterator[AsyncTestClient]:
    fields = {name: getattr(settings, name) for name in settings.__struct_fields__}
    with_livekit = Settings(
        **{
            **fields,
            "livekit_url": livekit.url,
            "livekit_api_key": API_KEY,
            "livekit_api_secret": API_SECRET,
        }
    )
    async with AsyncTestClient(app=create_app(with_livekit)) as test_client:
        yield test_client


async def metrics(client: AsyncTestClient, by: Account, event_id: str) -> dict[str, Any]:
    response = await client.get(f"/events/{event_id}/stream/metrics", headers=by.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def deliver(client: AsyncTestClient, livekit: FakeLiveKit, event: Any, **kw: Any) -> Any:
    body, auth = livekit.signed(event, **kw)
    return await client.post(
        "/webhooks/livekit",
        content=body,
        headers={"Authorization": auth, "Content-Type": "application/webhook+json"},
    )


async def test_rooms_webhooks_metrics_and_reconciling(
    client: AsyncTestClient, livekit: FakeLiveKit
) -> None:
    owner, ticket_type = await shop(client)
    event_id = ticket_type["event_id"]
    room = f"showgeo-event-{event_id}"
    buyer = await register(client, "buyer")
    order = (await place(client, buyer, seats(ticket_type, 1))).json()
    await pay(client, order["checkout"]["url"])
    response = await client.put(
        f"/events/{event_id}/stream",
        json={"access_level": "TICKET_HOLDERS"},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    assert room not in livekit.rooms  # not live yet: no room

    assert (await move(client, owner, event_id, "LIVE")).status_code == 200
    await eventually(lambda: room in livekit.rooms)

    granted = await client.post(f"/events/{event_id}/stream/token", headers=buyer.headers)
    assert granted.status_code == 200, granted.text
    assert granted.json()["url"] == livekit.url

    now = int(time.time())
    ana = livekit.join(room, buyer.id)
    ana.joined_at = now - 60  # the participant's own join time is what counts
    host = livekit.join(room, owner.id, publisher=True)
    joined = webhook_event(
        "participant_joined", room, event_id="EV_join_ana", created_at=now - 60, participant=ana
    )

    # a bad signature: 401, and nothing recorded (the same event id still counts later)
    bad = await deliver(client, livekit, joined, secret="forged-secret-forged-secret-0123456789")
    assert_problem(bad, 401, "invalid_webhook_signature")
    assert (await metrics(client, owner, event_id))["current_viewers"] == 0

    assert (await deliver(client, livekit, joined)).status_code == 200
    assert (await deliver(client, livekit, joined)).status_code == 200  # replay
    host_joined = webhook_event(
        "participant_joined", room, event_id="EV_join_host", created_at=now, participant=host
    )
    assert (await deliver(client, livekit, host_joined)).status_code == 200  # not a viewer

    # bea's leave arrives before her join; her stay is still counted once
    bea = livekit.join(room, "guest-bea")
    bea.joined_at = now - 40
    livekit.participants[room].remove(bea)
    left = webhook_event(
        "participant_left", room, event_id="EV_left_bea", created_at=now - 10, participant=bea
    )
    joined_bea = webhook_event(
        "participant_joined", room, event_id="EV_join_bea", created_at=now - 40, participant=bea
    )
    assert (await deliver(client, livekit, left)).status_code == 200
    assert (await deliver(client, livekit, joined_bea)).status_code == 200
    assert (await deliver(client, livekit, left)).status_code == 200  # replay

    figures = await metrics(client, owner, event_id)
    assert figures["current_viewers"] == 1
    assert figures["peak_viewers"] == 2
    assert figures["unique_viewers"] == 2
    assert 60 + 30 <= figures["watch_seconds"] <= 60 + 30 + 5

    # room_started changes nothing (and tells nobody anything: LIVE_NOW came from going live)
    started = webhook_event("room_started", room, event_id="EV_room_started", created_at=now)
    assert (await deliver(client, livekit, started)).status_code == 200

    # a refund revokes the ticket: the buyer is taken out of the room
    refund = await client.post(
        f"/orders/{order['order']['id']}/refunds", json={}, headers=owner.headers
    )
    assert refund.status_code in (200, 201), refund.text
    await eventually(lambda: "RemoveParticipant" in livekit.methods())
    assert [p.identity for p in livekit.participants[room]] == [owner.id]

    # no participant_left came for her: reconciling from the participant list closes her stay
    rooms = client.app.state["container"].stream_rooms()
    assert client.blocking_portal.call(rooms.reconcile) == 1
    assert client.blocking_portal.call(rooms.reconcile) == 0
    figures = await metrics(client, owner, event_id)
    assert figures["current_viewers"] == 0
    assert figures["peak_viewers"] == 2

    # and a viewer who joined without a webhook reaching us is counted
    livekit.join(room, "guest-cy")
    assert client.blocking_portal.call(rooms.reconcile) == 1
    assert (await metrics(client, owner, event_id))["current_viewers"] == 1

    assert (await move(client, owner, event_id, "POST_LIVE")).status_code == 200
    await eventually(lambda: room not in livekit.rooms)
    assert (await metrics(client, owner, event_id))["current_viewers"] == 0
    assert livekit.methods().count("CreateRoom") == 1


async def test_webhooks_for_rooms_we_do_not_know_are_acknowledged(
    client: AsyncTestClient, livekit: FakeLiveKit
) -> None:
    for room in ("someone-elses-room", "showgeo-event-9b2f3c1e-0000-4000-8000-000000000000"):
        event = webhook_event("room_started", room, event_id=f"EV_{room}", created_at=1)
        assert (await deliver(client, livekit, event)).status_code == 200
    unsigned = await client.post("/webhooks/livekit", content=b"{}")
    assert_problem(unsigned, 401, "invalid_webhook_signature")


async def test_hosts_get_an_ingress_for_their_encoder(
    client: AsyncTestClient, livekit: FakeLiveKit
) -> None:
    owner, ticket_type = await shop(client)
    event_id = ticket_type["event_id"]
    stranger = await register(client, "stranger")
    url = f"/events/{event_id}/stream/ingress"
    assert_problem(await client.post(url, headers=owner.headers), 404, "stream_not_found")
    await client.put(
        f"/events/{event_id}/stream", json={"access_level": "PUBLIC"}, headers=owner.headers
    )
    assert_problem(await client.post(url, headers=stranger.headers), 403)
    rtmp = await client.post(url, headers=owner.headers)
    assert rtmp.status_code == 201, rtmp.text
    assert rtmp.json()["url"].startswith("rtmp://")
    assert rtmp.json()["stream_key"]
    whip = await client.post(url, json={"protocol": "WHIP"}, headers=owner.headers)
    assert whip.status_code == 201, whip.text
    made = livekit.ingresses[-1]
    assert made.room_name == f"showgeo-event-{event_id}"
    assert made.participant_identity == f"ingress-{owner.id}"
    assert_problem(await client.post(url, json={"protocol": "SRT"}, headers=owner.headers), 400)
