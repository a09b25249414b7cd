from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest, decode_cursor
from showgeo_domain.store.model import Audience, Product, ProductKind, Visibility
from tests.contract.builders import a_product, a_ticket_type, an_entity, an_event, state_of, store

STRANGER = Audience()
FOLLOWER = Audience(is_follower=True)
MEMBER = Audience(is_member=True)


async def test_products_come_back_field_for_field(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    shirt = a_product(clock, entity, "Shirt", stock=40)
    shirt.sold, shirt.reserved = 3, 2
    album = Product.create(
        entity_id=entity.id,
        title="Album",
        kind=ProductKind.DIGITAL,
        price=Money(999, "USD"),
        visibility=Visibility.FOLLOWERS,
        description="Twelve songs",
        asset_id=new_id(),
        now=clock.tick(),
    )
    await store(uow_factory, entities=[entity], products=[shirt, album])

    async with uow_factory() as uow:
        found_shirt = await uow.products.get(shirt.id)
        found_album = await uow.products.get(album.id, for_update=True)
        assert await uow.products.get(new_id()) is None

    assert found_shirt is not None
    assert found_album is not None
    assert state_of(found_shirt) == state_of(shirt)
    assert state_of(found_album) == state_of(album)
    assert found_shirt.available == 35
    assert found_album.stock is None
    assert found_album.available is None
    assert found_album.published_at is None
    assert found_album.pending_events == []


async def test_update_persists_the_details_but_never_the_counters(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    draft = a_product(clock, entity, stock=10, published=False)
    draft.sold, draft.reserved = 4, 1
    await store(uow_factory, entities=[entity], products=[draft])

    async with uow_factory() as uow:
        stale = await uow.products.get(draft.id, for_update=True)
        assert stale is not None
        stale.update(
            now=clock.tick(),
            title="Signed shirt",
            price=Money(4900, "EUR"),
            stock=8,
            visibility=Visibility.FOLLOWERS,
        )
        stale.publish(clock.tick())
        stale.sold, stale.reserved = 0, 0  # a stale copy must not wind the counters back
        await uow.products.update(stale)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.products.get(draft.id)
    assert found is not None
    assert (found.title, found.price, found.stock, found.visibility) == (
        "Signed shirt",
        Money(4900, "EUR"),
        8,
        Visibility.FOLLOWERS,
    )
    assert found.published_at == stale.published_at
    assert found.updated_at == stale.updated_at
    assert (found.sold, found.reserved) == (4, 1)


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (STRANGER, ["public"]),
        (FOLLOWER, ["followers", "public"]),
        (MEMBER, ["draft", "hidden", "followers", "public"]),
    ],
    ids=["stranger", "follower", "member"],
)
async def test_each_audience_lists_what_it_may_see_newest_first(
    uow_factory: PlatformUnitOfWorkFactory,
    clock: FakeClock,
    audience: Audience,
    expected: list[str],
) -> None:
    entity, other = an_entity(clock, "band"), an_entity(clock, "choir")
    catalogue = [
        a_product(clock, entity, "public"),
        a_product(clock, entity, "followers", visibility=Visibility.FOLLOWERS),
        a_product(clock, entity, "hidden", visibility=Visibility.HIDDEN),
        a_product(clock, entity, "draft", published=False),
        a_product(clock, other, "someone else's"),
    ]
    await store(uow_factory, entities=[entity, other], products=catalogue)

    titles: list[str] = []
    page = PageRequest(limit=1)  # one per page: the cursor must skip hidden rows too
    async with uow_factory() as uow:
        while True:
            found = await uow.products.list_for_entity(entity.id, audience, page)
            titles.extend(p.title for p in found.items)
            if found.next_cursor is None:
                break
            page = PageRequest(limit=1, after=decode_cursor(found.next_cursor))

    assert titles == expected


async def test_deleting_the_entity_removes_its_events_ticket_types_and_products(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, kept = an_entity(clock, "band"), an_entity(clock, "choir")
    event, kept_event = an_event(clock, entity), an_event(clock, kept)
    seats, kept_seats = a_ticket_type(clock, event), a_ticket_type(clock, kept_event)
    shirt, kept_shirt = a_product(clock, entity), a_product(clock, kept)
    await store(
        uow_factory,
        entities=[entity, kept],
        events=[event, kept_event],
        ticket_types=[seats, kept_seats],
        products=[shirt, kept_shirt],
    )

    async with uow_factory() as uow:
        await uow.entities.delete(entity.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.events.get(event.id) is None
        assert await uow.ticket_types.get(seats.id) is None
        assert await uow.products.get(shirt.id) is None
        assert await uow.ticket_types.list_for_event(event.id) == []
        assert (await uow.products.list_for_entity(entity.id, MEMBER, PageRequest())).items == []
        assert await uow.events.get(kept_event.id) is not None
        assert await uow.ticket_types.get(kept_seats.id) is not None
        assert await uow.products.get(kept_shirt.id) is not None
