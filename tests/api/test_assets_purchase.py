"""A digital product's file goes to its buyers: bought through localpay's checkout, the file
is downloadable by the buyer and by no one else (the team keeps access; a refund ends it).
An event's TICKET_HOLDERS files go to those holding a paid ticket."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.api.conftest import assert_problem, register
from tests.api.helpers import (
    create_entity,
    create_product,
    pay,
    place,
    publish,
    seats,
    shop,
    upload_asset,
)
from tests.support import media


async def test_a_bought_digital_product_is_downloadable_by_its_buyer_only(
    client: AsyncTestClient,
) -> None:
    owner = await register(client, "owner")
    buyer = await register(client, "buyer")
    fan = await register(client, "fan")
    entity = await create_entity(client, owner, "owls")
    song = media.wav(0.3)
    asset_id = await upload_asset(client, owner, entity["id"], data=song)
    album = await create_product(
        client, owner, title="Live album", kind="DIGITAL", stock=None, asset_id=asset_id
    )
    assert (await publish(client, owner, album)).status_code == 200
    await client.put(f"/entities/{entity['id']}/follow", headers=fan.headers)
    url = f"/assets/{asset_id}/content"

    def refused(response) -> None:  # type: ignore[no-untyped-def]
        assert assert_problem(response, 403)["reason"] in {"not_purchased", "not_signed_in"}

    refused(await client.get(url))
    for who in (buyer, fan):
        refused(await client.get(url, headers=who.headers))

    placed = await place(client, buyer, {"items": [{"product_id": album["id"], "quantity": 1}]})
    assert placed.status_code == 201, placed.text
    refused(await client.get(url, headers=buyer.headers))  # placed, not paid yet

    await pay(client, placed.json()["checkout"]["url"])
    download = await client.get(url, headers=buyer.headers)
    assert download.status_code == 200, download.text
    assert download.content == song
    part = await client.get(url, headers={**buyer.headers, "Range": "bytes=0-9"})
    assert (part.status_code, part.content) == (206, song[:10])

    refused(await client.get(url, headers=fan.headers))
    refused(await client.get(url))
    assert (await client.get(url, headers=owner.headers)).status_code == 200

    # The product carries the file: it cannot be deleted from under the buyers.
    in_use = await client.delete(f"/assets/{asset_id}", headers=owner.headers)
    assert_problem(in_use, 409, "asset_in_use")

    # A full refund takes the download away again.
    order_id = placed.json()["order"]["id"]
    refund = await client.post(f"/orders/{order_id}/refunds", json={}, headers=owner.headers)
    assert refund.status_code in (200, 201), refund.text
    refused(await client.get(url, headers=buyer.headers))


async def test_another_entity_cannot_sell_someone_elses_file(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    thief = await register(client, "thief")
    entity = await create_entity(client, owner, "owls")
    await create_entity(client, thief, "crows")
    asset_id = await upload_asset(client, owner, entity["id"])
    response = await client.post(
        "/entities/crows/products",
        json={
            "title": "Stolen album",
            "kind": "DIGITAL",
            "price": {"amount": 0, "currency": "EUR"},
            "visibility": "PUBLIC",
            "asset_id": asset_id,
        },
        headers=thief.headers,
    )
    assert_problem(response, 400, "invalid_input")


async def test_ticket_holders_get_the_events_files(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    holder = await register(client, "holder")
    other = await register(client, "other")
    setlist = media.pdf()
    made = await client.post(
        "/assets",
        data={"visibility": "TICKET_HOLDERS", "event_id": general["event_id"]},
        files={"file": ("setlist.pdf", setlist, "application/pdf")},
        headers=owner.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["entity_id"] is not None  # the event's entity, implied
    url = made.json()["content_url"]
    assert assert_problem(await client.get(url, headers=holder.headers), 403)["reason"] == (
        "no_ticket"
    )
    placed = await place(client, holder, seats(general, 1))
    await pay(client, placed.json()["checkout"]["url"])
    got = await client.get(url, headers=holder.headers)
    assert (got.status_code, got.content) == (200, setlist)
    assert assert_problem(await client.get(url, headers=other.headers), 403)["reason"] == (
        "no_ticket"
    )
