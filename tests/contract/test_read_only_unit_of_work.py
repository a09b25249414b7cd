"""A read-only unit of work (`uow_factory(read_only=True)`, what hot reads use so PostgreSQL
skips BEGIN/ROLLBACK) reads what is committed and refuses to commit, on every backend; and
the follower count a follow returns is its own transaction's, never a rolled-back one."""

from __future__ import annotations

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.events.model import Venue
from showgeo_domain.events.ports import EventQuery
from showgeo_domain.notifications.model import NotificationDraft, NotificationKind
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import a_user, an_entity, an_event, state_of, store


async def test_a_read_only_unit_of_work_reads_and_cannot_commit(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    await store(uow_factory, users=[ana], entities=[entity])
    async with uow_factory() as uow:
        await uow.follows.add(ana.id, entity.id, clock.tick())
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        found = await uow.entities.get(entity.id)
        assert found is not None
        assert found.follower_count == 1
        assert await uow.follows.is_following(ana.id, entity.id)
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()


async def test_a_rolled_back_follow_does_not_leave_its_count_behind(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bob = a_user(clock, "ana"), a_user(clock, "bob")
    entity = an_entity(clock, "band")
    await store(uow_factory, users=[ana, bob], entities=[entity])
    async with uow_factory() as uow:
        assert (await uow.follows.add(ana.id, entity.id, clock.tick())).changed
        assert await uow.follows.follower_count(entity.id) == 1
        await uow.rollback()
        assert await uow.follows.follower_count(entity.id) == 0
        assert (await uow.follows.add(bob.id, entity.id, clock.tick())).changed
        await uow.commit()
        assert await uow.follows.follower_count(entity.id) == 1


async def test_read_only_reads_answer_what_transactional_reads_answer(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """On PostgreSQL the read-only path runs hand-written SQL for the hottest reads (an
    entity by id, a radius search, the first page of notifications): it must answer exactly
    what the Core queries answer."""
    ana, entity = a_user(clock, "ana"), an_entity(clock, "band")
    shows = [
        an_event(clock, entity, f"show {i}", venue=Venue(f"hall {i}", 38.7 + i / 100, -9.1, "PT"))
        for i in range(5)
    ]
    far = an_event(clock, entity, "far away", venue=Venue("far", 52.5, 13.4, "DE"))
    await store(uow_factory, users=[ana], entities=[entity], events=[*shows, far])
    async with uow_factory() as uow:
        for i in range(3):
            draft = NotificationDraft(
                NotificationKind.LIVE_NOW, f"live {i}", "body", {"n": str(i)}, entity.id
            )
            await uow.notifications.notify([ana.id], draft, new_id(), clock.tick())
        await uow.commit()

    near = EventQuery(near=GeoPoint(38.7, -9.1), radius_km=50, limit=3)
    answers = []
    for read_only in (False, True):
        async with uow_factory(read_only=read_only) as uow:
            found = await uow.entities.get(entity.id)
            assert found is not None
            hits = await uow.events.search(near)
            inbox = await uow.notifications.list_for_user(ana.id, PageRequest(limit=2))
            answers.append(
                (
                    state_of(found),
                    await uow.entities.get(new_id()),
                    [(state_of(h.event), h.distance_km) for h in hits.items],
                    hits.next_cursor,
                    inbox,
                )
            )
    assert answers[0] == answers[1]
    found_state, missing, hit_states, next_hits, inbox = answers[1]
    assert found_state == state_of(entity)
    assert missing is None
    assert [h["title"] for h, _ in hit_states] == ["show 0", "show 1", "show 2"]
    assert next_hits is not None
    assert [n.title for n in inbox.items] == ["live 2", "live 1"]
    assert inbox.items[0].data == {"n": "2"}
    assert inbox.next_cursor is not None
