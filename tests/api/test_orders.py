"""Orders through HTTP with the localpay provider: place, follow the checkout link, pay on
localpay's page (a signed notice through the webhook path), get tickets, check them in;
idempotent retries, sold out, forged and replayed webhooks, bad input."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient

from showgeo_adapters.localpay import SIGNATURE_HEADER, LocalPay
from showgeo_api.settings import Settings
from showgeo_domain.shared.clock import SystemClock
from tests.api.conftest import assert_problem, register
from tests.api.helpers import counters, local, my_tickets, pay, place, seats, shop


def signed(settings: Settings, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    provider = LocalPay(settings.public_base_url, settings.localpay_secret, SystemClock())
    body = msgspec.json.encode(payload)
    return body, {SIGNATURE_HEADER: provider.sign_notice(body), "content-type": "application/json"}


async def test_the_whole_localpay_flow(client: AsyncTestClient) -> None:
    owner, general = await shop(client)
    buyer = await register(client, "buyer")

    response = await place(client, buyer, seats(general, 2))
    assert response.status_code == 201, response.text
    placed = response.json()
    order = placed["order"]
    assert order["status"] == "PENDING"
    assert order["total"] == {"amount": 5000, "currency": "EUR"}
    assert order["lines"][0]["quantity"] == 2
    checkout = placed["checkout"]
    assert checkout["url"].startswith(f"http://127.0.0.1:8000/localpay/checkout/{order['id']}?")
    assert checkout["expires_at"] == order["expires_at"]
    assert await counters(client, general) == (0, 2)

    page = await client.get(local(checkout["url"]))
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "50.00 EUR" in page.text
    assert "/pay?token=" in page.text
    assert "/cancel?token=" in page.text
    forged = local(checkout["url"]).split("token=")[0] + "token=1.abc"
    assert_problem(await client.get(forged), 404, "order_not_found")

    await pay(client, checkout["url"])
    read = await client.get(f"/orders/{order['id']}", headers=buyer.headers)
    assert read.status_code == 200, read.text
    assert read.json()["status"] == "PAID"
    assert read.json()["paid_at"] is not None
    assert await counters(client, general) == (2, 0)
    mine = (await client.get("/users/me/orders", headers=buyer.headers)).json()
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert mine["next_cursor"] is None

    tickets = await my_tickets(client, buyer)
    assert len(tickets) == 2
    assert len({t["code"] for t in tickets}) == 2
    for ticket in tickets:
        assert ticket["order_id"] == order["id"]
        assert ticket["ticket_type_id"] == general["id"]
        assert ticket["event_id"] == general["event_id"]
        assert ticket["valid"] is True
        assert ticket["checked_in_at"] is None

    code = tickets[0]["code"]
    assert_problem(
        await client.post(f"/tickets/{code}/check-in", headers=buyer.headers),
        403,
        "entity_permission_denied",
    )
    first = await client.post(f"/tickets/{code}/check-in", headers=owner.headers)
    assert first.status_code == 200, first.text
    assert first.json()["checked_in_at"] is not None
    again = assert_problem(
        await client.post(f"/tickets/{code}/check-in", headers=owner.headers),
        409,
        "ticket_already_used",
    )
    assert again["used_at"]
    assert_problem(
        await client.post("/tickets/no-such-code/check-in", headers=owner.headers),
        404,
        "ticket_not_found",
    )
    # The checkout page of a paid order offers nothing to do.
    closed = await client.get(local(checkout["url"]))
    assert closed.status_code == 200
    assert "/pay?token=" not in closed.text


async def test_cancel_on_the_checkout_page_gives_the_seats_back(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    placed = (await place(client, buyer, seats(general, 2))).json()
    path, _, query = local(placed["checkout"]["url"]).partition("?")
    response = await client.post(f"{path}/cancel?{query}", follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Checkout cancelled" in (await client.get(response.headers["location"])).text
    read = await client.get(f"/orders/{placed['order']['id']}", headers=buyer.headers)
    assert read.json()["status"] == "EXPIRED"
    assert await counters(client, general) == (0, 0)
    assert await my_tickets(client, buyer) == []


async def test_the_buyer_cancels_a_pending_order(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    stranger = await register(client, "stranger")
    order = (await place(client, buyer, seats(general, 1))).json()["order"]
    url = f"/orders/{order['id']}/cancel"
    assert_problem(await client.post(url, headers=stranger.headers), 404, "order_not_found")
    assert_problem(await client.get(f"/orders/{order['id']}", headers=stranger.headers), 404)
    response = await client.post(url, headers=buyer.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "CANCELLED"
    assert await counters(client, general) == (0, 0)
    assert_problem(await client.post(url, headers=buyer.headers), 409)


async def test_an_idempotency_key_answers_the_same_order(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    first = await place(client, buyer, seats(general, 1), key="k-1")
    again = await place(client, buyer, seats(general, 1), key="k-1")
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["order"]["id"] == first.json()["order"]["id"]
    assert again.json()["checkout"]["url"] == first.json()["checkout"]["url"]
    assert await counters(client, general) == (0, 1)

    other = await place(client, buyer, seats(general, 2), key="k-1")
    problem = assert_problem(other, 422, "idempotency_key_reused")
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert await counters(client, general) == (0, 1)
    mine = (await client.get("/users/me/orders", headers=buyer.headers)).json()["items"]
    assert len(mine) == 1


async def test_sold_out_reserves_nothing(client: AsyncTestClient) -> None:
    _, general = await shop(client, quota=2)
    buyer = await register(client, "buyer")
    assert (await place(client, buyer, seats(general, 1))).status_code == 201
    assert_problem(await place(client, buyer, seats(general, 2)), 409, "sold_out")
    assert await counters(client, general) == (0, 1)
    mine = (await client.get("/users/me/orders", headers=buyer.headers)).json()["items"]
    assert len(mine) == 1


async def test_a_forged_webhook_is_refused_and_changes_nothing(
    client: AsyncTestClient, settings: Settings
) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    order = (await place(client, buyer, seats(general, 1))).json()["order"]
    payload = {"id": "lpe_x", "type": "checkout.completed", "order_id": order["id"]}
    body, headers = signed(settings, payload)
    forger = LocalPay(settings.public_base_url, "not-the-secret", SystemClock())
    for bad in (
        {},
        {SIGNATURE_HEADER: forger.sign_notice(body)},
        {SIGNATURE_HEADER: "t=1,v1=00"},
    ):
        response = await client.post("/webhooks/localpay", content=body, headers=bad)
        assert_problem(response, 401, "invalid_webhook_signature")
    tampered = body.replace(b"lpe_x", b"lpe_y")
    response = await client.post("/webhooks/localpay", content=tampered, headers=headers)
    assert_problem(response, 401, "invalid_webhook_signature")
    read = await client.get(f"/orders/{order['id']}", headers=buyer.headers)
    assert read.json()["status"] == "PENDING"
    assert await counters(client, general) == (0, 1)
    # And the genuine one, still unseen, is then acted on.
    response = await client.post("/webhooks/localpay", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True}
    assert (await client.get(f"/orders/{order['id']}", headers=buyer.headers)).json()[
        "status"
    ] == "PAID"


async def test_a_replayed_webhook_issues_no_second_set_of_tickets(
    client: AsyncTestClient, settings: Settings
) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    order = (await place(client, buyer, seats(general, 2))).json()["order"]
    body, headers = signed(
        settings, {"id": "lpe_1", "type": "checkout.completed", "order_id": order["id"]}
    )
    for _ in range(2):
        response = await client.post("/webhooks/localpay", content=body, headers=headers)
        assert response.status_code == 200, response.text
    assert len(await my_tickets(client, buyer)) == 2
    # Another delivery of the same payment, and a late expiry: nothing changes either.
    for payload in (
        {"id": "lpe_2", "type": "checkout.completed", "order_id": order["id"]},
        {"id": "lpe_3", "type": "checkout.expired", "order_id": order["id"]},
        {"id": "lpe_4", "type": "something.else"},
    ):
        body, headers = signed(settings, payload)
        assert (
            await client.post("/webhooks/localpay", content=body, headers=headers)
        ).status_code == 200
    assert len(await my_tickets(client, buyer)) == 2
    assert await counters(client, general) == (2, 0)
    read = await client.get(f"/orders/{order['id']}", headers=buyer.headers)
    assert read.json()["status"] == "PAID"


async def test_bad_input_is_400_and_reserves_nothing(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    both = {"ticket_type_id": general["id"], "product_id": str(uuid.uuid4()), "quantity": 1}
    for body in (
        {"items": []},
        {},
        {"items": [{"ticket_type_id": general["id"], "quantity": 0}]},
        {"items": [{"ticket_type_id": general["id"], "quantity": 51}]},
        {"items": [{"ticket_type_id": general["id"], "quantity": 1.5}]},
        {"items": [both]},
        {"items": [{"quantity": 1}]},
        {"items": [{"ticket_type_id": "not-a-uuid", "quantity": 1}]},
    ):
        assert_problem(await place(client, buyer, body), 400)
    assert_problem(await place(client, buyer, seats(general, 1), key=""), 400)
    assert_problem(await place(client, buyer, seats(general, 1), key="k" * 256), 400)
    unknown = {"items": [{"ticket_type_id": str(uuid.uuid4()), "quantity": 1}]}
    assert_problem(await place(client, buyer, unknown), 404)
    assert_problem(await client.post("/orders", json=seats(general, 1)), 401)
    assert await counters(client, general) == (0, 0)
    assert (await client.get("/users/me/orders", headers=buyer.headers)).json()["items"] == []
