"""WebhookInbox on every backend: a delivery is stored once, a replay is reported, marking
processed sticks, and an uncommitted record leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.sqlalchemy.tables import webhook_events
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from tests.contract.conftest import Backend


async def _processed_at(backend: Backend, provider: str, event_ref: str) -> object:
    if backend.store is not None:
        return backend.store.state.webhook_events[(provider, event_ref)].processed_at
    assert backend.engine is not None
    async with backend.engine.connect() as connection:
        row = (
            await connection.execute(
                select(webhook_events.c.processed_at, webhook_events.c.payload).where(
                    webhook_events.c.provider == provider,
                    webhook_events.c.event_ref == event_ref,
                )
            )
        ).one()
        assert row.payload == b'{"id": "evt_1"}'
        return row.processed_at


async def test_a_delivery_is_recorded_once(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    async with uow_factory() as uow:
        assert await uow.webhook_inbox.record("localpay", "evt_1", b'{"id": "evt_1"}', clock.now())
        await uow.commit()
    async with uow_factory() as uow:
        # Stored but never processed (a crash mid-way): a retry must be acted on again.
        assert await uow.webhook_inbox.record("localpay", "evt_1", b"other", clock.now())
        await uow.webhook_inbox.mark_processed("localpay", "evt_1", clock.now())
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.webhook_inbox.record("localpay", "evt_1", b"again", clock.now())
        # The same id from another provider is another event.
        assert await uow.webhook_inbox.record("stripe", "evt_1", b"{}", clock.now())
        await uow.commit()


async def test_mark_processed_is_kept(
    backend: Backend, uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    async with uow_factory() as uow:
        await uow.webhook_inbox.record("localpay", "evt_1", b'{"id": "evt_1"}', clock.now())
        await uow.commit()
    assert await _processed_at(backend, "localpay", "evt_1") is None
    done = clock.now() + timedelta(seconds=1)
    async with uow_factory() as uow:
        await uow.webhook_inbox.mark_processed("localpay", "evt_1", done)
        await uow.commit()
    assert await _processed_at(backend, "localpay", "evt_1") == done
    async with uow_factory() as uow:  # the first processing time stays
        await uow.webhook_inbox.mark_processed("localpay", "evt_1", done + timedelta(hours=1))
        await uow.commit()
    assert await _processed_at(backend, "localpay", "evt_1") == done


async def test_a_rolled_back_record_is_forgotten(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    async with uow_factory() as uow:
        assert await uow.webhook_inbox.record("localpay", "evt_1", b"{}", clock.now())
    async with uow_factory() as uow:
        assert await uow.webhook_inbox.record("localpay", "evt_1", b"{}", clock.now())
