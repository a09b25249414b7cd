"""Stripe through a local fake of its API: the requests Stripe would receive (line items in
minor units, lower-case currency, order id metadata, a session expiry Stripe accepts,
idempotency keys, the secret key as bearer), its errors as a domain error, and webhooks signed
the way Stripe signs them."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.stripe import StripePayments, session_expiry
from showgeo_domain.orders.errors import InvalidWebhookSignature, PaymentProviderUnavailable
from showgeo_domain.orders.model import Order
from showgeo_domain.orders.ports import PaymentNoticeKind, PaymentProvider
from showgeo_domain.shared.money import Money
from tests.contract.builders import a_line, a_product, a_ticket_type, a_user, an_entity, an_event
from tests.contract.builders import an_order as an_order_at
from tests.support.fake_stripe import (
    FakeStripe,
    completed_session,
    fake_stripe_server,
    stripe_event,
    stripe_signature,
)

SECRET_KEY = "sk_test_fake_123"
WEBHOOK_SECRET = "whsec_test_fake_456"


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with fake_stripe_server() as server:
        yield server


@pytest.fixture
async def provider(fake: FakeStripe) -> AsyncIterator[StripePayments]:
    payments = StripePayments(
        secret_key=SECRET_KEY,
        webhook_secret=WEBHOOK_SECRET,
        public_base_url="https://shop.test/",
        api_base=fake.base_url,
    )
    yield payments
    await payments.aclose()


def an_order(*, ttl: timedelta | None = None) -> Order:
    """A PENDING order placed just now (real time: Stripe's expiry window is real time)."""
    clock = FakeClock(datetime.now(UTC))
    entity = an_entity(clock, "band")
    seats = a_ticket_type(clock, an_event(clock, entity), "Front row", price=Money(2500, "EUR"))
    shirt = a_product(clock, entity)
    order = an_order_at(clock, a_user(clock, "ana"), a_line(seats, 2), a_line(shirt, 1))
    if ttl is not None:
        order.expires_at = order.created_at + ttl
    return order


def signed(body: bytes, *, at: int | None = None) -> dict[str, str]:
    return {"Stripe-Signature": stripe_signature(body, WEBHOOK_SECRET, at=at)}


def test_it_is_a_payment_provider(provider: StripePayments) -> None:
    port: PaymentProvider = provider
    assert port.name == "stripe"


async def test_checkout_asks_stripe_for_a_session_of_the_order(
    provider: StripePayments, fake: FakeStripe
) -> None:
    order = an_order()
    checkout = await provider.open_checkout(order)

    assert checkout.url == "https://checkout.stripe.test/c/pay/cs_test_1"
    assert checkout.session_ref == "cs_test_1"
    assert checkout.expires_at == order.expires_at
    [sent] = fake.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.bearer == SECRET_KEY
    assert sent.idempotency_key == f"checkout-{order.id}"
    form = sent.form
    assert form["mode"] == "payment"
    _, product = order.lines
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][unit_amount]"] == "2500"
    assert form["line_items[0][price_data][product_data][name]"] == "Front row"
    assert form["line_items[0][quantity]"] == "2"
    assert form["line_items[1][price_data][unit_amount]"] == str(product.unit_price.amount)
    assert form["line_items[1][price_data][product_data][name]"] == product.title
    assert form["line_items[1][quantity]"] == "1"
    assert "line_items[2][quantity]" not in form
    assert form["client_reference_id"] == str(order.id)
    assert form["metadata[order_id]"] == str(order.id)
    assert form["payment_intent_data[metadata][order_id]"] == str(order.id)
    assert form["success_url"] == f"https://shop.test/orders/{order.id}?checkout=success"
    assert form["cancel_url"] == f"https://shop.test/orders/{order.id}?checkout=cancelled"
    # The default 15-minute reservation is too short for Stripe (30 min to 24 h ahead).
    assert int(form["expires_at"]) >= time.time() + 30 * 60
    assert int(form["expires_at"]) <= time.time() + 24 * 3600


