"""localpay's own checkout page (the embedded default's payment provider; not in the
contract). The page needs no login: its link carries a token only this server can mint for
the order. Pay and Cancel send a signed notice through `Payments.receive`, the same verified
path an external webhook takes, then redirect (303) to a result page."""

from __future__ import annotations

from html import escape
from typing import Annotated
from uuid import UUID

from litestar import Controller, MediaType, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from showgeo_adapters.localpay import SIGNATURE_HEADER, LocalPay
from showgeo_adapters.localpay.provider import COMPLETED, EXPIRED
from showgeo_domain.orders.errors import OrderNotFound
from showgeo_domain.orders.model import Order, OrderStatus
from showgeo_domain.orders.payments import Payments

Token = Annotated[str, QueryParameter(name="token", min_length=1, max_length=200)]

_STYLE = "body{font-family:sans-serif;max-width:36rem;margin:2rem auto}td{padding:.2rem .6rem}"


def _localpay(provider: object, order_id: UUID, token: str) -> LocalPay:
    """The provider, if this link is one it minted for this order (404 otherwise, so a
    guessed link learns nothing)."""
    if not isinstance(provider, LocalPay) or not provider.verify_checkout_token(order_id, token):
        raise OrderNotFound(f"no order {order_id}")
    return provider


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} — localpay</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}<p><small>localpay: a local test provider; "
        "no money moves.</small></p></body></html>"
    )


def _summary(order: Order) -> str:
    rows = "".join(
        f"<tr><td>{escape(line.title)}</td><td>&times; {line.quantity}</td>"
        f"<td>{escape(line.total.format())}</td></tr>"
        for line in order.lines
    )
    return (
        f"<table>{rows}<tr><th colspan='2'>Total</th>"
        f"<th>{escape(order.total.format())}</th></tr></table>"
    )


def _action(order: Order, token: str, verb: str, label: str) -> str:
    url = f"/localpay/checkout/{order.id}/{verb}?token={escape(token)}"
    return f"<form method='post' action='{url}'><button type='submit'>{label}</button></form>"


_RESULT = {
    OrderStatus.PAID: "Payment received",
    OrderStatus.EXPIRED: "Checkout cancelled",
    OrderStatus.CANCELLED: "Checkout cancelled",
    OrderStatus.PENDING: "Waiting for payment",
}


class LocalPayController(Controller):
    path = "/localpay/checkout/{order_id:uuid}"
    tags = ["localpay"]
    include_in_schema = False

    @get("/", media_type=MediaType.HTML)
    async def page(
        self,
        order_id: FromPath[UUID],
        token: Token,
        payments: NamedDependency[Payments],
        payment_provider: NamedDependency[object],
    ) -> str:
        _localpay(payment_provider, order_id, token)
        order = await payments.order(order_id)
        if order.status is not OrderStatus.PENDING:
            state = escape(order.status.value)
            return _page("Checkout closed", f"{_summary(order)}<p>This order is {state}.</p>")
        deadline = escape(order.expires_at.strftime("%H:%M UTC"))
        return _page(
            "Pay your order",
            f"{_summary(order)}<p>Seats are held until {deadline}.</p>"
            f"{_action(order, token, 'pay', 'Pay')}{_action(order, token, 'cancel', 'Cancel')}",
        )

    @post("/pay", status_code=303)
    async def pay(
        self,
        order_id: FromPath[UUID],
        token: Token,
        payments: NamedDependency[Payments],
        payment_provider: NamedDependency[object],
    ) -> Redirect:
        return await self._notify(payments, payment_provider, order_id, token, COMPLETED)

    @post("/cancel", status_code=303)
    async def cancel(
        self,
        order_id: FromPath[UUID],
        token: Token,
        payments: NamedDependency[Payments],
        payment_provider: NamedDependency[object],
    ) -> Redirect:
        return await self._notify(payments, payment_provider, order_id, token, EXPIRED)

    @get("/result", media_type=MediaType.HTML)
    async def result(
        self,
        order_id: FromPath[UUID],
        token: Token,
        payments: NamedDependency[Payments],
        payment_provider: NamedDependency[object],
    ) -> str:
        _localpay(payment_provider, order_id, token)
        order = await payments.order(order_id)
        title = _RESULT.get(order.status, f"Order {order.status.value}")
        return _page(title, f"{_summary(order)}<p>This order is {escape(order.status.value)}.</p>")

    async def _notify(
        self,
        payments: Payments,
        provider: object,
        order_id: UUID,
        token: str,
        kind: str,
    ) -> Redirect:
        localpay = _localpay(provider, order_id, token)
        order = await payments.order(order_id)
        body = localpay.notice_body(kind, order.id, order.payment_ref)
        await payments.receive(localpay.name, body, {SIGNATURE_HEADER: localpay.sign_notice(body)})
        return Redirect(path=f"/localpay/checkout/{order_id}/result?token={token}", status_code=303)
