"""Streaming through the API on the embedded default (dev keys, no media server): setting up
a stream, tokens checked with livekit-api's own verifier, and refusals with their reasons."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient
from livekit.api import TokenVerifier

from showgeo_api.settings import DEV_LIVEKIT_API_KEY, DEV_LIVEKIT_API_SECRET, Settings
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.streaming.model import Location
from showgeo_domain.streaming.ports import ClientAddress
from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import create_entity, create_event, make_team, move

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

DEV = TokenVerifier(DEV_LIVEKIT_API_KEY, DEV_LIVEKIT_API_SECRET)


async def configure(
    client: AsyncTestClient, by: Account, event_id: str, level: str, **geofence: Any
) -> Any:
    body: dict[str, Any] = {"access_level": level}
    if geofence:
        body["geofence"] = geofence
    return await client.put(f"/events/{event_id}/stream", json=body, headers=by.headers)


async def token(client: AsyncTestClient, event_id: str, who: Account | None = None) -> Any:
    headers = who.headers if who is not None else {}
    return await client.post(f"/events/{event_id}/stream/token", headers=headers)


def refused(response: Any, reason: str) -> None:
    body = assert_problem(response, 403, "stream_access_refused")
    assert body["reason"] == reason


async def test_followers_watch_and_others_are_told_why_not(client: AsyncTestClient) -> None:
    owner, fan, stranger = [await register(client, n) for n in ("owner", "fan", "stranger")]
    entity = await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    response = await configure(client, owner, event["id"], "FOLLOWERS")
    assert response.status_code == 200, response.text
    stream = response.json()
    assert stream["access_level"] == "FOLLOWERS"
    assert stream["room"] == f"showgeo-event-{event['id']}"
    follow = await client.put(f"/entities/{entity['id']}/follow", headers=fan.headers)
    assert follow.status_code == 200, follow.text
    assert (await move(client, owner, event["id"], "LIVE")).status_code == 200

    response = await token(client, event["id"], fan)
    assert response.status_code == 200, response.text
    granted = response.json()
    assert granted["role"] == "viewer"
    assert granted["room"] == stream["room"]
    assert granted["url"] == "ws://127.0.0.1:7880"
    claims = DEV.verify(granted["token"])
    assert claims.identity == fan.id == granted["identity"]
    assert claims.name == "fan"
    assert claims.video is not None
    assert (claims.video.room_join, claims.video.room) == (True, stream["room"])
    assert claims.video.can_subscribe
    assert claims.video.can_publish_data  # chat
    assert not claims.video.can_publish
    exp = jwt.decode(granted["token"], options={"verify_signature": False})["exp"]
    assert 590 <= exp - time.time() <= 600

    refused(await token(client, event["id"], stranger), "not_following")
    refused(await token(client, event["id"]), "login_required")

    host = await token(client, event["id"], owner)
    assert host.status_code == 200, host.text
    assert host.json()["role"] == "host"
    assert DEV.verify(host.json()["token"]).video.can_publish  # type: ignore[union-attr]


async def test_anonymous_viewers_get_their_own_identity_on_public_streams_only(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    assert (await configure(client, owner, event["id"], "PUBLIC")).status_code == 200
    refused(await token(client, event["id"]), "not_live")
    await move(client, owner, event["id"], "LIVE")
    first, second = await token(client, event["id"]), await token(client, event["id"])
    identities = {first.json()["identity"], second.json()["identity"]}
    assert len(identities) == 2
    assert all(i.startswith("guest-") for i in identities)
    claims = DEV.verify(first.json()["token"])
    assert (claims.identity, claims.name) == (first.json()["identity"], "Guest")
    assert (await configure(client, owner, event["id"], "AUTHENTICATED")).status_code == 200
    refused(await token(client, event["id"]), "login_required")


async def test_levels_through_the_api(client: AsyncTestClient) -> None:
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    await configure(client, team.owner, event["id"], "PRIVATE")
    # hosts set up before going live; viewers wait for LIVE
    helper = await token(client, event["id"], team.helper)
    assert helper.status_code == 200, helper.text
    assert helper.json()["role"] == "host"
    refused(await token(client, event["id"], team.stranger), "members_only")
    await configure(client, team.owner, event["id"], "TICKET_HOLDERS")
    refused(await token(client, event["id"], team.stranger), "no_ticket")
    await move(client, team.owner, event["id"], "LIVE")
    await move(client, team.owner, event["id"], "POST_LIVE")
    refused(await token(client, event["id"], team.helper), "not_live")


async def test_setting_up_a_stream_is_for_the_team(client: AsyncTestClient) -> None:
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    assert_problem(await configure(client, team.stranger, event["id"], "PUBLIC"), 403)
    assert_problem(
        await client.put(f"/events/{event['id']}/stream", json={"access_level": "PUBLIC"}), 401
    )
    assert_problem(await client.get(f"/events/{event['id']}/stream"), 404, "stream_not_found")
    refused_before = await token(client, event["id"], team.owner)
    assert_problem(refused_before, 404, "stream_not_found")
    response = await configure(
        client,
        team.helper,
        event["id"],
        "PUBLIC",
        allowed_countries=["PT", "ES"],
        denied_circles=[{"lat": 38.72, "lon": -9.14, "radius_km": 5}],
    )
    assert response.status_code == 200, response.text
    fence = (await client.get(f"/events/{event['id']}/stream")).json()["geofence"]
    assert fence["allowed_countries"] == ["ES", "PT"]
    assert fence["denied_circles"] == [{"lat": 38.72, "lon": -9.14, "radius_km": 5.0}]


@pytest.mark.parametrize(
    "body",
    [
        {"access_level": "EVERYONE"},
        {"access_level": "PUBLIC", "geofence": {"allowed_countries": ["pt"]}},
        {"access_level": "PUBLIC", "geofence": {"allowed_circles": [{"lat": 1, "lon": 2}]}},
        {
            "access_level": "PUBLIC",
            "geofence": {"denied_circles": [{"lat": 91, "lon": 0, "radius_km": 1}]},
        },
        {
            "access_level": "PUBLIC",
            "geofence": {"allowed_circles": [{"lat": 0, "lon": 0, "radius_km": 0}]},
        },
        {"access_level": "PUBLIC", "geofence": {"everywhere": True}},
    ],
)
async def test_bad_stream_settings_are_a_400(client: AsyncTestClient, body: dict) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    response = await client.put(f"/events/{event['id']}/stream", json=body, headers=owner.headers)
    assert_problem(response, 400, "invalid_input")
    assert_problem(await client.get(f"/events/{event['id']}/stream"), 404)


class FixedLocator:
    """Everyone is where the test says (the geo adapters have their own tests)."""

    def __init__(self, where: Location) -> None:
        self.where = where
        self.asked: list[ClientAddress] = []

    def locate(self, client: ClientAddress) -> Location:
        self.asked.append(client)
        return self.where


async def test_the_geofence_decides_by_the_locator(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls")
    await configure(client, owner, event["id"], "PUBLIC", allowed_countries=["PT"])
    await move(client, owner, event["id"], "LIVE")
    # nothing configured: the place is unknown, and unknown is refused by default
    refused(await token(client, event["id"]), "outside_region")
    container = client.app.state["container"]
    lisbon = FixedLocator(Location("PT", GeoPoint(38.72, -9.14)))
    with container.geo_locator.override(lisbon):
        container.streaming.reset()
        response = await token(client, event["id"])
        assert response.status_code == 200, response.text
        assert lisbon.asked[0].headers.get("host")  # the request's headers reach it
    with container.geo_locator.override(FixedLocator(Location("ES"))):
        container.streaming.reset()
        refused(await token(client, event["id"]), "outside_region")
    container.streaming.reset()


async def test_unknown_places_can_be_let_in(settings: Settings) -> None:
    from showgeo_api.app import create_app

    allowing = Settings(**{**_fields(settings), "geo_unknown_location": "allow"})
    async with AsyncTestClient(app=create_app(allowing)) as client:
        owner = await register(client, "owner")
        await create_entity(client, owner, "owls")
        event = await create_event(client, owner, "owls")
        await configure(client, owner, event["id"], "PUBLIC", denied_countries=["ES"])
        await move(client, owner, event["id"], "LIVE")
        assert (await token(client, event["id"])).status_code == 200


def _fields(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in settings.__struct_fields__}


async def test_metrics_are_for_the_team(client: AsyncTestClient) -> None:
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    url = f"/events/{event['id']}/stream/metrics"
    response = await client.get(url, headers=team.helper.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "current_viewers": 0,
        "peak_viewers": 0,
        "unique_viewers": 0,
        "watch_seconds": 0,
    }
    assert_problem(await client.get(url, headers=team.stranger.headers), 403)
    assert_problem(await client.get(url), 401)


async def test_ingress_needs_a_media_server(client: AsyncTestClient) -> None:
    team = await make_team(client)
    event = await create_event(client, team.owner, "owls")
    await configure(client, team.owner, event["id"], "PUBLIC")
    url = f"/events/{event['id']}/stream/ingress"
    assert_problem(await client.post(url, headers=team.stranger.headers), 403)
    assert_problem(await client.post(url, headers=team.owner.headers), 502, "media_server_error")
