"""Catalogue edits on the memory adapters: editing, hiding and deleting ticket types,
deleting events that sold nothing, unpublishing and archiving products. Each refusal is a
`Conflict` with its own code and leaves the stored state and the outbox as they were."""

from __future__ import annotations

from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.entities.errors import EntityPermissionDenied
from showgeo_domain.events.domain_events import EventDeleted, TicketTypeDeleted, TicketTypeUpdated
from showgeo_domain.events.errors import (
    EventHasSales,
    EventIsLive,
    EventNotEditable,
    EventNotFound,
    PriceLockedAfterSales,
    QuotaBelowSold,
    TicketTypeHasSales,
    TicketTypeNotFound,
)
from showgeo_domain.events.model import EventPhase, TicketTypeEdit
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.orders.model import Ticket
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.domain_events import ProductUnpublished, ProductWithdrawn
from showgeo_domain.store.errors import NotPublished, ProductArchived, ProductNotFound
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductChanges, ProductDetails, Store
from tests.domain.conftest import events_of

STORE_MANAGERS = ["olga", "adam"]
NOT_STORE_MANAGERS = ["cora", "sam", "fay", "root"]
EVENT_MANAGERS = ["olga", "adam", "cora"]
NOT_EVENT_MANAGERS = ["sam", "fay", "root"]


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock: FakeClock):
    clock.tick()
    details = EventDetails(title="Night Shift Live", starts_at=clock.now() + timedelta(days=30))
    return await events.create(crew["olga"].actor, crew_entity.id, details)


@pytest.fixture
async def general(events: Events, crew, show):
    details = TicketTypeDetails(
        name="General", price=Money(2500, "EUR"), quota=100, description="Standing"
    )
    return await events.add_ticket_type(crew["olga"].actor, show.id, details)


def counters(store: MemoryStore, ticket_type_id, *, sold: int = 0, reserved: int = 0) -> None:
    stored = store.state.ticket_types[ticket_type_id]
    stored.sold, stored.reserved = sold, reserved


# --- editing ticket types ------------------------------------------------------------------


@pytest.mark.parametrize("who", STORE_MANAGERS)
async def test_store_managers_edit_every_field_of_an_unsold_ticket_type(
    events: Events, store: MemoryStore, crew, show, general, clock, who
):
    start, end = clock.now() + timedelta(days=1), clock.now() + timedelta(days=20)
    edit = TicketTypeEdit(
        name="Floor",
        description="Standing, floor",
        price=Money(3000, "EUR"),
        quota=80,
        sales_start=start,
        sales_end=end,
    )
    edited = await events.edit_ticket_type(crew[who].actor, show.id, general.id, edit)
    stored = store.state.ticket_types[general.id]
    assert (stored.name, stored.description, stored.price, stored.quota) == (
        "Floor",
        "Standing, floor",
        Money(3000, "EUR"),
        80,
    )
    assert (stored.sales_start, stored.sales_end) == (start, end)
    assert edited.quota == 80
    [updated] = events_of(store, TicketTypeUpdated)
    assert updated.fields == ["name", "description", "price", "quota", "sales_start", "sales_end"]
    assert (updated.quota, updated.price_amount, updated.hidden) == (80, 3000, False)


async def test_an_edit_that_changes_nothing_records_nothing(
    events: Events, store: MemoryStore, crew, show, general
):
    same = TicketTypeEdit(name="General", price=Money(2500, "EUR"), quota=100)
    await events.edit_ticket_type(crew["olga"].actor, show.id, general.id, same)
    assert events_of(store, TicketTypeUpdated) == []


async def test_description_and_sales_window_are_cleared(
    events: Events, store: MemoryStore, crew, show, general, clock
):
    window = TicketTypeEdit(sales_start=clock.now(), sales_end=clock.now() + timedelta(days=2))
    await events.edit_ticket_type(crew["olga"].actor, show.id, general.id, window)
    clear = TicketTypeEdit(clear_description=True, clear_sales_start=True, clear_sales_end=True)
    await events.edit_ticket_type(crew["olga"].actor, show.id, general.id, clear)
    stored = store.state.ticket_types[general.id]
    assert (stored.description, stored.sales_start, stored.sales_end) == (None, None, None)


@pytest.mark.parametrize("who", NOT_STORE_MANAGERS)
async def test_others_cannot_edit_or_delete_ticket_types(
    events: Events, store: MemoryStore, crew, show, general, who
):
    outbox = len(store.outbox)
    with pytest.raises(EntityPermissionDenied):
        await events.edit_ticket_type(
            crew[who].actor, show.id, general.id, TicketTypeEdit(name="Mine")
        )
    with pytest.raises(EntityPermissionDenied):
        await events.delete_ticket_type(crew[who].actor, show.id, general.id)
    assert store.state.ticket_types[general.id].name == "General"
    assert len(store.outbox) == outbox


