"""Ticket types: what a seat costs, how many there are, and when they sell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showgeo_domain.events.domain_events import TicketTypeCreated
from showgeo_domain.events.errors import EventNotEditable
from showgeo_domain.events.model import MAX_QUOTA, TICKET_NAME_MAX, Event, EventPhase, TicketType
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
EUR_25 = Money(2500, "EUR")


def an_event(*moves: EventPhase) -> Event:
    event = Event.create(
        entity_id=new_id(), title="Night Shift", starts_at=T0 + timedelta(days=30), now=T0
    )
    for phase in moves:
        event.move_to(phase, by=new_id(), now=T0 + timedelta(hours=1))
    event.pull_events()
    return event


def ticket_type(event: Event | None = None, **overrides) -> TicketType:
    fields = {"name": "General", "price": EUR_25, "quota": 100, "now": T0, **overrides}
    return TicketType.create(event=event or an_event(), **fields)


def test_creation_copies_the_event_and_announces_quota_and_price():
    event = an_event()
    tt = ticket_type(event, name="  Early bird  ", quota=50, price=Money(1250, "EUR"))
    assert (tt.event_id, tt.entity_id, tt.name) == (event.id, event.entity_id, "Early bird")
    assert (tt.sold, tt.reserved, tt.available) == (0, 0, 50)
    (created,) = tt.pull_events()
    assert isinstance(created, TicketTypeCreated)
    assert (created.ticket_type_id, created.event_id, created.entity_id) == (
        tt.id,
        event.id,
        event.entity_id,
    )
    assert (created.quota, created.price_amount, created.price_currency) == (50, 1250, "EUR")
    assert created.occurred_at == T0


def test_free_tickets_are_allowed():
    assert ticket_type(price=Money.zero("EUR")).price.amount == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quota": 0}, "quota"),
        ({"quota": -1}, "quota"),
        ({"quota": MAX_QUOTA + 1}, "quota"),
        ({"quota": True}, "quota"),
        ({"quota": 10.0}, "quota"),
        ({"price": Money(-1, "EUR")}, "price"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * (TICKET_NAME_MAX + 1)}, "name"),
        ({"sales_start": T0 + timedelta(days=2), "sales_end": T0 + timedelta(days=1)}, "sales_end"),
        ({"sales_start": T0, "sales_end": T0}, "sales_end"),
        ({"sales_start": datetime(2026, 3, 1, 20, 0)}, "sales_start"),
        ({"sales_end": datetime(2026, 3, 1, 20, 0)}, "sales_end"),
        ({"sales_start": T0, "sales_end": datetime(2026, 3, 2, 20, 0)}, "sales_end"),
    ],
)
def test_invalid_ticket_types_are_refused_with_their_field(overrides, field):
    with pytest.raises(InvalidInput) as caught:
        ticket_type(**overrides)
    assert caught.value.field == field


@pytest.mark.parametrize("quota", [1, MAX_QUOTA])
def test_quota_bounds_are_inclusive(quota):
    assert ticket_type(quota=quota).available == quota


def test_name_at_the_limit_is_kept():
    assert ticket_type(name="x" * TICKET_NAME_MAX).name == "x" * TICKET_NAME_MAX


@given(st.integers(1, 1_000), st.integers(0, 1_500), st.integers(0, 1_500))
def test_available_is_what_is_neither_sold_nor_held_never_negative(quota, sold, reserved):
    tt = ticket_type(quota=quota)
    tt.sold, tt.reserved = sold, reserved
    assert tt.available == max(0, quota - sold - reserved)
    assert tt.available >= 0


START, END = T0 + timedelta(days=1), T0 + timedelta(days=10)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (START - timedelta(microseconds=1), False),
        (START, True),  # the window opens on the dot
        (START + timedelta(days=3), True),
        (END - timedelta(microseconds=1), True),
        (END, False),  # and closes on the dot
        (END + timedelta(days=1), False),
    ],
)
def test_on_sale_window_is_half_open(now, expected):
    assert ticket_type(sales_start=START, sales_end=END).on_sale(now) is expected


def test_on_sale_without_a_window_is_always():
    tt = ticket_type()
    assert tt.on_sale(T0 - timedelta(days=365))
    assert tt.on_sale(T0 + timedelta(days=365))


def test_on_sale_with_only_one_edge():
    opens = ticket_type(sales_start=START)
    assert not opens.on_sale(START - timedelta(seconds=1))
    assert opens.on_sale(START + timedelta(days=400))
    closes = ticket_type(sales_end=END)
    assert closes.on_sale(T0 - timedelta(days=400))
    assert not closes.on_sale(END)


def test_on_sale_compares_instants_not_wall_clocks():
    """A window given in one zone is the same window seen from another."""
    lisbon_summer = datetime.fromisoformat("2026-07-01T10:00:00+01:00")  # 09:00 UTC
    tt = ticket_type(sales_start=lisbon_summer)
    assert not tt.on_sale(datetime.fromisoformat("2026-07-01T08:59:59+00:00"))
    assert tt.on_sale(datetime.fromisoformat("2026-07-01T09:00:00+00:00"))
    assert tt.on_sale(datetime.fromisoformat("2026-07-01T09:30:00+00:00"))


@pytest.mark.parametrize("moves", [(), (EventPhase.LIVE,)])
def test_open_events_take_ticket_types(moves):
    assert ticket_type(an_event(*moves)).quota == 100


@pytest.mark.parametrize(
    "moves", [(EventPhase.LIVE, EventPhase.POST_LIVE), (EventPhase.CANCELLED,)]
)
def test_finished_or_cancelled_events_take_no_ticket_types(moves):
    event = an_event(*moves)
    with pytest.raises(EventNotEditable):
        ticket_type(event)
    assert event.pending_events == []