async def test_a_retried_checkout_sends_the_same_request_and_gets_the_same_session(
    provider: StripePayments, fake: FakeStripe
) -> None:
    order = an_order()
    first = await provider.open_checkout(order)
    again = await provider.open_checkout(order)
    assert again.session_ref == first.session_ref
    assert again.url == first.url
    one, two = fake.requests
    assert one.form == two.form  # Stripe refuses a reused key with other parameters
    assert one.idempotency_key == two.idempotency_key


def test_the_session_ends_with_a_long_enough_reservation() -> None:
    long = an_order(ttl=timedelta(hours=2))
    assert session_expiry(long) == long.expires_at
    short = an_order(ttl=timedelta(minutes=15))
    assert session_expiry(short) == short.expires_at + timedelta(minutes=32)
    # Even paid for at the last second of the reservation, Stripe gets 30+ minutes.
    assert session_expiry(short) - short.expires_at >= timedelta(minutes=30)
    endless = an_order(ttl=timedelta(days=3))
    assert session_expiry(endless) - endless.created_at < timedelta(hours=24)


async def test_stripe_errors_become_a_provider_error(
    provider: StripePayments, fake: FakeStripe
) -> None:
    fake.fail_with = (400, "invalid_request_error", "expires_at must be 30 minutes ahead")
    with pytest.raises(PaymentProviderUnavailable) as raised:
        await provider.open_checkout(an_order())
    assert raised.value.code == "payment_provider_error"
    fake.fail_with = (402, "card_error", "Your card was declined.")
    order = an_order()
    order.payment_ref = "pi_test_9"
    with pytest.raises(PaymentProviderUnavailable):
        await provider.refund(order, Money(100, "EUR"))


async def test_an_unreachable_stripe_is_a_provider_error() -> None:
    payments = StripePayments(
        secret_key=SECRET_KEY,
        webhook_secret=WEBHOOK_SECRET,
        public_base_url="https://shop.test",
        api_base="http://127.0.0.1:9",
    )
    try:
        with pytest.raises(PaymentProviderUnavailable):
            await payments.open_checkout(an_order())
    finally:
        await payments.aclose()


async def test_refunds_name_the_payment_intent(provider: StripePayments, fake: FakeStripe) -> None:
    order = an_order()
    order.payment_ref = "pi_test_42"
    refund_id = await provider.refund(order, Money(1500, "EUR"))
    assert refund_id.startswith("re_test_")
    [sent] = fake.requests
    assert (sent.method, sent.path) == ("POST", "/v1/refunds")
    assert sent.bearer == SECRET_KEY
    assert sent.form == {
        "payment_intent": "pi_test_42",
        "amount": "1500",
        "metadata[order_id]": str(order.id),
    }
    assert sent.idempotency_key == f"refund-{order.id}-0-1500"
    # A retry of the same refund is the same request; a later one (after 1500 went back) is not.
    assert await provider.refund(order, Money(1500, "EUR")) == refund_id
    order.refunded = Money(1500, "EUR")
    assert await provider.refund(order, Money(1500, "EUR")) != refund_id


async def test_an_order_without_a_payment_intent_cannot_be_refunded(
    provider: StripePayments, fake: FakeStripe
) -> None:
    order = an_order()
    order.payment_ref = "cs_test_1"  # the session, before any payment
    with pytest.raises(PaymentProviderUnavailable):
        await provider.refund(order, Money(100, "EUR"))
    assert fake.requests == []


def test_a_paid_session_completes_the_order(provider: StripePayments) -> None:
    order = an_order()
    body = stripe_event(
        "checkout.session.completed",
        completed_session(str(order.id), payment_intent="pi_test_7"),
        event_id="evt_1",
    )
    notice = provider.verify_webhook(body, signed(body))
    assert notice.provider == "stripe"
    assert notice.event_ref == "evt_1"
    assert notice.kind is PaymentNoticeKind.CHECKOUT_COMPLETED
    assert notice.order_id == order.id
    assert notice.payment_ref == "pi_test_7"
    # Header names arrive lower-cased through the web framework.
    lowered = {k.lower(): v for k, v in signed(body).items()}
    assert provider.verify_webhook(body, lowered) == notice


