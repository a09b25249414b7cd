"""The rest of the analytics port on every backend: counters that carry forward between
recomputes, one active recompute job at a time, neighbour sets, the popular list, upcoming
events, and a whole recompute whose recommendations make sense."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.analytics.jobs import JobStatus, JobTrigger, RecomputeJob
from showgeo_domain.analytics.recompute import Recompute
from showgeo_domain.analytics.services import Analytics
from showgeo_domain.analytics.summaries import PLATFORM_ID, Metric, Scope, series
from showgeo_domain.entities.model import Entity
from showgeo_domain.events.model import EventPhase
from showgeo_domain.identity.model import Actor, User
from tests.contract.builders import a_user, an_entity, an_event, store

D1, D2, D3, D4 = (date(2026, 1, d) for d in (1, 2, 3, 4))
SUBJECT = UUID(int=7)


async def _value_on(uow_factory: PlatformUnitOfWorkFactory, day: date) -> float:
    async with uow_factory() as uow:
        rows, recomputed = await uow.analytics.metric_rows(Scope.ENTITY, SUBJECT, day, day)
    return series(rows, recomputed, day, day)[0].values.get("followers", 0.0)


async def test_increments_carry_forward_until_a_recompute_resets(
    uow_factory: PlatformUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.analytics.write_metrics(Scope.ENTITY, D1, [(SUBJECT, "followers", 10.0)])
        await uow.analytics.mark_recomputed(D1, 1)
        await uow.analytics.increment(Scope.ENTITY, SUBJECT, "followers", 1, D2)
        await uow.analytics.increment(Scope.ENTITY, SUBJECT, "followers", 1, D2)
        await uow.commit()
    assert await _value_on(uow_factory, D1) == 10
    assert await _value_on(uow_factory, D2) == 12
    assert await _value_on(uow_factory, D3) == 12  # nothing happened: the value holds

    async with uow_factory() as uow:  # D3's recompute found no followers at all
        await uow.analytics.mark_recomputed(D3, 2)
        await uow.commit()
    assert await _value_on(uow_factory, D3) == 0
    async with uow_factory() as uow:
        await uow.analytics.increment(Scope.ENTITY, SUBJECT, "followers", 1, D4)
        await uow.commit()
    assert await _value_on(uow_factory, D4) == 1  # from the recompute's 0, not D2's 12
    assert await _value_on(uow_factory, D2) == 12  # history is kept


async def test_one_recompute_job_is_active_at_a_time(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    first = RecomputeJob.queue(JobTrigger.API, None, clock.tick())
    second = RecomputeJob.queue(JobTrigger.CLI, None, clock.tick())
    async with uow_factory() as uow:
        assert (await uow.analytics.add_job(first)).id == first.id
        assert (await uow.analytics.add_job(second)).id == first.id
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.analytics.get_job(second.id) is None
        running = await uow.analytics.active_job()
        assert running is not None
        assert running.id == first.id
        running.start(clock.tick())
        running.advance("halfway", 0.5, clock.tick())
        running.succeed(clock.tick())
        await uow.analytics.save_job(running)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.analytics.active_job() is None
        done = await uow.analytics.get_job(first.id)
        assert done is not None
        assert done.status is JobStatus.SUCCEEDED
        assert done.progress == 1.0
        assert (await uow.analytics.add_job(second)).id == second.id
        await uow.commit()


async def test_neighbour_sets_switch_at_mark_and_old_ones_go(
    uow_factory: PlatformUnitOfWorkFactory,
) -> None:
    a, b, c = UUID(int=1), UUID(int=2), UUID(int=3)
    async with uow_factory() as uow:
        await uow.analytics.add_neighbours(1, [(a, b, 0.5), (c, b, 0.25)])
        await uow.analytics.mark_recomputed(D1, 1)
        await uow.analytics.add_neighbours(2, [(a, c, 0.9)])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.analytics.neighbours_generation() == 1
        assert await uow.analytics.neighbour_vectors([b]) == {a: {b: 0.5}, c: {b: 0.25}}
        await uow.analytics.clear_neighbours(2)  # what a recompute that died left behind
        await uow.analytics.add_neighbours(2, [(a, c, 0.8)])
        await uow.analytics.mark_recomputed(D2, 2)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.analytics.neighbours_generation() == 2
        assert await uow.analytics.neighbour_vectors([b]) == {}
        assert await uow.analytics.neighbour_vectors([c]) == {a: {c: 0.8}}


async def test_upcoming_events_of_entities_soonest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    band, other = an_entity(clock, "band"), an_entity(clock, "other")
    now = clock.now()
    later = an_event(clock, band, "Later", starts_at=now + timedelta(days=9))
    soon = an_event(clock, band, "Soon", starts_at=now + timedelta(days=1))
    past = an_event(clock, band, "Past", starts_at=now - timedelta(days=1))
    cancelled = an_event(clock, band, "Off", starts_at=now + timedelta(days=2))
    cancelled.move_to(EventPhase.CANCELLED, by=band.id, now=clock.tick())
    elsewhere = an_event(clock, other, "Elsewhere", starts_at=now + timedelta(days=1))
    await store(
        uow_factory,
        entities=[band, other],
        events=[later, soon, past, cancelled, elsewhere],
    )
    async with uow_factory() as uow:
        found = await uow.analytics.upcoming_events([band.id], now, 10)
    assert [e.title for e in found] == ["Soon", "Later"]


async def _follow(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, pairs: list[tuple[User, Entity]]
) -> None:
    async with uow_factory() as uow:
        for user, entity in pairs:
            await uow.follows.add(user.id, entity.id, clock.tick())
        await uow.commit()


async def test_a_recompute_recommends_what_people_with_similar_follows_follow(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    """Jazz fans follow jazz clubs; a new jazz fan gets the jazz club they miss, not rock,
    and never one they follow. Someone with no history gets the popular list."""
    people = [a_user(clock, n) for n in ("ana", "bea", "cid", "dan", "eve", "fay", "gus", "new")]
    ana, bea, cid, dan, eve, fay, gus, newcomer = people
    jazz1, jazz2, jazz3 = (an_entity(clock, f"jazz-{i}") for i in (1, 2, 3))
    rock1, rock2 = an_entity(clock, "rock-1"), an_entity(clock, "rock-2")
    await store(uow_factory, users=people, entities=[jazz1, jazz2, jazz3, rock1, rock2])
    await _follow(
        uow_factory,
        clock,
        [
            (ana, jazz1), (ana, jazz2), (ana, jazz3),
            (bea, jazz1), (bea, jazz2), (bea, jazz3),
            (cid, rock1), (cid, rock2), (dan, rock1), (dan, rock2), (fay, rock1), (gus, rock1),
            (eve, jazz1), (eve, jazz2),
        ],
    )  # fmt: skip
    recompute = Recompute(uow_factory, clock, user_chunk=2, entity_chunk=2, write_chunk=3)
    job, created = await recompute.run_now(JobTrigger.CLI)
    assert created
    assert job.status is JobStatus.SUCCEEDED
    assert job.progress == 1.0
    analytics = Analytics(uow_factory, clock, recompute)

    picks = await analytics.recommended_entities(Actor(eve.id), limit=3)
    assert picks[0].entity.id == jazz3.id
    assert picks[0].reason == "similar"
    assert 0 < picks[0].score <= 1
    assert not {p.entity.id for p in picks} & {jazz1.id, jazz2.id}

    fresh = await analytics.recommended_entities(Actor(newcomer.id), limit=2)
    assert [p.reason for p in fresh] == ["popular", "popular"]
    assert fresh[0].entity.id == rock1.id  # most followed: the top normalised score
    assert fresh[0].score == pytest.approx(0.3)  # leads on followers (weight 0.3 of 1.0)

    async with uow_factory() as uow:
        rows, recomputed = await uow.analytics.metric_rows(
            Scope.PLATFORM, PLATFORM_ID, clock.now().date(), clock.now().date()
        )
    today = series(rows, recomputed, clock.now().date(), clock.now().date())[0]
    assert today.count(Metric.FOLLOWS) == 14
    assert recomputed == [clock.now().date()]


async def test_a_second_request_while_one_runs_gets_the_running_job(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    recompute = Recompute(uow_factory, clock)
    first, created = await recompute.request(JobTrigger.API)
    again, created_again = await recompute.request(JobTrigger.API)
    assert created
    assert not created_again
    assert again.id == first.id
    clock.advance(timedelta(minutes=11))  # its process died: no heartbeat for too long
    third, created_third = await recompute.request(JobTrigger.API)
    assert created_third
    assert third.id != first.id
    async with uow_factory() as uow:
        abandoned = await uow.analytics.get_job(first.id)
    assert abandoned is not None
    assert abandoned.status is JobStatus.FAILED
