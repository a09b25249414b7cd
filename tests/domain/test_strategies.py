"""`showgeo_domain.testing` keeps its promise: every strategy produces valid objects, built
through the model's own constructors and transitions, in the state that was asked for.

The expected machines are written out here (not read from the model), so a strategy that
reached a phase or state the contract forbids would fail even if the model allowed it."""

from __future__ import annotations

import asyncio
import copy
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_adapters.memory import MemoryStore, memory_uow_factory
from showgeo_domain.entities.errors import LastOwnerRequired
from showgeo_domain.entities.model import MemberRole, normalize_slug
from showgeo_domain.events.errors import EventPhaseTransitionNotAllowed
from showgeo_domain.events.model import Event, EventPhase, TicketType
from showgeo_domain.identity.model import Role, User, normalize_email, normalize_username
from showgeo_domain.orders.errors import OrderTransitionNotAllowed, RefundExceedsPayment
from showgeo_domain.orders.model import MAX_QUANTITY, LineKind, Order, OrderStatus
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.store.model import Product, ProductKind
from showgeo_domain.testing import (
    Team,
    events,
    money,
    orders,
    path_to,
    prices,
    products,
    store_all,
    teams,
    ticket_types,
    unique_users,
    users,
    venues,
)

PRE_LIVE, LIVE, POST_LIVE, CANCELLED = EventPhase
EDGES = {(PRE_LIVE, LIVE), (LIVE, POST_LIVE), (PRE_LIVE, CANCELLED)}

PENDING, PAID, PARTIALLY_REFUNDED, REFUNDED, EXPIRED, CANCELLED_ORDER = (
    OrderStatus.PENDING,
    OrderStatus.PAID,
    OrderStatus.PARTIALLY_REFUNDED,
    OrderStatus.REFUNDED,
    OrderStatus.EXPIRED,
    OrderStatus.CANCELLED,
)
ORDER_EDGES = {
    (PENDING, PAID),
    (PENDING, EXPIRED),
    (PENDING, CANCELLED_ORDER),
    (PAID, PARTIALLY_REFUNDED),
    (PAID, REFUNDED),
    (PARTIALLY_REFUNDED, PARTIALLY_REFUNDED),
    (PARTIALLY_REFUNDED, REFUNDED),
}


def reachable(start: object, edges: set[tuple[object, object]]) -> set[object]:
    seen, frontier = {start}, deque([start])
    while frontier:
        current = frontier.popleft()
        for source, target in edges:
            if source == current and target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


# --- values --------------------------------------------------------------------------------


@given(money())
def test_money_is_valid_and_survives_a_json_round_trip(amount: Money) -> None:
    assert type(amount.amount) is int
    assert Money(amount.amount, amount.currency) == amount


@given(prices(currency="JPY"))
def test_prices_are_never_negative_and_keep_the_currency_asked_for(price: Money) -> None:
    assert price.currency == "JPY"
    assert 0 <= price.amount <= 10_000_000


@given(venues())
def test_venues_are_what_the_domain_would_build(venue) -> None:  # type: ignore[no-untyped-def]
    assert -90 <= venue.lat <= 90
    assert -180 <= venue.lon <= 180
    assert venue.name == venue.name.strip() != ""


# --- people and teams ----------------------------------------------------------------------


@given(users())
def test_users_are_normalised_and_quiet(user: User) -> None:
    assert normalize_email(user.email) == user.email
    assert normalize_username(user.username) == user.username
    assert Role.USER in user.roles
    assert user.display_name
    assert user.pending_events == []


@given(users(admin=True), users(admin=False))
def test_admin_pins_the_role(admin: User, plain: User) -> None:
    assert admin.is_admin
    assert not plain.is_admin


@given(unique_users(min_size=2, max_size=8))
def test_unique_users_share_neither_email_nor_username(people: list[User]) -> None:
    assert len({p.email for p in people}) == len({p.username for p in people}) == len(people)


@given(teams())
def test_a_team_always_has_an_owner_and_knows_its_people(team: Team) -> None:
    roster = team.roster
    assert roster.owner_count >= 1
    assert team.owners
    assert all(team.role_of(o) is MemberRole.OWNER for o in team.owners)
    assert set(team.people) == set(roster.members)
    assert all(m.entity_id == team.entity.id for m in roster.members.values())
    assert all(m.created_at >= team.entity.created_at for m in roster.members.values())
    assert normalize_slug(team.entity.slug) == team.entity.slug
    assert roster.pending_events == team.entity.pending_events == []