async def test_a_ticket_type_of_another_event_is_not_found_under_this_one(
    events: Events, crew, crew_entity, show, general, clock
):
    other = await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Other", starts_at=clock.now() + timedelta(days=9)),
    )
    with pytest.raises(TicketTypeNotFound):
        await events.edit_ticket_type(
            crew["olga"].actor, other.id, general.id, TicketTypeEdit(name="x")
        )
    with pytest.raises(TicketTypeNotFound):
        await events.delete_ticket_type(crew["olga"].actor, other.id, new_id())
    with pytest.raises(EventNotFound):
        await events.delete_ticket_type(crew["olga"].actor, new_id(), general.id)


async def test_the_price_is_locked_once_a_seat_is_sold(
    events: Events, store: MemoryStore, crew, show, general
):
    counters(store, general.id, sold=1)
    with pytest.raises(PriceLockedAfterSales) as caught:
        await events.edit_ticket_type(
            crew["olga"].actor, show.id, general.id, TicketTypeEdit(price=Money(1, "EUR"))
        )
    assert caught.value.code == "price_locked_after_sales"
    assert caught.value.extra == {"sold": 1}
    assert store.state.ticket_types[general.id].price == Money(2500, "EUR")
    # The same price again is no change, and other fields still edit.
    edit = TicketTypeEdit(price=Money(2500, "EUR"), name="Floor")
    await events.edit_ticket_type(crew["olga"].actor, show.id, general.id, edit)
    assert store.state.ticket_types[general.id].name == "Floor"


async def test_held_seats_do_not_lock_the_price(
    events: Events, store: MemoryStore, crew, show, general
):
    counters(store, general.id, reserved=3)
    edit = TicketTypeEdit(price=Money(2000, "EUR"))
    await events.edit_ticket_type(crew["olga"].actor, show.id, general.id, edit)
    assert store.state.ticket_types[general.id].price == Money(2000, "EUR")


async def test_the_quota_falls_to_sold_and_held_but_not_below(
    events: Events, store: MemoryStore, crew, show, general
):
    counters(store, general.id, sold=30, reserved=5)
    with pytest.raises(QuotaBelowSold) as caught:
        await events.edit_ticket_type(
            crew["adam"].actor, show.id, general.id, TicketTypeEdit(quota=34)
        )
    assert caught.value.code == "quota_below_sold"
    assert caught.value.extra == {"sold": 30, "reserved": 5}
    assert store.state.ticket_types[general.id].quota == 100
    await events.edit_ticket_type(crew["adam"].actor, show.id, general.id, TicketTypeEdit(quota=35))
    stored = store.state.ticket_types[general.id]
    assert (stored.quota, stored.sold, stored.reserved, stored.available) == (35, 30, 5, 0)


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (TicketTypeEdit(quota=0), "quota"),
        (TicketTypeEdit(name="  "), "name"),
        (TicketTypeEdit(description="x" * 1001), "description"),
        (TicketTypeEdit(price=Money(-1, "EUR")), "price"),
    ],
)
async def test_invalid_edits_are_refused_per_field(
    events: Events, store: MemoryStore, crew, show, general, edit, field
):
    with pytest.raises(InvalidInput) as caught:
        await events.edit_ticket_type(crew["olga"].actor, show.id, general.id, edit)
    assert caught.value.field == field
    assert store.state.ticket_types[general.id].quota == 100


async def test_a_window_ending_before_it_starts_is_refused(
    events: Events, crew, show, general, clock
):
    start = clock.now() + timedelta(days=3)
    await events.edit_ticket_type(
        crew["olga"].actor, show.id, general.id, TicketTypeEdit(sales_start=start)
    )
    with pytest.raises(InvalidInput) as caught:
        await events.edit_ticket_type(
            crew["olga"].actor, show.id, general.id, TicketTypeEdit(sales_end=start)
        )
    assert caught.value.field == "sales_end"


@pytest.mark.parametrize("phase", [EventPhase.CANCELLED, EventPhase.POST_LIVE])
async def test_the_ticket_types_of_a_closed_event_are_fixed(
    events: Events, crew, show, general, phase
):
    if phase is EventPhase.POST_LIVE:
        await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await events.move(crew["olga"].actor, show.id, phase)
    with pytest.raises(EventNotEditable):
        await events.edit_ticket_type(
            crew["olga"].actor, show.id, general.id, TicketTypeEdit(name="Late")
        )


