"""The order state machine and its money: no illegal state is reachable, refunds never
exceed what was paid, a paid order issues one ticket per seat and each checks in once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from showgeo_domain.orders.domain_events import OrderPaid, OrderRefunded
from showgeo_domain.orders.errors import (
    MixedOrder,
    OrderTransitionNotAllowed,
    RefundExceedsPayment,
    TicketAlreadyUsed,
    TicketNotValid,
)
from showgeo_domain.orders.model import (
    ORDER_MOVES,
    LineKind,
    Order,
    OrderLine,
    OrderStatus,
    Ticket,
)
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.money import Money
from showgeo_domain.testing import orders

NOW = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
ENTITY = uuid4()
EVENT = uuid4()


def seats(quantity: int, price: int = 2500, *, entity: UUID = ENTITY, currency: str = "EUR"):
    return OrderLine(
        kind=LineKind.TICKET,
        item_id=uuid4(),
        entity_id=entity,
        title="Standing",
        unit_price=Money(price, currency),
        quantity=quantity,
        event_id=EVENT,
    )


def shirt(quantity: int = 1, price: int = 3000) -> OrderLine:
    return OrderLine(
        kind=LineKind.PRODUCT,
        item_id=uuid4(),
        entity_id=ENTITY,
        title="Tour shirt",
        unit_price=Money(price, "EUR"),
        quantity=quantity,
    )


class OrderLifecycle(RuleBasedStateMachine):
    """Any newly placed order (from the published `orders` strategy), pushed around by
    random payments, expiries, cancellations and refunds of any size near what is left."""

    @initialize(order=orders(status=OrderStatus.PENDING, currency="EUR"))
    def place(self, order: Order) -> None:
        self.order = order
        self.refunded_so_far = 0
        self.history = [OrderStatus.PENDING]

    def _attempt(self, action, expected: OrderStatus | None) -> None:  # type: ignore[no-untyped-def]
        before = self.order.status
        if expected is not None and expected in ORDER_MOVES[before]:
            action()
            assert self.order.status is expected
        else:
            with pytest.raises(OrderTransitionNotAllowed):
                action()
            assert self.order.status is before
        self.history.append(self.order.status)

    @rule()
    def pay(self) -> None:
        self._attempt(lambda: self.order.mark_paid(payment_ref="pi_1", now=NOW), OrderStatus.PAID)

    @rule()
    def expire(self) -> None:
        self._attempt(lambda: self.order.expire(NOW), OrderStatus.EXPIRED)

    @rule()
    def cancel(self) -> None:
        self._attempt(lambda: self.order.cancel(NOW), OrderStatus.CANCELLED)

    @rule(percent=st.integers(min_value=-5, max_value=120), nudge=st.integers(-2, 2))
    def refund(self, percent: int, nudge: int) -> None:
        """`percent` of what is left, give or take a minor unit: every boundary (zero, all
        that is left, one more) is reached."""
        remaining = self.order.paid.amount
        cents = max(remaining, self.order.total.amount) * percent // 100 + nudge
        before = self.order.status
        if before not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            with pytest.raises((OrderTransitionNotAllowed, InvalidInput)):
                self.order.refund(Money(cents, "EUR"), reason=None, now=NOW)
        elif cents <= 0:
            with pytest.raises(InvalidInput):
                self.order.refund(Money(cents, "EUR"), reason=None, now=NOW)
        elif cents > remaining:
            with pytest.raises(RefundExceedsPayment):
                self.order.refund(Money(cents, "EUR"), reason=None, now=NOW)
        else:
            self.order.refund(Money(cents, "EUR"), reason="asked", now=NOW)
            self.refunded_so_far += cents
        assert self.order.refunded.amount == self.refunded_so_far

    @invariant()
    def money_adds_up(self) -> None:
        order = self.order
        assert 0 <= order.refunded.amount <= order.total.amount
        if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            assert order.paid.amount == order.total.amount - order.refunded.amount
        if order.status is OrderStatus.PARTIALLY_REFUNDED:
            assert order.paid.amount > 0  # free orders are paid, never partly refunded
        if order.status is OrderStatus.REFUNDED:
            assert order.refunded == order.total
            assert order.paid.amount == 0

    @invariant()
    def only_legal_moves_happened(self) -> None:
        for before, after in zip(self.history, self.history[1:], strict=False):
            assert after is before or after in ORDER_MOVES[before]

    @invariant()
    def one_paid_event_at_most(self) -> None:
        paid = [e for e in self.order.pending_events if isinstance(e, OrderPaid)]
        refunds = [e for e in self.order.pending_events if isinstance(e, OrderRefunded)]
        assert len(paid) <= 1
        assert sum(e.amount for e in refunds) == self.order.refunded.amount


TestOrderLifecycle = OrderLifecycle.TestCase


@given(orders(status=OrderStatus.PAID))
def test_any_paid_order_issues_one_ticket_per_seat_of_its_ticket_lines(order: Order) -> None:
    tickets = Ticket.issue_for(order, NOW)
    seats_bought = sum(line.quantity for line in order.lines if line.kind is LineKind.TICKET)
    assert len(tickets) == seats_bought
    assert len({t.code for t in tickets}) == seats_bought
    assert {t.ticket_type_id for t in tickets} == {
        line.item_id for line in order.lines if line.kind is LineKind.TICKET
    }


@given(orders(statuses=(OrderStatus.PENDING, OrderStatus.EXPIRED, OrderStatus.CANCELLED)))
def test_an_order_never_paid_issues_no_tickets_and_refunds_nothing(order: Order) -> None:
    with pytest.raises(OrderTransitionNotAllowed):
        Ticket.issue_for(order, NOW)
    with pytest.raises((OrderTransitionNotAllowed, InvalidInput)):
        order.refund(None, reason=None, now=NOW)
    assert order.refunded.amount == 0


def test_total_is_the_sum_of_lines() -> None:
    order = Order.place(buyer_id=uuid4(), lines=[seats(3), shirt(2)], now=NOW)
    assert order.total == Money(3 * 2500 + 2 * 3000, "EUR")
    assert order.expires_at == NOW + timedelta(minutes=15)
    assert order.holds_reservation
    assert order.is_overdue(NOW + timedelta(minutes=15))
    assert not order.is_overdue(NOW + timedelta(minutes=14))


@pytest.mark.parametrize(
    "lines",
    [
        [seats(1), seats(1, entity=uuid4())],
        [seats(1), seats(1, currency="USD")],
    ],
)
def test_one_entity_and_one_currency_per_order(lines: list[OrderLine]) -> None:
    with pytest.raises(MixedOrder):
        Order.place(buyer_id=uuid4(), lines=lines, now=NOW)


@pytest.mark.parametrize("quantity", [0, -1, 51, 1.5])
def test_quantities_are_whole_and_bounded(quantity: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        seats(quantity)  # type: ignore[arg-type]
    assert raised.value.field == "quantity"


def test_empty_and_repeated_lines_are_refused() -> None:
    with pytest.raises(InvalidInput):
        Order.place(buyer_id=uuid4(), lines=[], now=NOW)
    line = seats(1)
    with pytest.raises(InvalidInput):
        Order.place(buyer_id=uuid4(), lines=[line, line], now=NOW)


def test_a_paid_order_issues_one_unique_ticket_per_seat() -> None:
    order = Order.place(buyer_id=uuid4(), lines=[seats(3), shirt(2)], now=NOW)
    with pytest.raises(OrderTransitionNotAllowed):
        Ticket.issue_for(order, NOW)
    order.mark_paid(payment_ref="cs_1", now=NOW)
    tickets = Ticket.issue_for(order, NOW)
    assert len(tickets) == 3
    assert len({t.code for t in tickets}) == 3
    assert all(len(t.code) >= 22 and t.holder_id == order.buyer_id for t in tickets)


def test_check_in_marks_a_ticket_used_once() -> None:
    order = Order.place(buyer_id=uuid4(), lines=[seats(1)], now=NOW)
    order.mark_paid(payment_ref=None, now=NOW)
    [ticket] = Ticket.issue_for(order, NOW)
    ticket.check_in(NOW)
    with pytest.raises(TicketAlreadyUsed) as raised:
        ticket.check_in(NOW + timedelta(minutes=1))
    assert raised.value.extra["used_at"] == NOW.isoformat()


def test_a_voided_ticket_does_not_check_in() -> None:
    order = Order.place(buyer_id=uuid4(), lines=[seats(1)], now=NOW)
    order.mark_paid(payment_ref=None, now=NOW)
    [ticket] = Ticket.issue_for(order, NOW)
    ticket.void(NOW)
    with pytest.raises(TicketNotValid):
        ticket.check_in(NOW)


def test_refund_defaults_to_everything_left() -> None:
    order = Order.place(buyer_id=uuid4(), lines=[seats(2)], now=NOW)
    order.mark_paid(payment_ref=None, now=NOW)
    order.refund(Money(1000, "EUR"), reason=None, now=NOW)
    assert order.status is OrderStatus.PARTIALLY_REFUNDED
    assert order.refund(None, reason="show moved", now=NOW) == Money(4000, "EUR")
    assert order.status is OrderStatus.REFUNDED
    with pytest.raises(InvalidInput):
        order.refund(Money(100, "USD"), reason=None, now=NOW)
