"""A creator edits an event and a product from the pages: what the API and the public pages
then show, refusals beside their fields with nothing changed, and strangers refused."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import create_entity, create_event, create_product, publish
from tests.web.pages import csrf, field_errors, log_in, submit, text

VENUE = {"name": "Old hall", "lat": 41.15, "lon": -8.61, "country": "PT"}


async def test_edit_an_event(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    made = await create_event(
        client,
        owner,
        "owls",
        title="Night show",
        description="Doors at eight",
        ends_at="2030-06-01T23:00:00Z",
        venue=VENUE,
    )
    event_id = made["id"]
    api = f"/events/{event_id}"
    page = f"/app/manage/events/{event_id}/edit"
    await log_in(client, owner.email)
    assert page in (await client.get(f"/app/manage/events/{event_id}")).text
    assert page in (await client.get("/app/dashboard/owls")).text
    assert page in (await client.get(f"/app/events/{event_id}")).text  # the team's event page

    shown = (await client.get(f"{page}?time_zone=Europe/Lisbon")).text  # prefilled
    assert 'value="2030-06-01T22:00"' in shown  # 21:00 UTC in Lisbon's summer time
    assert 'value="Night show"' in shown
    assert 'value="41.15"' in shown
    assert 'value="2030-06-01T21:00"' in (await client.get(page)).text  # UTC by default
    unknown = await client.get(f"{page}?time_zone=Mars/Base")
    assert "unknown time zone" in text(unknown.text)
    assert 'value="2030-06-01T21:00"' in unknown.text

    token = await csrf(client, page)
    form = {
        "title": "Harbour night",
        "description": "",
        "starts_at": "2030-06-02T21:30",
        "ends_at": "2030-06-02T23:00",
        "time_zone": "Europe/Lisbon",
        "venue.name": "Coliseu",
        "venue.lat": "38.7139",
        "venue.lon": "-9.1394",
        "venue.country": "pt",
    }
    before = (await client.get(api)).json()
    refusals: list[tuple[dict[str, str], str]] = [
        ({"ends_at": "2030-06-02T20:00"}, "ends_at"),  # before the start
        ({"title": ""}, "title"),
        ({"venue.lat": "100"}, "venue.lat"),
        ({"venue.lat": "", "venue.lon": ""}, "venue.lat"),  # half a venue
        ({"starts_at": ""}, "starts_at"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
    ]
    for change, name in refusals:
        refused = await submit(client, page, {**form, **change}, token=token)
        assert refused.status_code == 200, change
        assert name in field_errors(refused.text), (change, field_errors(refused.text))
        assert f'aria-describedby="e-{name}"' in refused.text
        assert 'value="Harbour night"' in refused.text or change.get("title") == ""  # kept
        assert (await client.get(api)).json() == before  # nothing changed

    saved = await submit(client, page, form, token=token)
    assert saved.status_code == 303, field_errors(saved.text) or text(saved.text)[:300]
    assert saved.headers["location"] == f"/app/manage/events/{event_id}"
    event = (await client.get(api)).json()
    assert event["title"] == "Harbour night"
    assert event["description"] is None  # the empty description cleared it
    assert event["starts_at"] == "2030-06-02T20:30:00Z"
    assert event["ends_at"] == "2030-06-02T22:00:00Z"
    assert event["venue"] == {"name": "Coliseu", "lat": 38.7139, "lon": -9.1394, "country": "PT"}
    public = text((await client.get(f"/app/events/{event_id}")).text)
    assert "Harbour night" in public
    assert "Coliseu, PT" in public
    assert "Doors at eight" not in public

    cleared = await submit(
        client,
        page,
        {**form, "ends_at": "", "venue.name": "", "venue.lat": "", "venue.lon": ""}
        | {"venue.country": ""},
        token=token,
    )
    assert cleared.status_code == 303, field_errors(cleared.text)
    event = (await client.get(api)).json()
    assert (event["ends_at"], event["venue"]) == (None, None)
    assert event["starts_at"] == "2030-06-02T20:30:00Z"  # the rest as it was

    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)
    assert (await client.get(page)).status_code == 403
    assert page not in (await client.get(f"/app/events/{event_id}")).text
    forged = await submit(
        client, page, {**form, "title": "Hijacked"}, token=await csrf(client, "/")
    )
    assert forged.status_code == 403
    assert (await client.get(api)).json()["title"] == "Harbour night"


async def test_a_finished_event_can_no_longer_be_edited(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event_id = (await create_event(client, owner, "owls"))["id"]
    moved = await client.post(
        f"/events/{event_id}/phase", json={"to": "CANCELLED"}, headers=owner.headers
    )
    assert moved.status_code == 200, moved.text
    await log_in(client, owner.email)
    page = f"/app/manage/events/{event_id}/edit"
    token = await csrf(client, page)
    form = {"title": "Renamed", "starts_at": "2030-06-01T21:00", "time_zone": "UTC"}
    refused = await submit(client, page, form, token=token)
    assert refused.status_code == 200
    assert 'role="alert"' in refused.text
    assert "can no longer be edited" in text(refused.text)
    assert (await client.get(f"/events/{event_id}")).json()["title"] == "Night show"


async def test_edit_a_product(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    shirt = await create_product(client, owner, title="Tour shirt", description="Cotton")
    assert (await publish(client, owner, shirt)).status_code == 200
    ep = await create_product(client, owner, title="Live EP", kind="DIGITAL", stock=None)
    api = f"/products/{shirt['id']}"
    page = f"/app/manage/products/{shirt['id']}/edit"
    await log_in(client, owner.email)
    board = (await client.get("/app/dashboard/owls")).text
    assert page in board
    assert f"/app/manage/products/{ep['id']}/edit" in board

    shown = (await client.get(page)).text
    assert 'value="25.00"' in shown
    assert 'value="50"' in shown  # the stock of a physical product
    assert 'id="f-stock"' not in (await client.get(f"/app/manage/products/{ep['id']}/edit")).text

    token = await csrf(client, page)
    form = {
        "title": "Signed shirt",
        "description": "",
        "price.amount": "19.90",
        "price.currency": "EUR",
        "stock": "",
        "visibility": "FOLLOWERS",
    }
    before = (await client.get(api, headers=owner.headers)).json()
    refusals: list[tuple[dict[str, str], str]] = [
        ({"price.amount": "-5"}, "price.amount"),
        ({"price.amount": "19.905"}, "price.amount"),
        ({"price.amount": ""}, "price.amount"),
        ({"title": ""}, "title"),
        ({"stock": "-1"}, "stock"),
    ]
    for change, name in refusals:
        refused = await submit(client, page, {**form, **change}, token=token)
        assert refused.status_code == 200, change
        assert name in field_errors(refused.text), (change, field_errors(refused.text))
        assert (await client.get(api, headers=owner.headers)).json() == before

    saved = await submit(client, page, form, token=token)
    assert saved.status_code == 303, field_errors(saved.text) or text(saved.text)[:300]
    assert saved.headers["location"] == f"/app/products/{shirt['id']}"
    product = (await client.get(api, headers=owner.headers)).json()
    assert (product["title"], product["description"], product["stock"]) == (
        "Signed shirt",
        None,
        None,
    )
    assert product["price"] == {"amount": 1990, "currency": "EUR"}
    assert product["visibility"] == "FOLLOWERS"
    assert "19.90 EUR" in text((await client.get(f"/app/products/{shirt['id']}")).text)

    digital: dict[str, Any] = {**form, "title": "Live EP (remastered)"}
    del digital["stock"]
    renamed = await submit(client, f"/app/manage/products/{ep['id']}/edit", digital, token=token)
    assert renamed.status_code == 303, field_errors(renamed.text)
    assert (await client.get(f"/products/{ep['id']}", headers=owner.headers)).json()[
        "title"
    ] == "Live EP (remastered)"

    helper = await register(client, "helper")  # the team's collaborator: not the store's
    body = {"username": "helper", "role": "COLLABORATOR"}
    assert (
        await client.post("/entities/owls/members", json=body, headers=owner.headers)
    ).status_code == 201
    await log_in(client, helper.email)
    token = await csrf(client, page)  # the form is shown to the team ...
    refused = await submit(client, page, {**form, "price.amount": "1"}, token=token)
    assert 'role="alert"' in refused.text  # ... and the use case refuses the collaborator
    assert (await client.get(api, headers=owner.headers)).json()["price"]["amount"] == 1990

    stranger = await register(client, "stranger")  # a follower: the product is shown to them
    await client.put("/entities/owls/follow", headers=stranger.headers)
    await log_in(client, stranger.email)
    assert (await client.get(page)).status_code == 403
    forged = await submit(
        client, page, {**form, "price.amount": "0"}, token=await csrf(client, "/")
    )
    assert forged.status_code == 403
    assert (await client.get(api, headers=owner.headers)).json()["price"]["amount"] == 1990
