"""What an entity has earned, per currency, per event and per product.

Counted over orders that were ever paid (PAID, PARTIALLY_REFUNDED, REFUNDED). Amounts are
integer minor units of `currency`; `net = gross - refunded`.

Refunds are recorded per order, not per line, so an order's refunded amount is attributed to
its lines pro rata, in integer arithmetic: `refunded * line_total // order_total` (floor).
The per-currency figures are exact; per-event and per-product `refunded` can be a few minor
units below them (at most one per line), never above.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

EVER_PAID = ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")
"""Order statuses counted as revenue (the values of `OrderStatus`)."""


def line_refund(order_refunded: int, line_total: int, order_total: int) -> int:
    """This line's share of the order's refunds, floored; free orders refund nothing."""
    if order_total == 0:
        return 0
    return order_refunded * line_total // order_total


class CurrencyRevenue(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    gross: int
    refunded: int
    net: int
    orders: int


class EventRevenue(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    title: str
    currency: str
    gross: int
    refunded: int
    net: int
    tickets_sold: int
    """Seats sold in ever-paid orders, refunded ones included (`refunded` tells the money)."""


class ProductRevenue(msgspec.Struct, frozen=True, kw_only=True):
    product_id: UUID
    title: str
    currency: str
    gross: int
    refunded: int
    net: int
    units_sold: int


class Revenue(msgspec.Struct, frozen=True, kw_only=True):
    """Currencies by code; events and products by title, then id, then currency."""

    currencies: list[CurrencyRevenue]
    events: list[EventRevenue]
    products: list[ProductRevenue]
