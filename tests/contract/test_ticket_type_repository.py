from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import products, ticket_types
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.events.model import TicketType
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from tests.contract.builders import a_product, a_ticket_type, an_entity, an_event, state_of, store
from tests.contract.conftest import Backend


async def test_ticket_types_come_back_field_for_field_oldest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    event, other_event = an_event(clock, entity), an_event(clock, entity)
    opens = datetime(2026, 2, 1, 10, tzinfo=UTC)
    vip = TicketType.create(
        event=event,
        name="VIP",
        price=Money(150_000, "JPY"),
        quota=20,
        sales_start=opens,
        sales_end=opens + timedelta(days=30),
        now=clock.tick(),
    )
    general = a_ticket_type(clock, event, price=Money(2550, "EUR"), quota=500)
    elsewhere = a_ticket_type(clock, other_event)
    await store(
        uow_factory,
        entities=[entity],
        events=[event, other_event],
        ticket_types=[general, elsewhere, vip],
    )

    async with uow_factory() as uow:
        found = await uow.ticket_types.get(vip.id)
        listed = await uow.ticket_types.list_for_event(event.id)
        assert await uow.ticket_types.get(new_id()) is None
        assert await uow.ticket_types.list_for_event(new_id()) == []

    assert found is not None
    assert state_of(found) == state_of(vip)
    assert found.price == Money(150_000, "JPY")
    assert found.sales_start is not None
    assert found.sales_start.tzinfo is not None
    assert (found.sold, found.reserved, found.available) == (0, 0, 20)
    assert [t.id for t in listed] == [vip.id, general.id]  # by creation, not insertion
    assert [state_of(t) for t in listed] == [state_of(vip), state_of(general)]


async def test_the_database_refuses_counters_past_the_quota_or_stock(
    sql_backend: Backend, clock: FakeClock
) -> None:
    """The last line against overselling, whatever a buggy conditional update might try."""
    entity = an_entity(clock, "band")
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event, quota=10)
    shirt = a_product(clock, entity, stock=5)
    await store(
        sql_backend.uow, entities=[entity], events=[event], ticket_types=[seats], products=[shirt]
    )
    assert sql_backend.engine is not None

    allowed = [
        update(ticket_types).values(sold=6, reserved=4),
        update(products).values(sold=5, reserved=0),
    ]
    refused = [
        update(ticket_types).values(sold=7, reserved=4),
        update(ticket_types).values(reserved=-1),
        update(products).values(sold=4, reserved=2),
        update(products).values(sold=-1),
    ]
    async with sql_backend.engine.connect() as connection:
        for statement in allowed:
            await connection.execute(statement)
        for statement in refused:
            with pytest.raises(IntegrityError):
                async with connection.begin_nested():
                    await connection.execute(statement)
        # Unlimited stock has no ceiling.
        await connection.execute(update(products).values(stock=None, sold=10_000))