@given(teams(), st.data())
def test_no_further_team_change_can_take_the_last_owner(team: Team, data: st.DataObject) -> None:
    """From any generated team, removing or demoting members one by one stops at an owner."""
    roster = team.roster
    for user_id in data.draw(st.permutations(list(roster.members))):
        last_owner = roster.role_of(user_id) is MemberRole.OWNER and roster.owner_count == 1
        at = team.entity.created_at
        change: Callable[[], object] = (
            partial(roster.remove, user_id, at)
            if data.draw(st.booleans())
            else partial(roster.change_role, user_id, MemberRole.COLLABORATOR, at)
        )
        if last_owner:
            with pytest.raises(LastOwnerRequired):
                change()
        else:
            change()
        assert roster.owner_count >= 1


# --- events --------------------------------------------------------------------------------


@given(events())
def test_every_generated_phase_is_reachable_and_moves_exactly_as_the_machine_says(
    event: Event,
) -> None:
    assert event.phase in reachable(PRE_LIVE, EDGES)
    for target in EventPhase:
        attempt = copy.deepcopy(event)
        if (event.phase, target) in EDGES:
            attempt.move_to(target, by=new_id(), now=event.updated_at)
            assert attempt.phase is target
        else:
            with pytest.raises(EventPhaseTransitionNotAllowed):
                attempt.move_to(target, by=new_id(), now=event.updated_at)
    assert event.pending_events == []


@pytest.mark.parametrize("phase", list(EventPhase))
@given(data=st.data())
def test_events_come_in_the_phase_asked_for(phase: EventPhase, data: st.DataObject) -> None:
    event = data.draw(events(phase=phase))
    assert event.phase is phase
    assert len(path_to(phase)) == (0 if phase is PRE_LIVE else 1 if phase is not POST_LIVE else 2)
    if phase is PRE_LIVE:
        assert event.phase_changed_at is None
    else:
        assert event.phase_changed_at is not None
        assert event.created_at < event.phase_changed_at == event.updated_at
    assert event.is_open == (phase in (PRE_LIVE, LIVE))
    if event.ends_at is not None:
        assert event.ends_at > event.starts_at


@given(ticket_types())
def test_ticket_types_belong_to_an_open_event_and_have_room(ticket_type: TicketType) -> None:
    assert not ticket_type.price.is_negative
    assert ticket_type.available == ticket_type.quota >= 1
    if ticket_type.sales_start and ticket_type.sales_end:
        assert ticket_type.sales_start < ticket_type.sales_end


@given(st.data())
def test_ticket_types_of_a_given_event(data: st.DataObject) -> None:
    event = data.draw(events(phase=LIVE))
    ticket_type = data.draw(ticket_types(event=event, currency="EUR"))
    assert (ticket_type.event_id, ticket_type.entity_id) == (event.id, event.entity_id)
    assert ticket_type.price.currency == "EUR"
    assert ticket_type.sellable(event, ticket_type.created_at) == ticket_type.on_sale(
        ticket_type.created_at
    )


# --- products ------------------------------------------------------------------------------


@given(products())
def test_products_follow_the_stock_rules(product: Product) -> None:
    if product.kind is ProductKind.DIGITAL:
        assert product.stock is None
        assert product.available is None
    assert not product.price.is_negative
    assert product.pending_events == []


@given(products(published=True), products(published=False))
def test_published_pins_the_drop(drop: Product, draft: Product) -> None:
    assert drop.is_published
    assert drop.published_at >= drop.created_at
    assert not draft.is_published


# --- orders --------------------------------------------------------------------------------


def assert_money_adds_up(order: Order) -> None:
    assert order.refunded.currency == order.total.currency
    assert 0 <= order.refunded.amount <= order.total.amount
    total = sum(line.unit_price.amount * line.quantity for line in order.lines)
    assert order.total.amount == total
    if order.status in (PENDING, EXPIRED, CANCELLED_ORDER):
        assert order.refunded.amount == 0
        assert order.paid.amount == 0
    elif order.status is REFUNDED:
        assert order.refunded == order.total
        assert order.paid.amount == 0
    else:
        assert order.paid == order.total - order.refunded
    if order.status is PARTIALLY_REFUNDED:
        assert 0 < order.refunded.amount < order.total.amount


