"""The Stripe PaymentProvider, on the `stripe` SDK's async client (httpx).

- **Checkout**: one Checkout Session per order, created with the idempotency key
  `checkout-<order id>`, so a retried `POST /orders` (or a retried create after a network
  error) gets the same session back. Stripe only answers a repeated key with the stored
  session when the parameters are byte-for-byte the same, so every parameter is derived from
  the order alone (never from "now"): see `session_expiry`.
- **Expiry**: Stripe accepts `expires_at` 30 minutes to 24 hours ahead. When the reservation
  (`RESERVATION_TTL_MINUTES`) is long enough the session ends with it; otherwise the session
  stays open up to 32 minutes past the reservation, and a payment completed after the
  reservation lapsed is refunded in full automatically (`Payments` does this on TOO_LATE).
  Operators using Stripe should set `RESERVATION_TTL_MINUTES` to 32 or more.
- **Refunds** name the order's payment intent (`order.payment_ref`, stored from the
  completed event's `payment_intent`), with an idempotency key derived from the order, the
  amount already refunded and this amount, so a retried refund never pays out twice.
- **Webhooks** are verified with `stripe.Webhook.construct_event` (HMAC-SHA256 over
  `"<t>.<body>"`, 300 s tolerance) before anything is read from them.
- Any `stripe.StripeError` (network, auth, invalid request, card) becomes
  `PaymentProviderUnavailable` (502 at the API); nothing Stripe says is trusted as our state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
import stripe

from showgeo_domain.orders.errors import InvalidWebhookSignature, PaymentProviderUnavailable
from showgeo_domain.orders.model import Order
from showgeo_domain.orders.ports import Checkout, PaymentNotice, PaymentNoticeKind
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300
MIN_SESSION_AHEAD = timedelta(minutes=32)
"""Stripe's 30-minute minimum plus slack for clock skew and the time to reach Stripe."""
MAX_SESSION_LIFETIME = timedelta(hours=23, minutes=55)
"""Stripe's 24-hour maximum, with slack."""
REQUEST_TIMEOUT_SECONDS = 20.0

_REFUND_EVENTS = {"refund.created", "refund.updated"}
"""Per-refund events: acknowledged only. `charge.refunded` carries the running total, which is
what the order records (idempotently), whoever started the refund."""


def session_expiry(order: Order) -> datetime:
    """When the order's Checkout Session closes: the reservation's end when that is far
    enough ahead for Stripe, else 32 minutes past it. Derived from the order alone, so a
    retried create sends the same parameters; and at most ~24 h after the order was placed.

    While the order is PENDING (the only time a checkout is opened) the current time is
    before `order.expires_at`, so the result is always at least 32 minutes ahead then."""
    if order.expires_at - order.created_at >= MIN_SESSION_AHEAD:
        expiry = order.expires_at
    else:
        expiry = order.expires_at + MIN_SESSION_AHEAD
    return min(expiry, order.created_at + MAX_SESSION_LIFETIME)


class _Session(msgspec.Struct):
    id: str | None = None
    client_reference_id: str | None = None
    payment_status: str | None = None
    payment_intent: str | None = None
    metadata: dict[str, str] | None = None


class _Charge(msgspec.Struct):
    amount_refunded: int = 0
    payment_intent: str | None = None


class _Data(msgspec.Struct):
    object: dict[str, Any]


class _Event(msgspec.Struct):
    id: str
    type: str
    data: _Data


