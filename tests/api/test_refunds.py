"""Refunds, cancelled events and revenue through HTTP with the localpay provider, on SQLite
and PostgreSQL: partial and full refunds, over-refunds changing nothing, who may refund, two
concurrent refunds that together would exceed the payment, cancelling an event refunding its
paid tickets (and not the products bought with them), and who may read revenue."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from tests.api.conftest import Account, assert_problem, register
from tests.api.helpers import (
    add_member,
    create_product,
    make_admin,
    my_tickets,
    pay,
    place,
    publish,
    seats,
    shop,
)


async def paid_order(client: AsyncTestClient, buyer: Account, body: dict[str, Any]) -> Any:
    response = await place(client, buyer, body)
    assert response.status_code == 201, response.text
    await pay(client, response.json()["checkout"]["url"])
    return response.json()["order"]


async def refund(client: AsyncTestClient, by: Account, order_id: str, **body: Any) -> Any:
    return await client.post(f"/orders/{order_id}/refunds", json=body, headers=by.headers)


def eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


async def read_order(client: AsyncTestClient, by: Account, order_id: str) -> Any:
    response = await client.get(f"/orders/{order_id}", headers=by.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_partial_then_full_refund_voids_the_tickets(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    buyer = await register(client, "buyer")
    order = await paid_order(client, buyer, seats(general, 2))

    response = await refund(client, owner, order["id"], amount=eur(1000), reason="late start")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["refund"]["amount"] == eur(1000)
    assert body["refund"]["provider_ref"]
    assert body["order"]["status"] == "PARTIALLY_REFUNDED"
    assert body["order"]["refunded"] == eur(1000)
    assert [t["valid"] for t in await my_tickets(client, buyer)] == [True, True]

    too_much = assert_problem(
        await refund(client, owner, order["id"], amount=eur(4001)), 400, "refund_exceeds_payment"
    )
    assert too_much["errors"]
    unchanged = await read_order(client, buyer, order["id"])
    assert (unchanged["status"], unchanged["refunded"]) == ("PARTIALLY_REFUNDED", eur(1000))
    for bad in ({"amount": eur(0)}, {"amount": {"amount": 10, "currency": "USD"}}, {"x": 1}):
        assert_problem(
            await client.post(f"/orders/{order['id']}/refunds", json=bad, headers=owner.headers),
            400,
        )

    full = await refund(client, owner, order["id"])
    assert full.status_code == 201, full.text
    assert full.json()["refund"]["amount"] == eur(4000)
    assert full.json()["order"]["status"] == "REFUNDED"
    assert full.json()["order"]["closed_at"] is not None
    tickets = await my_tickets(client, buyer)
    assert [t["valid"] for t in tickets] == [False, False]
    assert_problem(
        await client.post(f"/tickets/{tickets[0]['code']}/check-in", headers=owner.headers),
        409,
        "ticket_not_valid",
    )
    assert_problem(await refund(client, owner, order["id"]), 409, "order_transition_not_allowed")


async def test_who_may_refund(client: AsyncTestClient) -> None:
    owner, general = await shop(client, quota=4)
    entity = (await client.get("/entities/owls")).json()
    helper, stranger = await register(client, "helper"), await register(client, "stranger")
    await add_member(client, owner, entity, helper, "COLLABORATOR")
    buyer = await register(client, "buyer")
    root = await make_admin(client)
    order = await paid_order(client, buyer, seats(general, 2))

    assert_problem(await refund(client, buyer, order["id"], amount=eur(100)), 403)
    assert_problem(await refund(client, helper, order["id"], amount=eur(100)), 403)
    assert_problem(
        await refund(client, stranger, order["id"], amount=eur(100)), 404, "order_not_found"
    )
    assert (await client.post(f"/orders/{order['id']}/refunds", json={})).status_code == 401
    assert (await read_order(client, buyer, order["id"]))["refunded"] == eur(0)

    by_admin = await refund(client, root, order["id"], amount=eur(100))
    assert by_admin.status_code == 201, by_admin.text
    assert (await read_order(client, buyer, order["id"]))["refunded"] == eur(100)


async def test_two_concurrent_refunds_cannot_exceed_the_payment(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    buyer = await register(client, "buyer")
    order = await paid_order(client, buyer, seats(general, 2))  # 50.00 EUR

    both = await asyncio.gather(
        refund(client, owner, order["id"], amount=eur(3000)),
        refund(client, owner, order["id"], amount=eur(3000)),
    )
    assert sorted(r.status_code for r in both) == [201, 400], [r.text for r in both]
    (lost,) = [r for r in both if r.status_code == 400]
    assert lost.json()["code"] == "refund_exceeds_payment"
    final = await read_order(client, buyer, order["id"])
    assert (final["status"], final["refunded"]) == ("PARTIALLY_REFUNDED", eur(3000))


async def test_cancelling_an_event_refunds_its_paid_tickets(client: AsyncTestClient) -> None:
    owner, general = await shop(client, quota=5)
    shirt = await create_product(client, owner, price=eur(1999))
    assert (await publish(client, owner, shirt)).status_code == 200
    ana, bob = await register(client, "ana"), await register(client, "bob")
    anas = await paid_order(client, ana, seats(general, 2))
    bobs = await paid_order(
        client,
        bob,
        {
            "items": [
                {"ticket_type_id": general["id"], "quantity": 1},
                {"product_id": shirt["id"], "quantity": 1},
            ]
        },
    )
    event_id = general["event_id"]

    response = await client.post(
        f"/events/{event_id}/phase", json={"to": "CANCELLED"}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["phase"] == "CANCELLED"
    assert (await client.get(f"/events/{event_id}")).json()["phase"] == "CANCELLED"

    anas_now = await read_order(client, ana, anas["id"])
    assert (anas_now["status"], anas_now["refunded"]) == ("REFUNDED", eur(5000))
    bobs_now = await read_order(client, bob, bobs["id"])
    assert (bobs_now["status"], bobs_now["refunded"]) == ("PARTIALLY_REFUNDED", eur(2500))
    for buyer in (ana, bob):
        assert all(not t["valid"] for t in await my_tickets(client, buyer))

    again = await client.post(
        f"/events/{event_id}/phase", json={"to": "CANCELLED"}, headers=owner.headers
    )
    assert again.status_code == 200, again.text
    assert (await read_order(client, bob, bobs["id"]))["refunded"] == eur(2500)
    assert_problem(
        await client.post(f"/events/{event_id}/phase", json={"to": "LIVE"}, headers=owner.headers),
        409,
        "phase_transition_not_allowed",
    )


async def test_revenue_for_staff_only(client: AsyncTestClient) -> None:
    owner, general = await shop(client, quota=5)
    entity = (await client.get("/entities/owls")).json()
    helper, stranger = await register(client, "helper"), await register(client, "stranger")
    await add_member(client, owner, entity, helper, "COLLABORATOR")
    buyer = await register(client, "buyer")
    first = await paid_order(client, buyer, seats(general, 2))
    await paid_order(client, buyer, seats(general, 1))
    assert (await refund(client, owner, first["id"], amount=eur(1000))).status_code == 201
    await place(client, buyer, seats(general, 1))  # pending: not revenue

    response = await client.get("/entities/owls/revenue", headers=owner.headers)
    assert response.status_code == 200, response.text
    revenue = response.json()
    assert revenue["currencies"] == [
        {"currency": "EUR", "gross": 7500, "refunded": 1000, "net": 6500, "orders": 2}
    ]
    (event,) = revenue["events"]
    assert event["event_id"] == general["event_id"]
    assert (event["gross"], event["refunded"], event["net"], event["tickets_sold"]) == (
        7500,
        1000,
        6500,
        3,
    )
    assert revenue["products"] == []
    by_id = await client.get(f"/entities/{entity['id']}/revenue", headers=owner.headers)
    assert by_id.json() == revenue

    for who in (helper, stranger, buyer):
        assert_problem(
            await client.get("/entities/owls/revenue", headers=who.headers),
            403,
            "entity_permission_denied",
        )
    assert (await client.get("/entities/owls/revenue")).status_code == 401
    assert_problem(
        await client.get("/entities/nobody/revenue", headers=owner.headers), 404, "entity_not_found"
    )
