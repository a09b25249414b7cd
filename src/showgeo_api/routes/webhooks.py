"""Payment provider webhooks: the raw body is verified, stored once and acted on."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency

from showgeo_domain.orders.payments import Payments


class ReceivedOut(msgspec.Struct):
    received: bool


class WebhooksController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post("/localpay", status_code=200)
    async def localpay(
        self,
        request: Request,  # type: ignore[type-arg]
        payments: NamedDependency[Payments],
    ) -> ReceivedOut:
        """Signed with `Localpay-Signature: t=<unix>,v1=<hex HMAC-SHA256>`; a bad or stale
        signature is 401 `invalid_webhook_signature` and changes nothing. Replays answer 200
        and change nothing."""
        body = await request.body()
        await payments.receive("localpay", body, dict(request.headers))
        return ReceivedOut(received=True)

    @post("/stripe", status_code=200)
    async def stripe(
        self,
        request: Request,  # type: ignore[type-arg]
        payments: NamedDependency[Payments],
    ) -> ReceivedOut:
        """Stripe's events, signed with `Stripe-Signature` (verified against
        STRIPE_WEBHOOK_SECRET, 300 s tolerance); a bad or stale signature is 401
        `invalid_webhook_signature` and changes nothing. `checkout.session.completed` (paid)
        settles the order, `checkout.session.expired` expires it; refund events are
        acknowledged; anything else is stored and acknowledged. 400 when Stripe is not the
        configured provider."""
        body = await request.body()
        await payments.receive("stripe", body, dict(request.headers))
        return ReceivedOut(received=True)
