"""ConsumerInbox on every backend: a consumer claims an event once; another consumer claims
the same event independently; a claim that is not committed is forgotten."""

from __future__ import annotations

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.shared.ids import new_id


async def test_a_consumer_claims_an_event_once(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    event_id = new_id()
    async with uow_factory() as uow:
        assert await uow.consumer_inbox.claim("notify", event_id, clock.now())
        assert not await uow.consumer_inbox.claim("notify", event_id, clock.now())
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.consumer_inbox.claim("notify", event_id, clock.tick())
        assert await uow.consumer_inbox.claim("analytics", event_id, clock.now())
        assert await uow.consumer_inbox.claim("notify", new_id(), clock.now())
        await uow.commit()


async def test_an_uncommitted_claim_is_forgotten(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    event_id = new_id()
    async with uow_factory() as uow:
        assert await uow.consumer_inbox.claim("notify", event_id, clock.now())
    async with uow_factory() as uow:
        assert await uow.consumer_inbox.claim("notify", event_id, clock.now())
        await uow.rollback()
    async with uow_factory() as uow:
        assert await uow.consumer_inbox.claim("notify", event_id, clock.now())
        await uow.commit()
