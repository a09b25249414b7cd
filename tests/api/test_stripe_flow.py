"""Orders through HTTP with Stripe as the payment provider, Stripe's API being a local fake
(tests/support/fake_stripe.py): the checkout URL comes from Stripe, signed webhooks pay the
order once, replays and out-of-order deliveries change nothing, forgeries are 401, and
localpay is not offered at all."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from showgeo_api.app import create_app
from showgeo_api.settings import Settings
from showgeo_api.wiring.container import Container, bootstrap
from tests.api.conftest import assert_problem, register
from tests.api.helpers import counters, my_tickets, place, seats, shop
from tests.support.fake_stripe import (
    FakeStripe,
    completed_session,
    fake_stripe_server,
    stripe_event,
    stripe_signature,
)

WEBHOOK_SECRET = "whsec_api_test"


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with fake_stripe_server() as server:
        yield server


@pytest.fixture
def container(settings: Settings, fake: FakeStripe) -> Container:
    return bootstrap(
        msgspec.structs.replace(
            settings,
            stripe_secret_key="sk_test_api",
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_api_base=fake.base_url,
        )
    )


@pytest.fixture
async def client(container: Container) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(container=container)) as test_client:
        yield test_client


def delivery(event_type: str, obj: dict[str, Any], event_id: str) -> tuple[bytes, dict[str, str]]:
    body = stripe_event(event_type, obj, event_id=event_id)
    return body, {
        "Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET),
        "content-type": "application/json",
    }


async def status_of(client: AsyncTestClient, buyer: Any, order_id: str) -> str:
    response = await client.get(f"/orders/{order_id}", headers=buyer.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def test_pay_through_stripe(
    client: AsyncTestClient, fake: FakeStripe, container: Container
) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    response = await place(client, buyer, seats(general, 2), key="k-1")
    assert response.status_code == 201, response.text
    placed = response.json()
    order = placed["order"]
    assert placed["checkout"]["url"] == "https://checkout.stripe.test/c/pay/cs_test_1"
    [sent] = fake.requests
    assert sent.path == "/v1/checkout/sessions"
    assert sent.form["client_reference_id"] == order["id"]
    assert sent.form["line_items[0][price_data][unit_amount]"] == "2500"
    assert sent.form["line_items[0][price_data][currency]"] == "eur"
    assert sent.form["line_items[0][quantity]"] == "2"
    # A retried placement gets the same Stripe session (same idempotency key, same request).
    again = await place(client, buyer, seats(general, 2), key="k-1")
    assert again.json()["checkout"]["url"] == placed["checkout"]["url"]
    assert fake.requests[1].form == sent.form

    body, headers = delivery(
        "checkout.session.completed",
        completed_session(order["id"], payment_intent="pi_test_api"),
        "evt_paid",
    )
    response = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True}
    assert await status_of(client, buyer, order["id"]) == "PAID"
    assert len(await my_tickets(client, buyer)) == 2
    assert await counters(client, general) == (2, 0)
    # Refunds need the payment intent, not the checkout session.
    # (read on the app's own loop: the test client serves the app from another thread)
    stored = await asyncio.to_thread(
        client.blocking_portal.call, container.payments().order, uuid.UUID(order["id"])
    )
    assert stored.payment_ref == "pi_test_api"

    # The same event again: nothing more.
    response = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert len(await my_tickets(client, buyer)) == 2
    assert await counters(client, general) == (2, 0)


async def test_out_of_order_deliveries_leave_a_paid_order_paid(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    order = (await place(client, buyer, seats(general, 1))).json()["order"]
    completed = delivery("checkout.session.completed", completed_session(order["id"]), "evt_c")
    expired = delivery(
        "checkout.session.expired",
        {**completed_session(order["id"], payment_status="unpaid"), "status": "expired"},
        "evt_e",
    )
    refunded = delivery("charge.refunded", {"id": "ch_1", "object": "charge"}, "evt_r")
    other = delivery("customer.created", {"id": "cus_1"}, "evt_o")
    rest = [refunded, other, expired, completed]
    random.Random(7).shuffle(rest)
    # Completed first, then every delivery again in a shuffled order (the expiry after it).
    for body, headers in [completed, *rest]:
        response = await client.post("/webhooks/stripe", content=body, headers=headers)
        assert response.status_code == 200, response.text
    assert await status_of(client, buyer, order["id"]) == "PAID"
    assert len(await my_tickets(client, buyer)) == 1
    assert await counters(client, general) == (1, 0)


async def test_an_expired_session_gives_the_seats_back(client: AsyncTestClient) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    order = (await place(client, buyer, seats(general, 2))).json()["order"]
    body, headers = delivery(
        "checkout.session.expired",
        {**completed_session(order["id"], payment_status="unpaid"), "status": "expired"},
        "evt_exp",
    )
    response = await client.post("/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert await status_of(client, buyer, order["id"]) == "EXPIRED"
    assert await counters(client, general) == (0, 0)


async def test_a_forged_stripe_webhook_is_401_and_changes_nothing(
    client: AsyncTestClient,
) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    order = (await place(client, buyer, seats(general, 1))).json()["order"]
    body, headers = delivery("checkout.session.completed", completed_session(order["id"]), "evt_f")
    for bad in (
        {},
        {"Stripe-Signature": stripe_signature(body, "whsec_not_ours")},
        {"Stripe-Signature": "t=1,v1=00"},
    ):
        response = await client.post("/webhooks/stripe", content=body, headers=bad)
        assert_problem(response, 401, "invalid_webhook_signature")
    tampered = body.replace(b"evt_f", b"evt_g")
    response = await client.post("/webhooks/stripe", content=tampered, headers=headers)
    assert_problem(response, 401, "invalid_webhook_signature")
    assert await status_of(client, buyer, order["id"]) == "PENDING"
    assert await counters(client, general) == (0, 1)
    assert await my_tickets(client, buyer) == []


async def test_stripe_down_is_502_and_a_retry_with_the_same_key_gets_the_checkout(
    client: AsyncTestClient, fake: FakeStripe
) -> None:
    _, general = await shop(client)
    buyer = await register(client, "buyer")
    fake.fail_with = (401, "invalid_request_error", "Invalid API Key provided")
    response = await place(client, buyer, seats(general, 1), key="k-down")
    assert_problem(response, 502, "payment_provider_error")
    # The order was placed (its seats held until the reservation ends); the retry finds it.
    fake.fail_with = None
    response = await place(client, buyer, seats(general, 1), key="k-down")
    assert response.status_code == 201, response.text
    assert response.json()["checkout"]["url"].startswith("https://checkout.stripe.test/")
    assert await counters(client, general) == (0, 1)
    mine = (await client.get("/users/me/orders", headers=buyer.headers)).json()["items"]
    assert len(mine) == 1


async def test_localpay_is_not_offered_with_stripe(client: AsyncTestClient) -> None:
    body = b'{"id": "lpe_1", "type": "checkout.completed"}'
    response = await client.post(
        "/webhooks/localpay", content=body, headers={"Localpay-Signature": "t=1,v1=00"}
    )
    assert_problem(response, 400)
    page = await client.get(f"/localpay/checkout/{uuid.uuid4()}?token=1.00")
    assert page.status_code == 404
