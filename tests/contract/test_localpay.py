"""localpay: checkout links only this server can mint, and webhooks signed like Stripe's
(`t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, 300 s tolerance)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import msgspec
import pytest

from showgeo_adapters.localpay import SIGNATURE_HEADER, LocalPay
from showgeo_adapters.memory import FakeClock
from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.orders.model import Order
from showgeo_domain.orders.ports import PaymentNoticeKind, PaymentProvider
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from tests.contract.builders import a_line, a_ticket_type, a_user, an_entity, an_event, an_order

SECRET = "test-localpay-secret"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def provider(clock: FakeClock) -> LocalPay:
    return LocalPay("http://shop.test/", SECRET, clock)


@pytest.fixture
def order(clock: FakeClock) -> Order:
    seats = a_ticket_type(clock, an_event(clock, an_entity(clock, "band")))
    return an_order(clock, a_user(clock, "ana"), a_line(seats, 2))


def _completed(order_id: object, event_id: str = "lpe_1") -> bytes:
    return msgspec.json.encode(
        {
            "id": event_id,
            "type": "checkout.completed",
            "order_id": str(order_id),
            "payment_ref": "lp_pay",
        }
    )


def test_it_is_a_payment_provider(provider: LocalPay) -> None:
    port: PaymentProvider = provider
    assert port.name == "localpay"


async def test_checkout_links_carry_a_token_only_we_can_mint(
    provider: LocalPay, order: Order
) -> None:
    checkout = await provider.open_checkout(order)
    url = urlparse(checkout.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        f"http://shop.test/localpay/checkout/{order.id}"
    )
    assert checkout.session_ref.startswith("lp_")
    assert checkout.expires_at == order.expires_at
    token = parse_qs(url.query)["token"][0]
    assert provider.verify_checkout_token(order.id, token)
    assert not provider.verify_checkout_token(new_id(), token)
    flipped = token[:-1] + ("1" if token.endswith("0") else "0")
    assert not provider.verify_checkout_token(order.id, flipped)
    assert not provider.verify_checkout_token(order.id, "garbage")
    other = LocalPay("http://shop.test", "another-secret", FakeClock())
    assert not other.verify_checkout_token(order.id, token)
    assert (await provider.open_checkout(order)).session_ref != checkout.session_ref


async def test_refunds_get_a_reference(provider: LocalPay, order: Order) -> None:
    assert (await provider.refund(order, Money(5000, "EUR"))).startswith("lpr_")


def test_a_good_signature_gives_the_notice(provider: LocalPay, order: Order) -> None:
    body = _completed(order.id)
    notice = provider.verify_webhook(body, {SIGNATURE_HEADER: provider.sign_notice(body)})
    assert notice.provider == "localpay"
    assert notice.event_ref == "lpe_1"
    assert notice.kind is PaymentNoticeKind.CHECKOUT_COMPLETED
    assert notice.order_id == order.id
    assert notice.payment_ref == "lp_pay"
    # Header names are case-insensitive.
    lower = provider.verify_webhook(body, {"localpay-signature": provider.sign_notice(body)})
    assert lower == notice


def test_the_signature_is_stripes_scheme(
    provider: LocalPay, order: Order, clock: FakeClock
) -> None:
    body = _completed(order.id)
    t = int(clock.now().timestamp())
    mac = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert provider.sign_notice(body) == f"t={t},v1={mac}"


def test_an_expired_checkout_notice(provider: LocalPay, order: Order) -> None:
    body = provider.notice_body("checkout.expired", order.id, None)
    notice = provider.verify_webhook(body, {SIGNATURE_HEADER: provider.sign_notice(body)})
    assert notice.kind is PaymentNoticeKind.CHECKOUT_EXPIRED
    assert notice.event_ref.startswith("lpe_")
    assert notice.payment_ref is None


@pytest.mark.parametrize(
    "header",
    [None, "", "t=abc,v1=00", "v1=00", "t=1,t=2,v1=00"],
)
def test_missing_or_malformed_signatures_are_refused(
    provider: LocalPay, order: Order, header: str | None
) -> None:
    headers = {} if header is None else {SIGNATURE_HEADER: header}
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(_completed(order.id), headers)


def test_a_bad_signature_is_refused(provider: LocalPay, order: Order) -> None:
    body = _completed(order.id)
    forged = LocalPay("http://shop.test", "not-our-secret", FakeClock()).sign_notice(body)
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(body, {SIGNATURE_HEADER: forged})


def test_a_tampered_body_is_refused(provider: LocalPay, order: Order) -> None:
    signature = provider.sign_notice(_completed(order.id))
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(_completed(new_id()), {SIGNATURE_HEADER: signature})


@pytest.mark.parametrize("skew", [timedelta(seconds=301), timedelta(seconds=-301)])
def test_a_stale_or_future_timestamp_is_refused(
    provider: LocalPay, order: Order, clock: FakeClock, skew: timedelta
) -> None:
    body = _completed(order.id)
    signature = provider.sign_notice(body)
    clock.advance(skew)
    with pytest.raises(InvalidWebhookSignature):
        provider.verify_webhook(body, {SIGNATURE_HEADER: signature})


def test_within_tolerance_is_accepted(provider: LocalPay, order: Order, clock: FakeClock) -> None:
    body = _completed(order.id)
    signature = provider.sign_notice(body)
    clock.advance(timedelta(seconds=299))
    provider.verify_webhook(body, {SIGNATURE_HEADER: signature})


def test_an_unknown_type_is_ignored(provider: LocalPay) -> None:
    body = msgspec.json.encode({"id": "lpe_9", "type": "payout.sent"})
    notice = provider.verify_webhook(body, {SIGNATURE_HEADER: provider.sign_notice(body)})
    assert notice.kind is PaymentNoticeKind.IGNORED
    assert notice.event_ref == "lpe_9"
    assert notice.order_id is None


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"type": "checkout.completed"}', b'{"id": "e", "type": "checkout.completed"}'],
)
def test_a_signed_but_unreadable_body_is_bad_input(provider: LocalPay, body: bytes) -> None:
    with pytest.raises(InvalidInput):
        provider.verify_webhook(body, {SIGNATURE_HEADER: provider.sign_notice(body)})
