from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.follow.domain_events import EntityFollowed
from tests.contract.builders import a_user, an_entity
from tests.contract.conftest import OutboxEntry

ReadOutbox = Callable[[], Awaitable[list[OutboxEntry]]]


class Boom(Exception):
    pass


async def test_commit_stores_changes_and_their_events_in_order(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    followed = EntityFollowed(occurred_at=clock.tick(), entity_id=entity.id, user_id=user.id)

    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.entities.add(entity)
        await uow.follows.add(user.id, entity.id, followed.occurred_at)
        uow.record(followed)
        await uow.commit()

    entries = await read_outbox()
    assert [e.subject for e in entries] == [
        "showgeo.identity.user_registered",
        "showgeo.entities.entity_created",
        "showgeo.follow.entity_followed",
    ]
    assert len({e.event_id for e in entries}) == 3
    assert entries[0].payload["user_id"] == str(user.id)
    assert entries[0].payload["username"] == "ana"
    assert entries[1].payload["slug"] == "band"
    assert entries[2].event_id == followed.id
    assert entries[2].payload["id"] == str(followed.id)


async def test_events_of_later_changes_are_added_once(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()
        user.update_profile(now=clock.tick(), bio="hi")
        await uow.users.update(user)
        await uow.commit()
        await uow.commit()  # nothing new: nothing written

    assert [e.subject for e in await read_outbox()] == [
        "showgeo.identity.user_registered",
        "showgeo.identity.user_profile_updated",
    ]


async def test_a_loaded_aggregate_carries_no_old_events(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    """What the store hands back is state only: saving it must not re-send earlier events."""
    user, entity = a_user(clock, "ana"), an_entity(clock, "band")
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.entities.add(entity)
        await uow.commit()

    async with uow_factory() as uow:
        loaded_user = await uow.users.get(user.id)
        loaded_entity = await uow.entities.get(entity.id)
        assert loaded_user is not None
        assert loaded_entity is not None
        assert loaded_user.pending_events == loaded_entity.pending_events == []
        loaded_user.update_profile(now=clock.tick(), bio="hi")
        await uow.users.update(loaded_user)
        await uow.entities.update(loaded_entity)  # no change, no event
        await uow.commit()

    assert [e.subject for e in await read_outbox()] == [
        "showgeo.identity.user_registered",
        "showgeo.entities.entity_created",
        "showgeo.identity.user_profile_updated",
    ]


async def test_tracked_aggregates_report_events_at_commit(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    """An event raised after `add` still goes out: the unit asks the aggregate at commit."""
    user = a_user(clock, "ana")
    async with uow_factory() as uow:
        await uow.users.add(user)
        user.update_profile(now=clock.tick(), display_name="Ana")
        await uow.users.update(user)
        await uow.commit()

    assert len(await read_outbox()) == 2


async def test_leaving_without_commit_discards_changes_and_events(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")
    async with uow_factory() as uow:
        await uow.users.add(user)
        uow.record(EntityFollowed(occurred_at=clock.tick(), entity_id=user.id, user_id=user.id))

    async with uow_factory() as uow:
        assert await uow.users.get(user.id) is None
    assert await read_outbox() == []
    assert user.pending_events == []


async def test_an_exception_discards_changes_and_events(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    user = a_user(clock, "ana")

    async def fail_midway() -> None:
        async with uow_factory() as uow:
            await uow.users.add(user)
            raise Boom

    with pytest.raises(Boom):
        await fail_midway()

    async with uow_factory() as uow:
        assert await uow.users.get_by_username("ana") is None
    assert await read_outbox() == []


async def test_rollback_discards_and_the_unit_stays_usable(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    dropped, kept = a_user(clock, "dropped"), a_user(clock, "kept")
    async with uow_factory() as uow:
        await uow.users.add(dropped)
        await uow.rollback()
        assert await uow.users.get(dropped.id) is None
        await uow.users.add(kept)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.users.get(dropped.id) is None
        assert await uow.users.get(kept.id) is not None
    entries = await read_outbox()
    assert [e.payload["username"] for e in entries] == ["kept"]


async def test_committed_work_survives_a_later_failure_in_the_same_unit(
    uow_factory: PlatformUnitOfWorkFactory, read_outbox: ReadOutbox, clock: FakeClock
) -> None:
    first, second = a_user(clock, "first"), a_user(clock, "second")

    async def fail_after_commit() -> None:
        async with uow_factory() as uow:
            await uow.users.add(first)
            await uow.commit()
            await uow.users.add(second)
            raise Boom

    with pytest.raises(Boom):
        await fail_after_commit()

    async with uow_factory() as uow:
        assert await uow.users.get(first.id) is not None
        assert await uow.users.get(second.id) is None
    assert [e.payload["username"] for e in await read_outbox()] == ["first"]