def test_the_order_id_may_come_from_metadata_alone(provider: StripePayments) -> None:
    order = an_order()
    session = completed_session(str(order.id))
    session["client_reference_id"] = None
    body = stripe_event("checkout.session.completed", session, event_id="evt_2")
    assert provider.verify_webhook(body, signed(body)).order_id == order.id


def test_an_unpaid_completion_is_ignored(provider: StripePayments) -> None:
    order = an_order()
    session = completed_session(str(order.id), payment_status="unpaid")
    body = stripe_event("checkout.session.completed", session, event_id="evt_3")
    assert provider.verify_webhook(body, signed(body)).kind is PaymentNoticeKind.IGNORED


def test_an_expired_session_expires_the_order(provider: StripePayments) -> None:
    order = an_order()
    session = {**completed_session(str(order.id), payment_status="unpaid"), "status": "expired"}
    body = stripe_event("checkout.session.expired", session, event_id="evt_4")
    notice = provider.verify_webhook(body, signed(body))
    assert notice.kind is PaymentNoticeKind.CHECKOUT_EXPIRED
    assert notice.order_id == order.id


def test_a_refunded_charge_reports_the_running_total(provider: StripePayments) -> None:
    charge = {"id": "ch_1", "object": "charge", "amount": 5000, "amount_refunded": 1500,
              "payment_intent": "pi_1"}  # fmt: skip
    body = stripe_event("charge.refunded", charge, event_id="evt_5")
    notice = provider.verify_webhook(body, signed(body))
    assert notice.kind is PaymentNoticeKind.REFUND_UPDATED
    assert notice.event_ref == "evt_5"
    assert notice.payment_ref == "pi_1"
    assert notice.refunded_total == 1500


@pytest.mark.parametrize("event_type", ["refund.created", "refund.updated"])
def test_per_refund_events_are_acknowledged_only(provider: StripePayments, event_type: str) -> None:
    body = stripe_event(event_type, {"id": "re_1", "object": "refund"}, event_id="evt_5")
    notice = provider.verify_webhook(body, signed(body))
    assert notice.kind is PaymentNoticeKind.IGNORED
    assert notice.event_ref == "evt_5"


def test_unknown_events_and_foreign_sessions_are_ignored(provider: StripePayments) -> None:
    body = stripe_event("customer.created", {"id": "cus_1"}, event_id="evt_6")
    assert provider.verify_webhook(body, signed(body)).kind is PaymentNoticeKind.IGNORED
    foreign = completed_session("not-a-uuid")
    body = stripe_event("checkout.session.completed", foreign, event_id="evt_7")
    assert provider.verify_webhook(body, signed(body)).kind is PaymentNoticeKind.IGNORED


def test_forged_webhooks_are_refused(provider: StripePayments) -> None:
    body = stripe_event(
        "checkout.session.completed", completed_session(str(an_order().id)), event_id="evt_8"
    )
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(body, {})
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(body, {"Stripe-Signature": ""})
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(body, {"Stripe-Signature": "garbage"})
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(
            body, {"Stripe-Signature": stripe_signature(body, "whsec_someone_else")}
        )
    tampered = body.replace(b'"paid"', b'"PAID"')
    assert tampered != body
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(tampered, signed(body))
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(body, signed(body, at=int(time.time()) - 301))
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(b"\xff\xfe", signed(body))


def test_without_a_webhook_secret_nothing_verifies(fake: FakeStripe) -> None:
    payments = StripePayments(
        secret_key=SECRET_KEY, webhook_secret=None, public_base_url="https://shop.test"
    )
    body = stripe_event("customer.created", {"id": "cus_1"}, event_id="evt_9")
    with pytest.raises(InvalidWebhookSignature):
        payments.verify_webhook(body, signed(body))


def test_events_are_read_as_stripe_sends_them(provider: StripePayments) -> None:
    order = an_order()
    raw = json.loads(
        stripe_event("checkout.session.completed", completed_session(str(order.id)), event_id="e")
    )
    raw["data"]["previous_attributes"] = {"status": "open"}
    raw["request"] = {"id": None, "idempotency_key": None}
    body = json.dumps(raw, indent=2).encode()
    assert provider.verify_webhook(body, signed(body)).kind is PaymentNoticeKind.CHECKOUT_COMPLETED
