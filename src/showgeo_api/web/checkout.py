"""Buying from a page: place the order (the API's `Orders.place`, with an Idempotency-Key
the form carries so a double submit makes one order) and send the browser to the payment
provider's checkout (localpay's own page by default, Stripe when configured)."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar.response import Redirect

from showgeo_api.web.context import Ui
from showgeo_domain.orders.model import MAX_QUANTITY
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.errors import InvalidInput


class BuyForm(msgspec.Struct):
    """One line: a ticket type or a product, and how many."""

    idempotency_key: str
    quantity: int = 1
    ticket_type_id: UUID | None = None
    product_id: UUID | None = None

    def item(self) -> ItemRequest:
        if not 1 <= self.quantity <= MAX_QUANTITY:
            raise InvalidInput(f"quantity must be 1 to {MAX_QUANTITY}", field="quantity")
        return ItemRequest(
            ticket_type_id=self.ticket_type_id, product_id=self.product_id, quantity=self.quantity
        )


async def buy(ui: Ui, orders: Orders, payments: Payments, form: BuyForm) -> Redirect:
    actor = ui.require()
    order = await orders.place(actor, [form.item()], idempotency_key=form.idempotency_key[:64])
    if order.status.value != "PENDING":  # a repeated submit of an order already settled
        return Redirect(path="/app/tickets", status_code=303)
    checkout = await payments.checkout(order)
    return Redirect(path=checkout.url, status_code=303)