@given(orders())
def test_every_generated_order_is_in_a_reachable_state_with_money_that_adds_up(
    order: Order,
) -> None:
    assert order.status in reachable(PENDING, ORDER_EDGES)
    assert len({line.entity_id for line in order.lines}) == 1
    assert len({line.unit_price.currency for line in order.lines}) == 1
    assert all(1 <= line.quantity <= MAX_QUANTITY for line in order.lines)
    assert all(
        (line.kind is LineKind.TICKET) == (line.event_id is not None) for line in order.lines
    )
    assert (order.paid_at is not None) == (order.status in (PAID, PARTIALLY_REFUNDED, REFUNDED))
    assert order.pending_events == []
    assert_money_adds_up(order)


@pytest.mark.parametrize("status", list(OrderStatus))
@given(data=st.data())
def test_orders_come_in_the_state_asked_for(status: OrderStatus, data: st.DataObject) -> None:
    order = data.draw(orders(status=status))
    assert order.status is status
    assert_money_adds_up(order)


@given(orders(), st.lists(st.integers(-10, 10**9), max_size=5))
def test_refunds_never_exceed_what_was_paid(order: Order, attempts: list[int]) -> None:
    """Whatever further refunds are tried on any generated order, the model refuses those
    that would give back more than is left, and the books still balance."""
    for cents in attempts:
        left = order.paid.amount
        try:
            order.refund(Money(cents, order.total.currency), reason=None, now=order.created_at)
        except RefundExceedsPayment:
            assert cents > left
        except OrderTransitionNotAllowed:
            assert order.status not in (PAID, PARTIALLY_REFUNDED)
        except InvalidInput:
            assert cents <= 0
        else:
            assert 0 < cents <= left
        assert_money_adds_up(order)


# --- into the memory fakes ------------------------------------------------------------------


@given(teams(), st.data())
def test_store_all_puts_generated_aggregates_into_the_memory_fakes(
    team: Team, data: st.DataObject
) -> None:
    event = data.draw(events(entity_id=team.entity.id, phase=LIVE))
    seats = data.draw(ticket_types(event=event))
    shirt = data.draw(products(entity_id=team.entity.id))
    order = data.draw(orders(entity_id=team.entity.id, status=PAID))

    async def scenario() -> None:
        uow = memory_uow_factory(MemoryStore())
        await store_all(uow, team, event, seats, shirt, order)
        async with uow() as unit:
            assert (await unit.entities.get(team.entity.id)) is not None
            for user_id, membership in team.roster.members.items():
                stored = await unit.memberships.get(team.entity.id, user_id)
                assert stored is not None
                assert stored.role is membership.role
                assert (await unit.users.get(user_id)) is not None
            assert (await unit.events.get(event.id)).phase is LIVE  # type: ignore[union-attr]
            assert (await unit.ticket_types.get(seats.id)) is not None
            assert (await unit.products.get(shirt.id)) is not None
            assert (await unit.orders.get(order.id)).status is PAID  # type: ignore[union-attr]
            assert await unit.outbox.unpublished(10) == []

    asyncio.run(scenario())


# --- the package's boundaries ----------------------------------------------------------------


def test_strategies_import_no_adapter_and_the_rest_of_the_domain_no_hypothesis() -> None:
    script = (
        "import sys, importlib, pkgutil, showgeo_domain\n"
        "for c in pkgutil.iter_modules(showgeo_domain.__path__, 'showgeo_domain.'):\n"
        "    if c.name == 'showgeo_domain.testing':\n"
        "        continue\n"
        "    package = importlib.import_module(c.name)\n"
        "    for m in pkgutil.iter_modules(getattr(package, '__path__', []), c.name + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "assert len(sys.modules) > 50\n"
        "assert 'hypothesis' not in sys.modules, 'the domain imported hypothesis'\n"
        "import showgeo_domain.testing\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in "
        "('showgeo_adapters', 'showgeo_api', 'sqlalchemy', 'litestar')]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
