"""Catalogue edit routes: PATCH and DELETE of a ticket type, DELETE of an event, unpublish and
archive of a product. Who may (owners and entity admins for ticket types and products, the
event team for events), what is refused with which 409 code, and a race of quota edits
against a buyer."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import (
    GARBAGE,
    counters,
    create_entity,
    create_event,
    create_product,
    make_team,
    move,
    pay,
    place,
    publish,
    seats,
    shop,
    upload_asset,
)
from tests.support.media import png

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def url_of(ticket_type: dict[str, Any]) -> str:
    return f"/events/{ticket_type['event_id']}/ticket-types/{ticket_type['id']}"


async def buy(client: AsyncTestClient, buyer: Account, ticket_type: dict[str, Any], n: int) -> str:
    """A paid order of `n` seats; its id."""
    placed = await place(client, buyer, seats(ticket_type, n))
    assert placed.status_code == 201, placed.text
    await pay(client, placed.json()["checkout"]["url"])
    return str(placed.json()["order"]["id"])


async def test_the_owner_edits_every_field_of_an_unsold_ticket_type(
    client: AsyncTestClient,
) -> None:
    owner, general = await shop(client, quota=10)
    body = {
        "name": "Floor",
        "description": "Standing room",
        "price": {"amount": 3000, "currency": "EUR"},
        "quota": 8,
        "sales_start": "2029-01-01T00:00:00+01:00",
        "sales_end": "2029-02-01T00:00:00Z",
    }
    response = await client.patch(url_of(general), json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["name"], edited["description"], edited["quota"]) == ("Floor", "Standing room", 8)
    assert edited["price"] == {"amount": 3000, "currency": "EUR"}
    assert edited["sales_start"].startswith("2028-12-31T23:00:00")
    assert (edited["hidden"], edited["available"]) == (False, 8)
    cleared = await client.patch(
        url_of(general),
        json={"description": None, "sales_start": None, "sales_end": None},
        headers=owner.headers,
    )
    assert (cleared.json()["description"], cleared.json()["sales_end"]) == (None, None)
    assert cleared.json()["on_sale"] is True
    listed = (await client.get(f"/events/{general['event_id']}/ticket-types")).json()["items"]
    assert listed == [cleared.json()]


async def test_bad_edits_are_400_and_unknown_ones_404(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    for body in ({"quota": 0}, {"name": ""}, {"colour": "red"}, {"sales_start": "tomorrow"}):
        assert_problem(
            await client.patch(url_of(general), json=body, headers=owner.headers),
            400,
            "invalid_input",
        )
    window = {"sales_start": "2029-02-01T00:00:00Z", "sales_end": "2029-01-01T00:00:00Z"}
    problem = assert_problem(
        await client.patch(url_of(general), json=window, headers=owner.headers), 400
    )
    assert problem["errors"][0]["field"] == "sales_end"
    event_id = general["event_id"]
    for url in (
        f"/events/{event_id}/ticket-types/{UNKNOWN}",
        f"/events/{UNKNOWN}/ticket-types/{general['id']}",
    ):
        assert_problem(await client.patch(url, json={"quota": 3}, headers=owner.headers), 404)
        assert_problem(await client.delete(url, headers=owner.headers), 404)
    other = await create_event(client, owner, "owls", title="Other")
    moved = f"/events/{other['id']}/ticket-types/{general['id']}"
    assert_problem(
        await client.patch(moved, json={"quota": 3}, headers=owner.headers),
        404,
        "ticket_type_not_found",
    )


async def test_only_owners_and_entity_admins_edit_or_delete_ticket_types(
    client: AsyncTestClient,
) -> None:
    team = await make_team(client, with_admin=True)
    event = await create_event(client, team.owner, "owls")
    response = await client.post(
        f"/events/{event['id']}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 10},
        headers=team.owner.headers,
    )
    general = response.json()
    for headers in ({}, GARBAGE):
        assert_problem(await client.patch(url_of(general), json={}, headers=headers), 401)
        assert_problem(await client.delete(url_of(general), headers=headers), 401)
    assert team.root is not None
    for who in (team.helper, team.stranger, team.root):
        assert_problem(
            await client.patch(url_of(general), json={"quota": 5}, headers=who.headers),
            403,
            "entity_permission_denied",
        )
        assert_problem(
            await client.delete(url_of(general), headers=who.headers),
            403,
            "entity_permission_denied",
        )
    boss = await client.patch(url_of(general), json={"quota": 5}, headers=team.boss.headers)
    assert boss.json()["quota"] == 5
    assert (await client.delete(url_of(general), headers=team.boss.headers)).status_code == 204
    assert (await client.get(f"/events/{event['id']}/ticket-types")).json()["items"] == []


async def test_after_a_sale_the_price_is_locked_the_quota_floored_and_the_type_kept(
    client: AsyncTestClient,
) -> None:
    owner, general = await shop(client, quota=10)
    buyer = await register(client, "fan")
    await buy(client, buyer, general, 3)
    assert await counters(client, general) == (3, 0)

    locked = assert_problem(
        await client.patch(
            url_of(general),
            json={"price": {"amount": 1, "currency": "EUR"}},
            headers=owner.headers,
        ),
        409,
        "price_locked_after_sales",
    )
    assert locked["sold"] == 3
    floor = assert_problem(
        await client.patch(url_of(general), json={"quota": 2}, headers=owner.headers),
        409,
        "quota_below_sold",
    )
    assert (floor["sold"], floor["reserved"]) == (3, 0)
    assert floor["errors"] == [{"field": "quota", "message": floor["detail"]}]
    at_floor = await client.patch(url_of(general), json={"quota": 3}, headers=owner.headers)
    assert (at_floor.json()["quota"], at_floor.json()["available"]) == (3, 0)

    kept = assert_problem(
        await client.delete(url_of(general), headers=owner.headers), 409, "ticket_type_has_sales"
    )
    assert "hidden" in kept["detail"]
    hidden = await client.patch(url_of(general), json={"hidden": True}, headers=owner.headers)
    assert (hidden.json()["hidden"], hidden.json()["on_sale"]) == (True, False)
    public = f"/events/{general['event_id']}/ticket-types"
    assert (await client.get(public)).json()["items"] == []
    assert [t["id"] for t in (await client.get(public, headers=owner.headers)).json()["items"]] == [
        general["id"]
    ]
    assert_problem(await place(client, buyer, seats(general, 1)), 409, "not_on_sale")


async def test_the_ticket_types_of_a_cancelled_event_are_fixed(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    await move(client, owner, general["event_id"], "CANCELLED")
    assert_problem(
        await client.patch(url_of(general), json={"name": "Late"}, headers=owner.headers),
        409,
        "event_not_editable",
    )


async def test_an_event_that_sold_nothing_is_deleted_and_one_that_sold_must_be_cancelled(
    client: AsyncTestClient,
) -> None:
    team = await make_team(client, with_admin=True)
    empty = await create_event(client, team.owner, "owls", title="Empty")
    assert team.root is not None
    for who in (team.stranger, team.root):
        assert_problem(
            await client.delete(f"/events/{empty['id']}", headers=who.headers),
            403,
            "entity_permission_denied",
        )
    assert_problem(await client.delete(f"/events/{empty['id']}"), 401)
    gone = await client.delete(f"/events/{empty['id']}", headers=team.helper.headers)
    assert gone.status_code == 204, gone.text
    assert_problem(await client.get(f"/events/{empty['id']}"), 404, "event_not_found")
    assert_problem(
        await client.delete(f"/events/{empty['id']}", headers=team.owner.headers),
        404,
        "event_not_found",
    )

    sold = await create_event(client, team.owner, "owls", title="Sold")
    general = (
        await client.post(
            f"/events/{sold['id']}/ticket-types",
            json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": 5},
            headers=team.owner.headers,
        )
    ).json()
    buyer = await register(client, "fan")
    await buy(client, buyer, general, 1)
    refused = assert_problem(
        await client.delete(f"/events/{general['event_id']}", headers=team.helper.headers),
        409,
        "event_has_sales",
    )
    assert '"CANCELLED"' in refused["detail"]
    assert (await client.get(f"/events/{general['event_id']}")).status_code == 200


async def test_a_live_event_is_not_deleted(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    await move(client, owner, general["event_id"], "LIVE")
    assert_problem(
        await client.delete(f"/events/{general['event_id']}", headers=owner.headers),
        409,
        "event_is_live",
    )


async def test_products_are_unpublished_and_archived_and_orders_keep_them(
    client: AsyncTestClient,
) -> None:
    team = await make_team(client, with_admin=True)
    shirt = await create_product(client, team.owner)
    url = f"/products/{shirt['id']}"
    assert_problem(
        await client.post(f"{url}/unpublish", headers=team.owner.headers), 409, "not_published"
    )
    await publish(client, team.owner, shirt)
    fan = await register(client, "fan")
    placed = await place(client, fan, {"items": [{"product_id": shirt["id"], "quantity": 1}]})
    assert placed.status_code == 201, placed.text
    await pay(client, placed.json()["checkout"]["url"])
    order_id = placed.json()["order"]["id"]

    assert team.root is not None
    for who in (team.helper, team.root):
        for action in ("unpublish", "archive"):
            assert_problem(
                await client.post(f"{url}/{action}", headers=who.headers),
                403,
                "entity_permission_denied",
            )
    assert_problem(await client.post(f"{url}/archive"), 401)
    assert_problem(
        await client.post(f"/products/{UNKNOWN}/archive", headers=team.owner.headers), 404
    )

    draft = await client.post(f"{url}/unpublish", headers=team.boss.headers)
    assert draft.status_code == 200, draft.text
    assert (draft.json()["published"], draft.json()["archived"]) == (False, False)
    assert_problem(await client.get(url, headers=fan.headers), 404, "product_not_found")
    await publish(client, team.owner, shirt)

    archived = await client.post(f"{url}/archive", headers=team.owner.headers)
    assert archived.status_code == 200, archived.text
    body = archived.json()
    assert (body["archived"], body["published"], body["sold"]) == (True, False, 1)
    assert body["archived_at"] is not None
    for who in (team.owner, fan):
        listed = await client.get("/entities/owls/products", headers=who.headers)
        assert listed.json()["items"] == []
    assert (await client.get(url, headers=team.owner.headers)).json()["archived"] is True
    assert_problem(await client.get(url, headers=fan.headers), 404, "product_not_found")
    again = {"items": [{"product_id": shirt["id"], "quantity": 1}]}
    assert_problem(await place(client, fan, again), 404, "product_not_found")
    for action in ("archive", "publish", "unpublish"):
        assert_problem(
            await client.post(f"{url}/{action}", headers=team.owner.headers),
            409,
            "product_archived",
        )
    assert_problem(
        await client.patch(url, json={"title": "Back"}, headers=team.owner.headers),
        409,
        "product_archived",
    )
    order = (await client.get(f"/orders/{order_id}", headers=fan.headers)).json()
    assert [(line["title"], line["quantity"]) for line in order["lines"]] == [("Tour shirt", 1)]


async def test_racing_quota_edits_and_a_buyer_never_leave_the_quota_under_the_seats_held(
    client: AsyncTestClient,
) -> None:
    owner, general = await shop(client, quota=10)
    buyer = await register(client, "fan")
    await buy(client, buyer, general, 4)

    cut, order, other_cut = await asyncio.gather(
        client.patch(url_of(general), json={"quota": 5}, headers=owner.headers),
        place(client, buyer, seats(general, 2)),
        client.patch(url_of(general), json={"quota": 6}, headers=owner.headers),
    )

    assert cut.status_code in (200, 409), cut.text
    assert other_cut.status_code in (200, 409), other_cut.text
    assert order.status_code in (201, 409), order.text
    for refused in (r for r in (cut, other_cut, order) if r.status_code == 409):
        assert refused.json()["code"] in ("quota_below_sold", "sold_out")
    sold, reserved = await counters(client, general)
    quota = next(
        t["quota"]
        for t in (await client.get(f"/events/{general['event_id']}/ticket-types")).json()["items"]
    )
    assert sold == 4
    assert reserved == (2 if order.status_code == 201 else 0)
    assert sold + reserved <= quota
    assert quota in {5, 6, 10}


async def test_an_event_goes_with_its_own_images_even_as_its_cover(
    client: AsyncTestClient,
) -> None:
    """Its assets' rows cascade with it (docs/assets.md); a link to one of them must not
    turn the delete into a 500."""
    owner, general = await shop(client)
    event_id = general["event_id"]
    entity_id = (await client.get(f"/events/{event_id}")).json()["entity_id"]
    uploaded = await client.post(
        "/assets",
        data={"visibility": "PUBLIC", "entity_id": entity_id, "event_id": event_id},
        files={"file": ("cover.png", png(), "image/png")},
        headers=owner.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    shot = uploaded.json()["id"]
    cover = await client.put(
        f"/events/{event_id}/cover", json={"asset_id": shot}, headers=owner.headers
    )
    assert cover.status_code == 200, cover.text
    gallery = await client.post(
        "/entities/owls/gallery", json={"asset_id": shot}, headers=owner.headers
    )
    assert gallery.status_code == 201, gallery.text

    gone = await client.delete(f"/events/{event_id}", headers=owner.headers)
    assert gone.status_code == 204, gone.text
    assert_problem(await client.get(f"/assets/{shot}", headers=owner.headers), 404)
    assert (await client.get(f"/entities/{entity_id}/images")).json()["items"] == []


async def test_buyers_of_an_archived_digital_product_keep_its_file(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    buyer = await register(client, "buyer")
    entity = await create_entity(client, owner, "owls")
    asset_id = await upload_asset(client, owner, entity["id"])
    album = await create_product(
        client, owner, title="Live album", kind="DIGITAL", stock=None, asset_id=asset_id
    )
    await publish(client, owner, album)
    placed = await place(client, buyer, {"items": [{"product_id": album["id"], "quantity": 1}]})
    await pay(client, placed.json()["checkout"]["url"])

    archived = await client.post(f"/products/{album['id']}/archive", headers=owner.headers)
    assert archived.status_code == 200, archived.text
    download = await client.get(f"/assets/{asset_id}/content", headers=buyer.headers)
    assert download.status_code == 200, download.text
    # Still carried by the archived product: the file cannot go from under its buyers.
    assert_problem(
        await client.delete(f"/assets/{asset_id}", headers=owner.headers), 409, "asset_in_use"
    )