# --- hiding ---------------------------------------------------------------------------------


async def test_a_hidden_type_is_off_sale_and_listed_only_to_its_managers(
    events: Events, store: MemoryStore, crew, show, general, clock
):
    counters(store, general.id, sold=4)  # hiding is allowed whatever was sold
    await events.edit_ticket_type(
        crew["olga"].actor, show.id, general.id, TicketTypeEdit(hidden=True)
    )
    assert events_of(store, TicketTypeUpdated)[-1].fields == ["hidden"]
    managed = await events.ticket_types(show.id, crew["adam"].actor)
    assert [(t.id, t.hidden) for t in managed.items] == [(general.id, True)]
    assert not managed.items[0].sellable(managed.event, clock.now())
    for viewer in (None, crew["sam"].actor, crew["cora"].actor):
        assert (await events.ticket_types(show.id, viewer)).items == []
    await events.edit_ticket_type(
        crew["olga"].actor, show.id, general.id, TicketTypeEdit(hidden=False)
    )
    public = await events.ticket_types(show.id)
    assert public.items[0].sellable(public.event, clock.now())


# --- deleting ticket types -----------------------------------------------------------------


@pytest.mark.parametrize("who", STORE_MANAGERS)
async def test_an_unsold_ticket_type_is_deleted(
    events: Events, store: MemoryStore, crew, show, general, who
):
    await events.delete_ticket_type(crew[who].actor, show.id, general.id)
    assert general.id not in store.state.ticket_types
    [deleted] = events_of(store, TicketTypeDeleted)
    assert (deleted.ticket_type_id, deleted.event_id) == (general.id, show.id)


@pytest.mark.parametrize(("sold", "reserved"), [(1, 0), (0, 1)])
async def test_a_ticket_type_with_seats_sold_or_held_is_kept(
    events: Events, store: MemoryStore, crew, show, general, sold, reserved
):
    counters(store, general.id, sold=sold, reserved=reserved)
    with pytest.raises(TicketTypeHasSales) as caught:
        await events.delete_ticket_type(crew["olga"].actor, show.id, general.id)
    assert caught.value.code == "ticket_type_has_sales"
    assert "hidden" in caught.value.detail
    assert general.id in store.state.ticket_types
    assert events_of(store, TicketTypeDeleted) == []


def a_ticket(store: MemoryStore, show, general, clock) -> None:
    holder = next(iter(store.state.users))
    ticket = Ticket(
        id=new_id(),
        order_id=new_id(),
        ticket_type_id=general.id,
        event_id=show.id,
        holder_id=holder,
        code="c" * 32,
        issued_at=clock.now(),
    )
    store.state.tickets[ticket.id] = ticket


async def test_a_ticket_type_that_ever_issued_a_ticket_is_kept(
    events: Events, store: MemoryStore, crew, show, general, clock
):
    """Counters back at zero (a refund gave the seat back) still leave its tickets behind."""
    a_ticket(store, show, general, clock)
    with pytest.raises(TicketTypeHasSales):
        await events.delete_ticket_type(crew["olga"].actor, show.id, general.id)
    assert general.id in store.state.ticket_types
    assert events_of(store, TicketTypeDeleted) == []


# --- deleting events -----------------------------------------------------------------------


@pytest.mark.parametrize("who", EVENT_MANAGERS)
async def test_an_event_that_sold_nothing_is_deleted_with_its_ticket_types(
    events: Events, store: MemoryStore, crew, show, general, who
):
    await events.delete(crew[who].actor, show.id)
    assert show.id not in store.state.events
    assert general.id not in store.state.ticket_types
    [deleted] = events_of(store, EventDeleted)
    assert (deleted.event_id, deleted.deleted_by) == (show.id, crew[who].id)
    with pytest.raises(EventNotFound):
        await events.get(show.id)


@pytest.mark.parametrize("who", NOT_EVENT_MANAGERS)
async def test_others_cannot_delete_events(events: Events, store: MemoryStore, crew, show, who):
    with pytest.raises(EntityPermissionDenied):
        await events.delete(crew[who].actor, show.id)
    assert show.id in store.state.events


@pytest.mark.parametrize(("sold", "reserved"), [(2, 0), (0, 2)])
async def test_an_event_that_sold_is_cancelled_not_deleted(
    events: Events, store: MemoryStore, crew, show, general, sold, reserved
):
    counters(store, general.id, sold=sold, reserved=reserved)
    with pytest.raises(EventHasSales) as caught:
        await events.delete(crew["olga"].actor, show.id)
    assert caught.value.code == "event_has_sales"
    assert "CANCELLED" in caught.value.detail
    assert show.id in store.state.events
    assert general.id in store.state.ticket_types
    assert events_of(store, EventDeleted) == []


