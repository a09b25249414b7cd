"""The events and store use cases, run on each backend, leave their domain events in the
outbox in the order they happened: the relay and every consumer downstream start here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.model import EventPhase, Venue
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.money import Money
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store
from tests.contract.builders import a_user, store
from tests.contract.conftest import OutboxEntry

ReadOutbox = Callable[[], Awaitable[list[OutboxEntry]]]


async def test_event_and_store_use_cases_fill_the_outbox(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    owner = a_user(clock, "ana")
    await store(uow_factory, users=[owner])
    actor = Actor(owner.id)
    entity = await Entities(uow_factory, clock).create(
        actor, name="The Band", slug="the-band", kind=EntityKind.CREATOR
    )
    events, shop = Events(uow_factory, clock), Store(uow_factory, clock)
    before = len(await read_outbox())

    clock.advance(timedelta(seconds=1))
    show = await events.create(
        actor,
        "the-band",
        EventDetails(
            title="Live in Lisbon",
            starts_at=clock.now() + timedelta(days=1),
            venue=Venue("Coliseu", 38.7223, -9.1393, "PT"),
        ),
    )
    clock.advance(timedelta(seconds=1))
    await events.add_ticket_type(
        actor, show.id, TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=100)
    )
    clock.advance(timedelta(seconds=1))
    await events.move(actor, show.id, EventPhase.LIVE)
    clock.advance(timedelta(seconds=1))
    shirt = await shop.create(
        actor,
        entity.id,
        ProductDetails(
            title="Tour shirt",
            kind=ProductKind.PHYSICAL,
            price=Money(1999, "EUR"),
            visibility=Visibility.FOLLOWERS,
            stock=50,
        ),
    )
    clock.advance(timedelta(seconds=1))
    await shop.publish(actor, shirt.id)

    entries = (await read_outbox())[before:]
    assert [e.subject for e in entries] == [
        "showgeo.events.event_created",
        "showgeo.events.ticket_type_created",
        "showgeo.events.event_phase_changed",
        "showgeo.events.event_went_live",
        "showgeo.store.product_created",
        "showgeo.store.product_dropped",
    ]
    created, _, changed, live, _, dropped = (e.payload for e in entries)
    assert created["event_id"] == live["event_id"] == str(show.id)
    assert (changed["from_phase"], changed["to_phase"]) == ("PRE_LIVE", "LIVE")
    assert changed["changed_by"] == str(owner.id)
    assert dropped["product_id"] == str(shirt.id)
    assert (dropped["visibility"], dropped["price_amount"]) == ("FOLLOWERS", 1999)
    assert len({e.event_id for e in entries}) == len(entries)

    # What was stored is what the use cases returned.
    assert (await events.get(show.id)).phase is EventPhase.LIVE
    assert (await shop.get(shirt.id, actor)).published_at == clock.now()
