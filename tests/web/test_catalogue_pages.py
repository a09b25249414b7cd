"""The catalogue's edits from the management pages: edit and hide a ticket type (refusals
beside their field, nothing changed), delete an unsold one, delete an event that sold nothing
(one that sold is the error page telling to cancel it), unpublish and archive a product; and
strangers refused."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import register
from tests.api.helpers import (
    create_entity,
    create_event,
    create_product,
    pay,
    place,
    publish,
    seats,
)
from tests.web.pages import csrf, field_errors, log_in, submit, text


async def ticket_type(client: AsyncTestClient, owner: Any, event_id: str, quota: int = 10) -> Any:
    response = await client.post(
        f"/events/{event_id}/ticket-types",
        json={"name": "General", "price": {"amount": 2500, "currency": "EUR"}, "quota": quota},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_edit_hide_and_delete_ticket_types(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    event_id = (await create_event(client, owner, "owls"))["id"]
    general = await ticket_type(client, owner, event_id)
    spare = await ticket_type(client, owner, event_id)
    fan = await register(client, "fan")
    placed = await place(client, fan, seats(general, 2))
    await pay(client, placed.json()["checkout"]["url"])

    await log_in(client, owner.email)
    manage = f"/app/manage/events/{event_id}"
    page = f"{manage}/ticket-types/{general['id']}/edit"
    listing = (await client.get(manage)).text
    assert page in listing
    assert f"{manage}/ticket-types/{spare['id']}/delete" in listing  # unsold: deletable
    assert f"{manage}/ticket-types/{general['id']}/delete" not in listing  # sold: not offered

    shown = (await client.get(page)).text
    assert 'value="General"' in shown
    assert 'value="25.00"' in shown
    token = await csrf(client, page)
    form = {
        "name": "Floor",
        "description": "Standing",
        "price.amount": "25.00",
        "price.currency": "EUR",
        "quota": "8",
        "sales_start": "",
        "sales_end": "2030-05-31T20:00",
        "time_zone": "Europe/Lisbon",
    }
    api = f"/events/{event_id}/ticket-types"
    before = (await client.get(api, headers=owner.headers)).json()
    for change, name in (
        ({"quota": "1"}, "quota"),  # under the 2 sold
        ({"price.amount": "9.99"}, "price.amount"),  # sold: the price is fixed
        ({"name": ""}, "name"),
        ({"sales_end": "soon"}, "sales_end"),
    ):
        refused = await submit(client, page, {**form, **change}, token=token)
        assert refused.status_code == 200, change
        assert name in field_errors(refused.text), (change, field_errors(refused.text))
        assert (await client.get(api, headers=owner.headers)).json() == before

    saved = await submit(client, page, {**form, "hidden": "on"}, token=token)
    assert saved.status_code == 303, field_errors(saved.text) or text(saved.text)[:300]
    assert saved.headers["location"] == manage
    (edited, _) = (await client.get(api, headers=owner.headers)).json()["items"]
    assert (edited["name"], edited["description"], edited["quota"]) == ("Floor", "Standing", 8)
    assert edited["sales_end"] == "2030-05-31T19:00:00Z"
    assert edited["hidden"] is True
    assert "(hidden)" in text((await client.get(manage)).text)
    assert [t["id"] for t in (await client.get(api)).json()["items"]] == [spare["id"]]

    deleted = await submit(client, f"{manage}/ticket-types/{spare['id']}/delete", {}, token=token)
    assert deleted.status_code == 303
    assert [t["id"] for t in (await client.get(api, headers=owner.headers)).json()["items"]] == [
        general["id"]
    ]
    kept = await submit(client, f"{manage}/ticket-types/{general['id']}/delete", {}, token=token)
    assert kept.status_code == 400  # the pages answer every other refusal with 400
    assert "hide it instead" in text(kept.text)

    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)
    assert (await client.get(page)).status_code == 404  # hidden: not even its existence
    forged = await submit(client, page, {**form, "name": "Mine"}, token=await csrf(client, "/"))
    assert forged.status_code == 404
    assert (await client.get(api, headers=owner.headers)).json()["items"][0]["name"] == "Floor"


async def test_delete_an_event_only_when_it_sold_nothing(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    empty = (await create_event(client, owner, "owls", title="Empty"))["id"]
    sold = (await create_event(client, owner, "owls", title="Sold"))["id"]
    general = await ticket_type(client, owner, sold)
    fan = await register(client, "fan")
    placed = await place(client, fan, seats(general, 1))
    await pay(client, placed.json()["checkout"]["url"])

    await log_in(client, owner.email)
    token = await csrf(client, f"/app/manage/events/{empty}")
    assert (
        f"/app/manage/events/{empty}/delete"
        in (await client.get(f"/app/manage/events/{empty}")).text
    )
    gone = await submit(client, f"/app/manage/events/{empty}/delete", {}, token=token)
    assert gone.status_code == 303
    assert gone.headers["location"] == "/app/dashboard/owls"
    assert (await client.get(f"/events/{empty}")).status_code == 404
    refused = await submit(client, f"/app/manage/events/{sold}/delete", {}, token=token)
    assert refused.status_code == 400
    assert "cancel it instead" in text(refused.text)
    assert (await client.get(f"/events/{sold}")).status_code == 200


async def test_unpublish_and_archive_a_product(client: AsyncTestClient) -> None:
    owner = await register(client, "owner")
    await create_entity(client, owner, "owls")
    shirt = await create_product(client, owner, title="Tour shirt")
    assert (await publish(client, owner, shirt)).status_code == 200
    api = f"/products/{shirt['id']}"
    page = f"/app/manage/products/{shirt['id']}"
    await log_in(client, owner.email)
    token = await csrf(client, f"{page}/edit")
    form = (await client.get(f"{page}/edit")).text
    assert f"{page}/unpublish" in form
    assert f"{page}/archive" in form

    unpublished = await submit(client, f"{page}/unpublish", {}, token=token)
    assert unpublished.status_code == 303
    assert (await client.get(api, headers=owner.headers)).json()["published"] is False
    assert (await client.get(api)).status_code == 404
    assert f"{page}/unpublish" not in (await client.get(f"{page}/edit")).text

    archived = await submit(client, f"{page}/archive", {}, token=token)
    assert archived.status_code == 303
    assert archived.headers["location"] == "/app/dashboard/owls"
    assert (await client.get(api, headers=owner.headers)).json()["archived"] is True
    assert "Tour shirt" not in text((await client.get("/app/dashboard/owls")).text)

    stranger = await register(client, "stranger")
    await log_in(client, stranger.email)
    again = await submit(client, f"{page}/unpublish", {}, token=await csrf(client, "/"))
    assert again.status_code in (403, 404)
