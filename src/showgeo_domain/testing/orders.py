"""Orders in any reachable state, driven through the real `Order` transitions.

An order is placed PENDING with 1 to `max_lines` lines from one entity in one currency, then
paid, expired, cancelled or refunded (in one go or in parts) with the model's own methods. A
refunded order therefore never got back more than it paid: the model refused anything else."""

from __future__ import annotations

from uuid import UUID

from hypothesis import strategies as st

from showgeo_domain.orders.model import (
    MAX_LINES,
    MAX_QUANTITY,
    REASON_MAX,
    LineKind,
    Order,
    OrderLine,
    OrderStatus,
)
from showgeo_domain.shared.money import Money
from showgeo_domain.testing.values import currencies, moments, optional_texts, prices, steps, texts

_UUIDS = st.uuids(version=4)
_BOOLS = st.booleans()
_LINE_KINDS = st.sampled_from(LineKind)
_QUANTITIES = st.integers(1, MAX_QUANTITY)
_KEYS = st.none() | st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=64
)

_MIN_PRICE = {OrderStatus.PARTIALLY_REFUNDED: 2, OrderStatus.REFUNDED: 1}
"""Refunds take at least one minor unit and a partial one leaves one: cheaper orders cannot
reach these states."""


@st.composite
def order_lines(
    draw: st.DrawFn, *, entity_id: UUID, currency: str, min_price: int = 0
) -> OrderLine:
    """A priced line of tickets (with their event) or of a product, as `Orders.place` makes
    them from stored items."""
    kind = draw(_LINE_KINDS)
    return OrderLine(
        kind=kind,
        item_id=draw(_UUIDS),
        entity_id=entity_id,
        title=draw(texts(max_length=200)),
        unit_price=draw(prices(currency=currency, min_amount=min_price)),
        quantity=draw(_QUANTITIES),
        event_id=draw(_UUIDS) if kind is LineKind.TICKET else None,
    )


@st.composite
def orders(
    draw: st.DrawFn,
    *,
    status: OrderStatus | None = None,
    statuses: tuple[OrderStatus, ...] | None = None,
    buyer_id: UUID | None = None,
    entity_id: UUID | None = None,
    currency: str | None = None,
    max_lines: int = 4,
) -> Order:
    """An order in `status` (or one of `statuses`, or wherever a random walk on
    `ORDER_MOVES` stopped), with no pending events."""
    if status is None and statuses is not None:
        status = draw(st.sampled_from(statuses))
    entity_id = entity_id or draw(_UUIDS)
    currency = currency or draw(currencies())
    min_price = _MIN_PRICE.get(status, 0) if status is not None else 0
    line = order_lines(entity_id=entity_id, currency=currency, min_price=min_price)
    lines = draw(
        st.lists(
            line, min_size=1, max_size=min(max_lines, MAX_LINES), unique_by=lambda x: x.item_id
        )
    )
    now = draw(moments())
    order = Order.place(
        buyer_id=buyer_id or draw(_UUIDS),
        lines=lines,
        now=now,
        idempotency_key=draw(_KEYS),
    )
    while (action := _next_action(draw, order, status)) is not None:
        now = now + draw(steps())
        if action == "pay":
            order.mark_paid(payment_ref=f"pay_{draw(_UUIDS).hex}", now=now)
        elif action == "expire":
            order.expire(max(now, order.expires_at))
        elif action == "cancel":
            order.cancel(now)
        elif action == "refund_part":
            part = Money(draw(st.integers(1, order.paid.amount - 1)), currency)
            order.refund(part, reason=draw(optional_texts(max_length=REASON_MAX)), now=now)
        else:
            order.refund(None, reason=draw(optional_texts(max_length=REASON_MAX)), now=now)
    order.pull_events()
    return order


def _next_action(draw: st.DrawFn, order: Order, target: OrderStatus | None) -> str | None:
    """The next transition towards `target`, or a random legal one (or None: stop) when
    there is no target. Only moves the model allows from `order.status` are ever chosen."""
    current = order.status
    left = order.paid.amount
    if target is not None:
        if current is target and (target is not OrderStatus.PARTIALLY_REFUNDED or left < 2):
            return None
        if current is OrderStatus.PENDING:
            return {
                OrderStatus.EXPIRED: "expire",
                OrderStatus.CANCELLED: "cancel",
            }.get(target, "pay")
        if target is OrderStatus.PARTIALLY_REFUNDED:
            if current is target:  # maybe one more part
                return "refund_part" if draw(_BOOLS) else None
            return "refund_part"
        if target is OrderStatus.REFUNDED:
            return "refund_part" if left >= 2 and draw(_BOOLS) else "refund_all"
        return None
    choices: list[str | None] = [None]
    if current is OrderStatus.PENDING:
        choices += ["pay", "expire", "cancel"]
    elif current in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        choices += (["refund_part"] if left >= 2 else []) + (["refund_all"] if left >= 1 else [])
    return draw(st.sampled_from(choices))
