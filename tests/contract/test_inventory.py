"""The Inventory port on ticket types and products, every backend: a reservation succeeds
only while `sold + reserved + n` fits the quota or stock (NULL stock: unlimited), release
and confirm move the counters by exactly n, and nothing ever drives a counter below zero."""

from __future__ import annotations

from uuid import UUID

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.shared.ids import new_id
from showgeo_domain.store.model import ProductKind
from tests.contract.builders import a_product, a_ticket_type, an_entity, an_event, store


async def _counters(uow_factory: PlatformUnitOfWorkFactory, item_id: UUID) -> tuple[int, int]:
    """(sold, reserved) as committed."""
    async with uow_factory() as uow:
        item = await uow.ticket_types.get(item_id) or await uow.products.get(item_id)
    assert item is not None
    return item.sold, item.reserved


async def test_ticket_types_reserve_up_to_the_quota_exactly(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, quota=10)
    await store(uow_factory, entities=[entity], events=[event], ticket_types=[seats])

    async with uow_factory() as uow:
        inventory = uow.ticket_types
        assert await inventory.reserve(seats.id, 4) is True
        assert await inventory.reserve(seats.id, 7) is False  # 11 > 10: nothing taken
        assert await inventory.reserve(seats.id, 6) is True  # exactly the quota
        assert await inventory.reserve(seats.id, 1) is False
        await uow.commit()
    assert await _counters(uow_factory, seats.id) == (0, 10)

    async with uow_factory() as uow:
        await uow.ticket_types.confirm(seats.id, 4)  # a paid order
        await uow.ticket_types.release(seats.id, 2)  # an expired one
        await uow.commit()
    assert await _counters(uow_factory, seats.id) == (4, 4)

    async with uow_factory() as uow:
        # Sold seats count against the quota too: 4 sold + 4 held leave 2.
        assert await uow.ticket_types.reserve(seats.id, 3) is False
        assert await uow.ticket_types.reserve(seats.id, 2) is True
        await uow.commit()
    assert await _counters(uow_factory, seats.id) == (4, 6)


async def test_products_reserve_up_to_the_stock_and_unlimited_without_one(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    shirt = a_product(clock, entity, stock=3)
    sold_out = a_product(clock, entity, "Poster", stock=0)
    song = a_product(clock, entity, "Song", kind=ProductKind.DIGITAL, stock=None)
    await store(uow_factory, entities=[entity], products=[shirt, sold_out, song])

    async with uow_factory() as uow:
        assert await uow.products.reserve(shirt.id, 3) is True
        assert await uow.products.reserve(shirt.id, 1) is False
        assert await uow.products.reserve(sold_out.id, 1) is False
        assert await uow.products.reserve(song.id, 50) is True
        assert await uow.products.reserve(song.id, 1_000_000) is True
        await uow.products.confirm(song.id, 50)
        await uow.products.confirm(shirt.id, 1)
        await uow.commit()
    assert await _counters(uow_factory, shirt.id) == (1, 2)
    assert await _counters(uow_factory, sold_out.id) == (0, 0)
    assert await _counters(uow_factory, song.id) == (50, 1_000_000)


async def test_a_rolled_back_reservation_takes_nothing(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    shirt = a_product(clock, entity, stock=3)
    await store(uow_factory, entities=[entity], products=[shirt])
    async with uow_factory() as uow:
        assert await uow.products.reserve(shirt.id, 3) is True
        await uow.rollback()
    assert await _counters(uow_factory, shirt.id) == (0, 0)


async def test_unknown_items_reserve_nothing(uow_factory: PlatformUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.ticket_types.reserve(new_id(), 1) is False
        assert await uow.products.reserve(new_id(), 1) is False
        # Releasing or confirming what does not exist is a no-op, not an error.
        await uow.ticket_types.release(new_id(), 1)
        await uow.products.confirm(new_id(), 1)
        await uow.commit()


async def test_counters_never_go_below_zero(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, quota=10)
    shirt = a_product(clock, entity, stock=10)
    await store(
        uow_factory, entities=[entity], events=[event], ticket_types=[seats], products=[shirt]
    )
    async with uow_factory() as uow:
        for inventory, item_id in ((uow.ticket_types, seats.id), (uow.products, shirt.id)):
            assert await inventory.reserve(item_id, 2) is True
            await inventory.release(item_id, 3)  # more than is held: refused, unchanged
            await inventory.confirm(item_id, 3)
        await uow.commit()
    assert await _counters(uow_factory, seats.id) == (0, 2)
    assert await _counters(uow_factory, shirt.id) == (0, 2)

    async with uow_factory() as uow:
        await uow.ticket_types.release(seats.id, 2)
        await uow.ticket_types.release(seats.id, 1)
        await uow.products.confirm(shirt.id, 2)
        await uow.products.confirm(shirt.id, 1)
        await uow.commit()
    assert await _counters(uow_factory, seats.id) == (0, 0)
    assert await _counters(uow_factory, shirt.id) == (2, 0)


async def test_updating_a_product_keeps_the_counters_reservations_moved(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """A product edited from a copy loaded before a reservation must not write back the
    stale `reserved`; only conditional updates move it."""
    entity = an_entity(clock, "band")
    shirt = a_product(clock, entity, stock=10)
    await store(uow_factory, entities=[entity], products=[shirt])
    async with uow_factory() as uow:
        stale = await uow.products.get(shirt.id)
    async with uow_factory() as uow:
        assert await uow.products.reserve(shirt.id, 4)
        await uow.commit()
    assert stale is not None
    stale.title = "Tour shirt (black)"
    async with uow_factory() as uow:
        await uow.products.update(stale)
        await uow.commit()
    assert await _counters(uow_factory, shirt.id) == (0, 4)
