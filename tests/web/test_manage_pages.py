"""A creator runs their entity from the pages alone: creates and edits it, creates an event
with its venue and time and adds tickets, creates and publishes a product; a person edits
their profile and mutes notifications. Each form: what the API then reports, one refusal
shown beside its field, and a stranger refused without anything changing."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import create_entity, create_event, create_product
from tests.web.pages import csrf, field_errors, log_in, submit, text


async def test_create_and_edit_an_entity(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await log_in(client, owner.email)
    assert "/app/manage/entities/new" in (await client.get("/app/dashboard")).text
    token = await csrf(client, "/app/manage/entities/new")
    form = {"name": "The Owls", "slug": "owls", "kind": "ORGANIZATION", "bio": "Night music"}
    made = await submit(client, "/app/manage/entities/new", form, token=token)
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/app/dashboard/owls"
    entity = (await client.get("/entities/owls")).json()
    assert (entity["name"], entity["kind"], entity["bio"]) == (
        "The Owls",
        "ORGANIZATION",
        "Night music",
    )
    members = (await client.get("/entities/owls/members")).json()["items"]
    assert [(m["user"]["username"], m["role"]) for m in members] == [("owner", "OWNER")]

    taken = await submit(client, "/app/manage/entities/new", {**form, "name": "Other"}, token=token)
    assert "slug" in field_errors(taken.text)  # the slug is someone's already
    assert 'value="Other"' in taken.text  # what was typed is kept

    edit = await client.get("/app/manage/entities/owls/edit")
    assert 'value="The Owls"' in edit.text
    token = await csrf(client, "/app/manage/entities/owls/edit")
    saved = await submit(
        client,
        "/app/manage/entities/owls/edit",
        {"name": "Night Owls", "slug": "night-owls", "bio": ""},
        token=token,
    )
    assert saved.headers["location"] == "/app/dashboard/night-owls"
    entity = (await client.get("/entities/night-owls")).json()
    assert (entity["name"], entity["bio"]) == ("Night Owls", None)  # an empty bio clears it
    empty = await submit(
        client,
        "/app/manage/entities/night-owls/edit",
        {"name": "", "slug": "night-owls"},
        token=token,
    )
    assert "name" in field_errors(empty.text)

    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)
    assert (await client.get("/app/manage/entities/night-owls/edit")).status_code == 403
    forged = await submit(
        client,
        "/app/manage/entities/night-owls/edit",
        {"name": "Hijacked", "slug": "night-owls"},
        token=await csrf(client, "/"),
    )
    assert 'role="alert"' in forged.text
    assert (await client.get("/entities/night-owls")).json()["name"] == "Night Owls"


async def test_create_an_event_with_a_venue_and_add_tickets(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    await log_in(client, owner.email)
    assert "/app/manage/entities/owls/events/new" in (await client.get("/app/dashboard/owls")).text
    token = await csrf(client, "/app/manage/entities/owls/events/new")
    form = {
        "title": "Harbour night",
        "starts_at": "2030-06-01T21:30",
        "ends_at": "2030-06-01T23:00",
        "time_zone": "Europe/Lisbon",
        "venue.name": "Coliseu",
        "venue.lat": "38.7139",
        "venue.lon": "-9.1394",
        "venue.country": "pt",
    }
    bad = await submit(
        client, "/app/manage/entities/owls/events/new", {**form, "venue.lat": "95"}, token=token
    )
    assert "venue.lat" in field_errors(bad.text)
    assert 'aria-invalid="true" aria-describedby="e-venue.lat"' in bad.text
    zone = await submit(
        client,
        "/app/manage/entities/owls/events/new",
        {**form, "time_zone": "Mars/Base"},
        token=token,
    )
    assert "time_zone" in field_errors(zone.text)
    made = await submit(client, "/app/manage/entities/owls/events/new", form, token=token)
    assert made.status_code == 303, made.text
    event_id = made.headers["location"].rsplit("/", 1)[1]
    event = (await client.get(f"/events/{event_id}")).json()
    assert event["starts_at"] == "2030-06-01T20:30:00Z"  # 21:30 in Lisbon's summer time
    assert event["ends_at"] == "2030-06-01T22:00:00Z"
    assert event["venue"] == {"name": "Coliseu", "lat": 38.7139, "lon": -9.1394, "country": "PT"}

    page = f"/app/manage/events/{event_id}"
    token = await csrf(client, page)
    tickets = {"name": "General", "price.amount": "18.50", "price.currency": "EUR", "quota": "100"}
    cents = await submit(
        client, f"{page}/ticket-types", {**tickets, "price.amount": "18.505"}, token=token
    )
    assert "price.amount" in field_errors(cents.text)
    none = await submit(client, f"{page}/ticket-types", {**tickets, "quota": "0"}, token=token)
    assert "quota" in field_errors(none.text)
    added = await submit(client, f"{page}/ticket-types", tickets, token=token)
    assert added.headers["location"] == page
    listed = (await client.get(f"/events/{event_id}/ticket-types")).json()["items"]
    assert [(t["name"], t["price"], t["quota"]) for t in listed] == [
        ("General", {"amount": 1850, "currency": "EUR"}, 100)
    ]
    assert "General" in text((await client.get(page)).text)

    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)
    assert (await client.get(page)).status_code == 403
    token = await csrf(client, "/")
    forged = await submit(client, f"{page}/ticket-types", {**tickets, "name": "Free"}, token=token)
    assert forged.status_code == 403  # the event's management page is the team's
    assert len((await client.get(f"/events/{event_id}/ticket-types")).json()["items"]) == 1
    sneaked = await submit(client, "/app/manage/entities/owls/events/new", form, token=token)
    assert 'role="alert"' in sneaked.text
    assert len((await client.get("/events?entity=owls")).json()["items"]) == 1


async def test_create_a_product_as_a_draft_then_publish_it(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    fan = await register(client, "fan")
    await client.put("/entities/owls/follow", headers=fan.headers)
    await log_in(client, owner.email)
    new = "/app/manage/entities/owls/products/new"
    token = await csrf(client, new)
    form = {
        "title": "Tour poster",
        "description": "Signed",
        "kind": "PHYSICAL",
        "price.amount": "25",
        "price.currency": "EUR",
        "stock": "40",
        "visibility": "FOLLOWERS",
    }
    bad = await submit(client, new, {**form, "stock": "-1"}, token=token)
    assert "stock" in field_errors(bad.text)
    made = await submit(client, new, form, token=token)
    assert made.status_code == 303, made.text
    product_id = made.headers["location"].rsplit("/", 1)[1]
    product = (await client.get(f"/products/{product_id}", headers=owner.headers)).json()
    assert (product["kind"], product["visibility"], product["stock"]) == (
        "PHYSICAL",
        "FOLLOWERS",
        40,
    )
    assert product["price"] == {"amount": 2500, "currency": "EUR"}
    assert product["published"] is False
    assert (await client.get(f"/products/{product_id}", headers=fan.headers)).status_code == 404

    board = await client.get("/app/dashboard/owls")
    assert f"/app/manage/products/{product_id}/publish" in board.text
    published = await submit(client, f"/app/manage/products/{product_id}/publish", {}, token=token)
    assert published.status_code == 303
    assert (await client.get(f"/products/{product_id}", headers=fan.headers)).json()["published"]

    dropped = await submit(
        client,
        new,
        {**form, "title": "Live EP", "kind": "DIGITAL", "stock": "", "drop": "now"},
        token=token,
    )
    assert dropped.status_code == 303, field_errors(dropped.text) or text(dropped.text)[:300]
    ep = dropped.headers["location"].rsplit("/", 1)[1]
    assert (await client.get(f"/products/{ep}", headers=fan.headers)).json()["published"] is True

    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)
    assert (await client.get(new)).status_code == 403
    token = await csrf(client, "/")
    sneaked = await submit(client, new, {**form, "title": "Fake"}, token=token)
    assert 'role="alert"' in sneaked.text
    listed = (await client.get("/entities/owls/products", headers=owner.headers)).json()["items"]
    assert sorted(p["title"] for p in listed) == ["Live EP", "Tour poster"]


async def test_a_creator_event_from_the_api_is_managed_from_the_dashboard(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event = await create_event(client, owner, "owls", title="Owls live")
    draft = await create_product(client, owner, title="Zine")
    await log_in(client, owner.email)
    board = (await client.get("/app/dashboard/owls")).text
    assert f"/app/manage/events/{event['id']}" in board
    assert "Publish Zine now" in board
    assert draft["id"] in board


async def test_edit_profile_public_or_private(client: AsyncTestClient) -> None:
    ana = await register(client, "ana")
    await log_in(client, ana.email)
    page = await client.get("/app/settings/profile")
    assert 'id="f-is_private"' in page.text
    token = await csrf(client, "/app/settings/profile")
    saved = await submit(
        client,
        "/app/settings/profile",
        {"display_name": "Ana Sousa", "bio": "Jazz", "is_private": "on"},
        token=token,
    )
    assert saved.headers["location"] == "/app/settings/profile?saved=1"
    me = (await client.get("/auth/me", headers=ana.headers)).json()
    assert (me["display_name"], me["bio"], me["is_private"]) == ("Ana Sousa", "Jazz", True)
    assert (
        'id="f-is_private" name="is_private" value="on" checked'
        in (await client.get("/app/settings/profile?saved=1")).text
    )
    public = await submit(
        client, "/app/settings/profile", {"display_name": "Ana Sousa", "bio": ""}, token=token
    )
    assert public.status_code == 303
    me = (await client.get("/auth/me", headers=ana.headers)).json()
    assert (me["bio"], me["is_private"]) == (None, False)
    refused = await submit(
        client, "/app/settings/profile", {"display_name": "", "bio": "x"}, token=token
    )
    assert "display_name" in field_errors(refused.text)
    assert (await client.get("/auth/me", headers=ana.headers)).json()["bio"] is None

    client.cookies.clear()  # a visitor is sent to log in; nothing changes
    token = await csrf(client, "/app/login")
    anonymous = await submit(
        client, "/app/settings/profile", {"display_name": "Nobody"}, token=token
    )
    assert anonymous.status_code in (303, 401)
    assert (await client.get("/auth/me", headers=ana.headers)).json()["display_name"] == "Ana Sousa"


async def test_mute_a_kind_and_an_entity(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    entity = await create_entity(client, owner, "owls", name="The Owls")
    await create_entity(client, owner, "larks", name="The Larks")
    fan = await register(client, "fan")
    for slug in ("owls", "larks"):
        await client.put(f"/entities/{slug}/follow", headers=fan.headers)
    await log_in(client, fan.email)
    page = await client.get("/app/settings/notifications")
    assert "The Owls" in page.text
    assert "The Larks" in page.text
    token = await csrf(client, "/app/settings/notifications")
    saved = await client.post(
        "/app/settings/notifications",
        data={
            "_csrf_token": token,
            "muted_kinds": ["NEW_DROP", "PHASE_UPDATE"],
            "muted_entities": entity["id"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    preferences = (await client.get("/notifications/preferences", headers=fan.headers)).json()
    assert preferences == {
        "muted_kinds": ["NEW_DROP", "PHASE_UPDATE"],
        "muted_entities": [entity["id"]],
    }
    again = (await client.get("/app/settings/notifications")).text
    assert re.search(r'id="kind-NEW_DROP" name="muted_kinds" value="NEW_DROP" checked', again)
    assert re.search(r'id="mute-owls" name="muted_entities" value="[^"]+" checked', again)
    assert not re.search(r'id="mute-larks"[^>]* checked', again)

    unknown = await client.post(
        "/app/settings/notifications",
        data={"_csrf_token": token, "muted_kinds": "SPAM"},
        follow_redirects=False,
    )
    assert unknown.status_code == 200
    assert "muted_kinds" in field_errors(unknown.text)
    preferences = (await client.get("/notifications/preferences", headers=fan.headers)).json()
    assert preferences["muted_kinds"] == ["NEW_DROP", "PHASE_UPDATE"]  # unchanged

    cleared = await submit(client, "/app/settings/notifications", {}, token=token)
    assert cleared.status_code == 303
    preferences = (await client.get("/notifications/preferences", headers=fan.headers)).json()
    assert preferences == {"muted_kinds": [], "muted_entities": []}

    forged = await client.post(  # another site's form, without our CSRF token
        "/app/settings/notifications", data={"muted_kinds": "LIVE_NOW"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert (await client.get("/notifications/preferences", headers=fan.headers)).json()[
        "muted_kinds"
    ] == []
