"""The localpay PaymentProvider.

Checkout links carry a token, `<expiry unix>.<hex HMAC-SHA256(secret, "checkout:<order id>:
<expiry unix>")>`, so only this server can mint a page that pays an order. Notices (what the
checkout page sends when the buyer pays or gives up) are signed like Stripe's webhooks:
header `Localpay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, accepted
within 300 seconds of `t`. The page submits its notice through the same verified path as an
external webhook would, so nothing can mark an order paid without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import msgspec

from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.orders.model import Order
from showgeo_domain.orders.ports import Checkout, PaymentNotice, PaymentNoticeKind
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money

SIGNATURE_HEADER = "Localpay-Signature"
TOLERANCE_SECONDS = 300
COMPLETED = "checkout.completed"
EXPIRED = "checkout.expired"
_KINDS = {
    COMPLETED: PaymentNoticeKind.CHECKOUT_COMPLETED,
    EXPIRED: PaymentNoticeKind.CHECKOUT_EXPIRED,
}


class _Body(msgspec.Struct, frozen=True):
    id: str
    type: str
    order_id: UUID | None = None
    payment_ref: str | None = None


def _ref(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(18)


class LocalPay:
    name = "localpay"
    local_checkout = True
    """A checkout is a signed link: opened inside the order's own transaction."""

    def __init__(self, base_url: str, secret: str, clock: Clock) -> None:
        if not secret:
            raise ValueError("localpay needs a secret")
        self._base_url = base_url.rstrip("/")
        self._secret = secret.encode()
        self._clock = clock

    def _mac(self, message: bytes) -> str:
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # Checkout links

    def checkout_token(self, order_id: UUID, expires_at: datetime) -> str:
        expiry = int(expires_at.timestamp())
        return f"{expiry}.{self._mac(f'checkout:{order_id}:{expiry}'.encode())}"

    def verify_checkout_token(self, order_id: UUID, token: str) -> bool:
        """Whether `token` was minted here for this order (expired links still verify: the
        order's own state decides what the page may do)."""
        expiry, _, mac = token.partition(".")
        if not expiry.isdigit() or not mac:
            return False
        expected = self._mac(f"checkout:{order_id}:{expiry}".encode())
        return hmac.compare_digest(expected, mac)

    async def open_checkout(self, order: Order) -> Checkout:
        token = self.checkout_token(order.id, order.expires_at)
        return Checkout(
            url=f"{self._base_url}/localpay/checkout/{order.id}?token={token}",
            session_ref=_ref("lp_"),
            expires_at=order.expires_at,
        )

    async def refund(self, order: Order, amount: Money) -> str:
        return _ref("lpr_")

    # Notices (webhooks)

    def notice_body(self, kind: str, order_id: UUID, payment_ref: str | None) -> bytes:
        """The JSON body of a notice the checkout page sends: a fresh event id each time."""
        return msgspec.json.encode(
            {
                "id": _ref("lpe_"),
                "type": kind,
                "order_id": str(order_id),
                "payment_ref": payment_ref,
            }
        )

    def sign_notice(self, payload: bytes) -> str:
        """The `Localpay-Signature` header value for `payload`, signed now."""
        t = int(self._clock.now().timestamp())
        return f"t={t},v1={self._mac(f'{t}.'.encode() + payload)}"

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> PaymentNotice:
        header = _header(headers, SIGNATURE_HEADER)
        if header is None:
            raise InvalidWebhookSignature("missing Localpay-Signature header")
        parts: dict[str, list[str]] = {}
        for item in header.split(","):
            key, _, value = item.strip().partition("=")
            parts.setdefault(key, []).append(value)
        stamps = parts.get("t", [])
        if len(stamps) != 1 or not stamps[0].isdigit():
            raise InvalidWebhookSignature("malformed Localpay-Signature header")
        t = int(stamps[0])
        expected = self._mac(f"{t}.".encode() + body)
        if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
            raise InvalidWebhookSignature("the signature does not match the body")
        now = self._clock.now().timestamp()
        if abs(now - t) > TOLERANCE_SECONDS:
            raise InvalidWebhookSignature("the signature is too old (or from the future)")
        try:
            decoded = msgspec.json.decode(body, type=_Body)
        except msgspec.DecodeError as exc:
            # Signed with our secret but not understood: refuse it rather than guess.
            raise InvalidInput(f"unreadable notice: {exc}", field="body") from exc
        kind = _KINDS.get(decoded.type, PaymentNoticeKind.IGNORED)
        if kind is not PaymentNoticeKind.IGNORED and decoded.order_id is None:
            raise InvalidInput("a checkout notice needs order_id", field="order_id")
        return PaymentNotice(
            provider=self.name,
            event_ref=decoded.id,
            kind=kind,
            order_id=decoded.order_id,
            payment_ref=decoded.payment_ref,
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
