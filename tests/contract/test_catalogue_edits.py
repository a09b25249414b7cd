"""Catalogue edits on every backend: a ticket type's edit writes its fields but never its
counters, and never a quota under the seats the row holds; ticket types and events go only
while nothing was sold, held or issued (tickets RESTRICT them in SQL: a refusal is a False,
not an aborted transaction); archived products stay readable but leave every list; and a
race of quota edits against buyers never leaves the quota under what is sold and held."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.assets.image_links import AssetLink, LinkRole, LinkTarget
from showgeo_domain.assets.model import Asset, AssetKind, AssetVisibility
from showgeo_domain.entities.model import EntityKind
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.errors import QuotaBelowSold
from showgeo_domain.events.model import TicketType, TicketTypeEdit
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.identity.model import Actor
from showgeo_domain.orders.errors import SoldOut
from showgeo_domain.orders.model import Order, Ticket
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import Audience
from tests.contract.builders import (
    a_line,
    a_product,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    state_of,
    store,
)
from tests.contract.conftest import OutboxEntry


async def _held(uow_factory: PlatformUnitOfWorkFactory, ticket_type: TicketType) -> TicketType:
    async with uow_factory() as uow:
        found = await uow.ticket_types.get(ticket_type.id)
    assert found is not None
    return found


async def test_an_edit_writes_the_fields_and_keeps_the_counters(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, quota=10)
    await store(uow_factory, entities=[entity], events=[event], ticket_types=[seats])
    async with uow_factory() as uow:
        assert await uow.ticket_types.reserve(seats.id, 3)
        await uow.commit()

    seats.edit(
        event,
        TicketTypeEdit(
            name="Floor",
            description="Standing",
            price=Money(900, "EUR"),
            quota=4,
            sales_end=clock.now() + timedelta(days=2),
            hidden=True,
        ),
        now=clock.tick(),
    )
    async with uow_factory() as uow:
        locked = await uow.ticket_types.get(seats.id, for_update=True)
        assert locked is not None
        assert locked.reserved == 3
        assert await uow.ticket_types.update(seats)  # the copy's reserved=0 is not written
        await uow.commit()

    found = await _held(uow_factory, seats)
    assert (found.name, found.description, found.price, found.quota, found.hidden) == (
        "Floor",
        "Standing",
        Money(900, "EUR"),
        4,
        True,
    )
    assert found.sales_end == seats.sales_end
    assert (found.sold, found.reserved, found.available) == (0, 3, 1)


async def test_a_quota_under_what_the_row_holds_is_not_written(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """The copy was read before seats were reserved: the row, not the copy, decides."""
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, quota=10)
    await store(uow_factory, entities=[entity], events=[event], ticket_types=[seats])
    async with uow_factory() as uow:
        stale = await uow.ticket_types.get(seats.id)
    async with uow_factory() as uow:
        assert await uow.ticket_types.reserve(seats.id, 6)
        await uow.commit()
    assert stale is not None
    stale.quota = 5
    async with uow_factory() as uow:
        assert await uow.ticket_types.update(stale) is False
        await uow.commit()
    assert (await _held(uow_factory, seats)).quota == 10


async def test_ticket_types_and_events_go_only_while_nothing_was_sold_held_or_issued(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, read_outbox
) -> None:
    ana = a_user(clock, "ana")
    entity = an_entity(clock, "band")
    event, empty = an_event(clock, entity), an_event(clock, entity)
    sold, held, unsold, spare = (a_ticket_type(clock, event) for _ in range(4))
    gone = a_ticket_type(clock, empty)
    await store(
        uow_factory,
        users=[ana],
        entities=[entity],
        events=[event, empty],
        ticket_types=[sold, held, unsold, spare, gone],
    )
    order = an_order(clock, ana, a_line(sold, 1))
    order.mark_paid(payment_ref=None, now=clock.tick())
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.tickets.add_many(Ticket.issue_for(order, clock.tick()))  # counters stay 0
        assert await uow.ticket_types.reserve(held.id, 1)
        await uow.commit()

    for ticket_type in (sold, held, unsold):
        ticket_type.delete(now=clock.tick())
    before = len(await read_outbox())
    async with uow_factory() as uow:
        assert await uow.ticket_types.delete(sold) is False  # a ticket was issued
        assert await uow.ticket_types.delete(held) is False  # a seat is held
        assert await uow.ticket_types.delete(unsold) is True
        assert await uow.events.delete(event) is False
        await uow.commit()
    entries: list[OutboxEntry] = (await read_outbox())[before:]
    assert [e.subject for e in entries] == ["showgeo.events.ticket_type_deleted"]
    async with uow_factory() as uow:
        assert await uow.ticket_types.get(unsold.id) is None
        assert [t.id for t in await uow.ticket_types.list_for_event(event.id)] == [
            sold.id,
            held.id,
            spare.id,
        ]
        assert await uow.events.get(event.id) is not None

    empty.delete(by=ana.id, now=clock.tick(), has_sales=False)
    async with uow_factory() as uow:
        assert await uow.events.delete(empty) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.events.get(empty.id) is None
        assert await uow.ticket_types.get(gone.id) is None  # went with its event
    entries = (await read_outbox())[before:]
    assert entries[-1].subject == "showgeo.events.event_deleted"
    assert entries[-1].payload["event_id"] == str(empty.id)


async def test_archived_products_come_back_by_id_and_leave_every_list(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    shirt, mug = a_product(clock, entity, published=True), a_product(clock, entity)
    await store(uow_factory, entities=[entity], products=[shirt, mug])
    shirt.archive(clock.tick())
    async with uow_factory() as uow:
        await uow.products.update(shirt)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.products.get(shirt.id)
        team = await uow.products.list_for_entity(
            entity.id, Audience(is_member=True), PageRequest()
        )
    assert found is not None
    assert state_of(found) == state_of(shirt)
    assert found.archived_at == shirt.archived_at
    assert found.published_at is None
    assert [p.id for p in team.items] == [mug.id]


async def test_quota_edits_racing_buyers_never_fall_under_what_is_sold_and_held(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """Twelve buyers rush ten seats while two edits cut the quota to 5 and 7. Whatever the
    interleaving, every edit and order either lands or is refused cleanly, and the stored
    quota covers the seats held."""
    owner = a_user(clock, "olga")
    buyers = [a_user(clock, f"fan{i}") for i in range(12)]
    await store(uow_factory, users=[owner, *buyers])
    actor = Actor(owner.id)
    entity = await Entities(uow_factory, clock).create(
        actor, name="The Band", slug="the-band", kind=EntityKind.CREATOR
    )
    events = Events(uow_factory, clock)
    show = await events.create(
        actor, entity.id, EventDetails(title="Live", starts_at=clock.now() + timedelta(days=7))
    )
    seats = await events.add_ticket_type(
        actor, show.id, TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10)
    )
    orders = Orders(uow_factory, clock)
    item = ItemRequest(ticket_type_id=seats.id, quantity=1)

    results = await asyncio.gather(
        *(orders.place(Actor(b.id), [item]) for b in buyers[:6]),
        events.edit_ticket_type(actor, show.id, seats.id, TicketTypeEdit(quota=5)),
        *(orders.place(Actor(b.id), [item]) for b in buyers[6:]),
        events.edit_ticket_type(actor, show.id, seats.id, TicketTypeEdit(quota=7)),
        return_exceptions=True,
    )

    unexpected = [
        r for r in results if not isinstance(r, Order | SoldOut | TicketType | QuotaBelowSold)
    ]
    assert unexpected == []
    placed = sum(isinstance(r, Order) for r in results)
    edits = [r for r in results if isinstance(r, TicketType)]
    found = await _held(uow_factory, seats)
    assert found.reserved == placed
    assert found.sold + found.reserved <= found.quota
    assert found.quota in {10, 5, 7}
    if edits:
        assert found.quota in {e.quota for e in edits}


async def test_an_event_goes_with_its_own_assets_and_their_links(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """Its assets cascade with it; the links that hold them (which RESTRICT them in SQL)
    go first, as deleting an asset removes its links. Another event's asset stays."""
    ana = a_user(clock, "ana")
    entity = an_entity(clock, "band")
    event, other = an_event(clock, entity), an_event(clock, entity)
    await store(uow_factory, users=[ana], entities=[entity], events=[event, other])
    own = Asset.new(
        owner_id=ana.id,
        kind=AssetKind.IMAGE,
        visibility=AssetVisibility.PUBLIC,
        entity_id=entity.id,
        event_id=event.id,
        now=clock.tick(),
    )
    kept = Asset.new(
        owner_id=ana.id,
        kind=AssetKind.IMAGE,
        visibility=AssetVisibility.PUBLIC,
        entity_id=entity.id,
        event_id=other.id,
        now=clock.tick(),
    )
    async with uow_factory() as uow:
        for asset in (own, kept):
            await uow.assets.add(asset)
        for target, target_id, asset in (
            (LinkTarget.EVENT, event.id, own),
            (LinkTarget.ENTITY, entity.id, own),
            (LinkTarget.EVENT, other.id, kept),
        ):
            role = LinkRole.COVER if target is LinkTarget.EVENT else LinkRole.GALLERY
            await uow.assets.link(AssetLink(target, target_id, role, asset.id, clock.tick()))
        await uow.commit()

    event.delete(by=ana.id, now=clock.tick(), has_sales=False)
    async with uow_factory() as uow:
        assert await uow.events.delete(event) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.assets.get(own.id) is None
        assert await uow.assets.get(kept.id) is not None
        assert await uow.assets.links_of(LinkTarget.ENTITY, entity.id) == []
        assert [k.asset_id for k in await uow.assets.links_of(LinkTarget.EVENT, other.id)] == [
            kept.id
        ]