async def test_an_event_with_issued_tickets_is_kept(
    events: Events, store: MemoryStore, crew, show, general, clock
):
    a_ticket(store, show, general, clock)
    with pytest.raises(EventHasSales):
        await events.delete(crew["olga"].actor, show.id)
    assert show.id in store.state.events


async def test_a_live_event_is_not_deleted_but_a_finished_or_cancelled_one_is(
    events: Events, store: MemoryStore, crew, crew_entity, show, clock
):
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    with pytest.raises(EventIsLive):
        await events.delete(crew["olga"].actor, show.id)
    await events.move(crew["olga"].actor, show.id, EventPhase.POST_LIVE)
    await events.delete(crew["olga"].actor, show.id)
    other = await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Off", starts_at=clock.now() + timedelta(days=3)),
    )
    await events.move(crew["olga"].actor, other.id, EventPhase.CANCELLED)
    await events.delete(crew["olga"].actor, other.id)
    assert store.state.events == {}


# --- unpublishing and archiving products ---------------------------------------------------


def shirt() -> ProductDetails:
    return ProductDetails(
        title="Tour shirt",
        kind=ProductKind.PHYSICAL,
        price=Money(2000, "EUR"),
        visibility=Visibility.PUBLIC,
        stock=10,
    )


@pytest.fixture
async def live_shirt(shop: Store, crew, crew_entity):
    product = await shop.create(crew["olga"].actor, crew_entity.id, shirt())
    return await shop.publish(crew["olga"].actor, product.id)


@pytest.mark.parametrize("who", STORE_MANAGERS)
async def test_unpublishing_makes_a_draft_again(
    shop: Store, store: MemoryStore, crew, crew_entity, live_shirt, who
):
    product = await shop.unpublish(crew[who].actor, live_shirt.id)
    assert not product.is_published
    assert store.state.products[live_shirt.id].published_at is None
    [event] = events_of(store, ProductUnpublished)
    assert event.product_id == live_shirt.id
    with pytest.raises(ProductNotFound):
        await shop.get(live_shirt.id, crew["sam"].actor)
    assert (await shop.get(live_shirt.id, crew["cora"].actor)).id == live_shirt.id
    with pytest.raises(NotPublished) as caught:
        await shop.unpublish(crew[who].actor, live_shirt.id)
    assert caught.value.code == "not_published"
    await shop.publish(crew[who].actor, live_shirt.id)  # and it may drop again
    assert store.state.products[live_shirt.id].published_at is not None


@pytest.mark.parametrize("who", STORE_MANAGERS)
async def test_archiving_withdraws_for_good(
    shop: Store, store: MemoryStore, crew, crew_entity, live_shirt, clock, who
):
    store.state.products[live_shirt.id].sold = 3
    clock.tick()
    archived = await shop.archive(crew[who].actor, live_shirt.id)
    assert archived.archived_at == clock.now()
    assert not archived.is_published
    stored = store.state.products[live_shirt.id]
    assert (stored.archived_at, stored.sold) == (clock.now(), 3)
    [event] = events_of(store, ProductWithdrawn)
    assert event.product_id == live_shirt.id
    for viewer in (None, crew["sam"].actor, crew["fay"].actor, crew["olga"].actor):
        page = await shop.list_for_entity(crew_entity.id, viewer, PageRequest())
        assert page.items == []
    assert (await shop.get(live_shirt.id, crew["olga"].actor)).archived_at == clock.now()
    with pytest.raises(ProductNotFound):
        await shop.get(live_shirt.id, crew["fay"].actor)
    for change in (
        shop.archive(crew[who].actor, live_shirt.id),
        shop.publish(crew[who].actor, live_shirt.id),
        shop.unpublish(crew[who].actor, live_shirt.id),
        shop.update(crew[who].actor, live_shirt.id, ProductChanges(title="Back")),
    ):
        with pytest.raises(ProductArchived) as caught:
            await change
        assert caught.value.code == "product_archived"
    assert len(events_of(store, ProductWithdrawn)) == 1


@pytest.mark.parametrize("who", ["cora", "fay", "root"])
async def test_others_cannot_unpublish_or_archive(
    shop: Store, store: MemoryStore, crew, live_shirt, who
):
    for change in (shop.unpublish, shop.archive):
        with pytest.raises(EntityPermissionDenied):
            await change(crew[who].actor, live_shirt.id)
    stored = store.state.products[live_shirt.id]
    assert stored.published_at is not None
    assert stored.archived_at is None
