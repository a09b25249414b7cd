"""Recording and ingress state with LIVEKIT_URL, keys and LIVEKIT_EGRESS_S3_BUCKET set, against
the local fake LiveKit: going LIVE starts a room-composite egress to the bucket, POST_LIVE
stops it, and the signed `egress_ended` webhook gives hosts the file's location; ingress
webhooks show hosts whether their encoder is sending."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from livekit.protocol import egress as proto_egress
from livekit.protocol import ingress as proto_ingress

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from tests.api.conftest import register
from tests.api.helpers import create_entity, create_event, move
from tests.support.fake_livekit import API_KEY, API_SECRET, FakeLiveKit, fake_livekit
from tests.support.fake_livekit import webhook_event as lk_event
from tests.support.waiting import eventually


@pytest.fixture
async def livekit() -> AsyncIterator[FakeLiveKit]:
    async with fake_livekit() as fake:
        yield fake


@pytest.fixture
async def client(settings: Settings, livekit: FakeLiveKit) -> AsyncIterator[AsyncTestClient]:
    fields = {name: getattr(settings, name) for name in settings.__struct_fields__}
    recording = Settings(
        **{
            **fields,
            "livekit_url": livekit.url,
            "livekit_api_key": API_KEY,
            "livekit_api_secret": API_SECRET,
            "livekit_egress_s3_bucket": "show-recordings",
            "livekit_egress_s3_region": "eu-west-1",
        }
    )
    async with AsyncTestClient(app=create_app(recording)) as test_client:
        yield test_client


async def deliver(client: AsyncTestClient, livekit: FakeLiveKit, event: Any) -> None:
    body, auth = livekit.signed(event)
    response = await client.post(
        "/webhooks/livekit",
        content=body,
        headers={"Authorization": auth, "Content-Type": "application/webhook+json"},
    )
    assert response.status_code == 200, response.text


async def test_a_live_event_is_recorded_to_the_bucket_and_hosts_see_the_file(
    client: AsyncTestClient, livekit: FakeLiveKit
) -> None:
    owner = await register(client, "owner")
    fan = await register(client, "fan")
    entity = await create_entity(client, owner, "night-owls")
    event = await create_event(client, owner, entity["id"])
    event_id = event["id"]
    response = await client.put(
        f"/events/{event_id}/stream", json={"access_level": "PUBLIC"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    path = f"/events/{event_id}/stream/recordings"
    assert (await client.get(path, headers=owner.headers)).json() == []
    assert (await client.get(path, headers=fan.headers)).status_code == 403
    assert (await client.get(path)).status_code == 401

    assert (await move(client, owner, event_id, "LIVE")).status_code == 200
    await eventually(lambda: len(livekit.egresses) == 1)
    [egress] = livekit.egresses.values()
    output = egress.room_composite.file_outputs[0]
    assert egress.room_name == f"showgeo-event-{event_id}"
    assert output.s3.bucket == "show-recordings"
    assert output.filepath.startswith(f"recordings/{event_id}/")
    [listed] = (await client.get(path, headers=owner.headers)).json()
    assert (listed["egress_id"], listed["status"]) == (egress.egress_id, "STARTING")

    assert (await move(client, owner, event_id, "POST_LIVE")).status_code == 200
    await eventually(lambda: "StopEgress" in livekit.methods())
    assert egress.status == proto_egress.EgressStatus.EGRESS_ENDING
    ended = livekit.finish_egress(egress.egress_id)
    await deliver(
        client,
        livekit,
        lk_event("egress_ended", "", event_id="EV_eg1", created_at=int(time.time()), egress=ended),
    )
    [done] = (await client.get(path, headers=owner.headers)).json()
    assert done["status"] == "COMPLETE"
    assert done["location"] == f"https://show-recordings.s3.amazonaws.com/{output.filepath}"
    assert done["size_bytes"] == 4_096_000
    assert done["ended_at"] is not None


async def test_hosts_see_whether_their_encoder_is_sending(
    client: AsyncTestClient, livekit: FakeLiveKit
) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "night-owls")
    event = await create_event(client, owner, entity["id"])
    event_id = event["id"]
    await client.put(
        f"/events/{event_id}/stream", json={"access_level": "PUBLIC"}, headers=owner.headers
    )
    made = await client.post(
        f"/events/{event_id}/stream/ingress", json={"protocol": "RTMP"}, headers=owner.headers
    )
    assert made.status_code == 201, made.text
    ingress_id = made.json()["ingress_id"]
    path = f"/events/{event_id}/stream/ingress"
    [idle] = (await client.get(path, headers=owner.headers)).json()
    assert (idle["ingress_id"], idle["protocol"], idle["status"]) == (
        ingress_id,
        "RTMP",
        "INACTIVE",
    )
    assert "stream_key" not in idle

    info = proto_ingress.IngressInfo(
        ingress_id=ingress_id,
        room_name=f"showgeo-event-{event_id}",
        input_type=proto_ingress.IngressInput.RTMP_INPUT,
        state=proto_ingress.IngressState(
            status=proto_ingress.IngressState.ENDPOINT_PUBLISHING, started_at=time.time_ns()
        ),
    )
    now = int(time.time())
    await deliver(
        client,
        livekit,
        lk_event("ingress_started", "", event_id="EV_in1", created_at=now, ingress=info),
    )
    [publishing] = (await client.get(path, headers=owner.headers)).json()
    assert publishing["status"] == "PUBLISHING"
    assert publishing["started_at"] is not None
    shown = await client.get(f"/events/{event_id}", headers=owner.headers)
    assert shown.json()["phase"] == "PRE_LIVE"  # an encoder does not start the show

    info.state.status = proto_ingress.IngressState.ENDPOINT_INACTIVE
    info.state.ended_at = time.time_ns()
    await deliver(
        client,
        livekit,
        lk_event("ingress_ended", "", event_id="EV_in2", created_at=now + 1, ingress=info),
    )
    [stopped] = (await client.get(path, headers=owner.headers)).json()
    assert stopped["status"] == "INACTIVE"
    assert stopped["ended_at"] is not None