class StripePayments:
    name = "stripe"
    local_checkout = False
    """A checkout session is an HTTP call to Stripe: opened after the order's commit."""

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str | None,
        public_base_url: str,
        api_base: str | None = None,
    ) -> None:
        if not secret_key:
            raise ValueError("Stripe needs a secret key")
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret or ""
        self._base_url = public_base_url.rstrip("/")
        self._api_base = api_base or None
        self._client: stripe.StripeClient | None = None
        self._http: stripe.HTTPXClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # The client

    def _stripe(self) -> stripe.StripeClient:
        """The SDK client, made inside the running loop: httpx's async pool belongs to the
        loop that first used it, so a new loop (another test, another app) gets a new one."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._http = stripe.HTTPXClient(timeout=REQUEST_TIMEOUT_SECONDS)
            self._client = stripe.StripeClient(
                self._secret_key,
                http_client=self._http,
                base_addresses={"api": self._api_base} if self._api_base else None,
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http, self._client, self._loop = self._http, None, None, None
            await http.close_async()  # type: ignore[no-untyped-call]

    # Checkout

    def success_url(self, order_id: UUID) -> str:
        """Where Stripe sends the buyer after paying: the order itself (`GET /orders/{id}`,
        which shows PAID once the webhook arrived)."""
        return f"{self._base_url}/orders/{order_id}?checkout=success"

    def cancel_url(self, order_id: UUID) -> str:
        return f"{self._base_url}/orders/{order_id}?checkout=cancelled"

    async def open_checkout(self, order: Order) -> Checkout:
        order_id = str(order.id)
        expiry = session_expiry(order)
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": line.unit_price.currency.lower(),
                        "unit_amount": line.unit_price.amount,
                        "product_data": {"name": line.title},
                    },
                    "quantity": line.quantity,
                }
                for line in order.lines
            ],
            "client_reference_id": order_id,
            "metadata": {"order_id": order_id},
            "payment_intent_data": {"metadata": {"order_id": order_id}},
            "success_url": self.success_url(order.id),
            "cancel_url": self.cancel_url(order.id),
            "expires_at": int(expiry.timestamp()),
        }
        try:
            session = await self._stripe().v1.checkout.sessions.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": f"checkout-{order_id}"},
            )
        except stripe.StripeError as exc:
            raise _unavailable("opening a checkout session", exc) from exc
        if not session.url:
            raise PaymentProviderUnavailable("Stripe returned a checkout session without a URL")
        return Checkout(url=session.url, session_ref=session.id, expires_at=order.expires_at)

    # Refunds

    async def refund(self, order: Order, amount: Money) -> str:
        if not order.payment_ref or not order.payment_ref.startswith("pi_"):
            raise PaymentProviderUnavailable(
                f"order {order.id} has no Stripe payment intent to refund"
            )
        key = f"refund-{order.id}-{order.refunded.amount}-{amount.amount}"
        try:
            refund = await self._stripe().v1.refunds.create_async(
                params={
                    "payment_intent": order.payment_ref,
                    "amount": amount.amount,
                    "metadata": {"order_id": str(order.id)},
                },
                options={"idempotency_key": key},
            )
        except stripe.StripeError as exc:
            raise _unavailable("refunding", exc) from exc
        return refund.id

    # Webhooks

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        header = _header(headers, SIGNATURE_HEADER)
        if not header:
            raise InvalidWebhookSignature("missing Stripe-Signature header")
        if not self._webhook_secret:
            raise InvalidWebhookSignature("STRIPE_WEBHOOK_SECRET is not set: nothing verifies")
        try:
            stripe.Webhook.construct_event(
                body, header, self._webhook_secret, tolerance=TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise InvalidWebhookSignature(f"the Stripe signature does not verify: {exc}") from exc
        try:
            event = msgspec.json.decode(body, type=_Event)
        except msgspec.DecodeError as exc:
            raise InvalidInput(f"unreadable Stripe event: {exc}", field="body") from exc
        return self._notice(event)

    def _notice(self, event: _Event) -> PaymentNotice:
        ignored = PaymentNotice(
            provider=self.name, event_ref=event.id, kind=PaymentNoticeKind.IGNORED
        )
        if event.type in _REFUND_EVENTS:
            return ignored
        if event.type == "charge.refunded":
            try:
                charge = msgspec.convert(event.data.object, type=_Charge)
            except msgspec.ValidationError as exc:
                raise InvalidInput(f"unreadable charge: {exc}", field="body") from exc
            if not charge.payment_intent:
                return ignored
            return PaymentNotice(
                provider=self.name,
                event_ref=event.id,
                kind=PaymentNoticeKind.REFUND_UPDATED,
                payment_ref=charge.payment_intent,
                refunded_total=charge.amount_refunded,
            )
        if event.type not in ("checkout.session.completed", "checkout.session.expired"):
            return ignored
        try:
            session = msgspec.convert(event.data.object, type=_Session)
        except msgspec.ValidationError as exc:
            raise InvalidInput(f"unreadable checkout session: {exc}", field="body") from exc
        order_id = _order_id(session)
        if order_id is None:
            return ignored  # not one of ours (another integration on the same account)
        if event.type == "checkout.session.expired":
            return PaymentNotice(
                provider=self.name,
                event_ref=event.id,
                kind=PaymentNoticeKind.CHECKOUT_EXPIRED,
                order_id=order_id,
            )
        if session.payment_status != "paid":
            # Delayed payment methods complete unpaid; only money received settles an order.
            return ignored
        return PaymentNotice(
            provider=self.name,
            event_ref=event.id,
            kind=PaymentNoticeKind.CHECKOUT_COMPLETED,
            order_id=order_id,
            payment_ref=session.payment_intent,
        )


def _order_id(session: _Session) -> UUID | None:
    raw = session.client_reference_id or (session.metadata or {}).get("order_id")
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        return None


def _unavailable(what: str, exc: stripe.StripeError) -> PaymentProviderUnavailable:
    return PaymentProviderUnavailable(
        f"Stripe failed while {what}: {exc.user_message or type(exc).__name__}",
        provider_status=exc.http_status or 0,
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None
