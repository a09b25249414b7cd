"""Streams and viewer sessions: the same answers from memory, SQLite and PostgreSQL, including
under repeated and out-of-order session reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_domain.events.model import EventPhase
from showgeo_domain.orders.model import Ticket
from showgeo_domain.streaming.model import AccessLevel, Circle, Geofence, Stream, metrics_of
from tests.contract.builders import (
    a_line,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    state_of,
    store,
)

FENCE = Geofence(
    allowed_countries=frozenset({"PT", "ES"}),
    denied_circles=(Circle(38.7223, -9.1393, 12.5),),
)


@pytest.fixture
async def world(uow_factory, clock: FakeClock):
    fan, entity = a_user(clock, "fan"), an_entity(clock, "band")
    live, later = an_event(clock, entity, "Live"), an_event(clock, entity, "Later")
    live.move_to(EventPhase.LIVE, by=fan.id, now=clock.tick())
    await store(uow_factory, users=[fan], entities=[entity], events=[live, later])
    streams = [
        Stream.configure(
            event_id=e.id,
            entity_id=entity.id,
            access_level=AccessLevel.TICKET_HOLDERS,
            geofence=FENCE,
            now=clock.tick(),
        )
        for e in (live, later)
    ]
    async with uow_factory() as uow:
        for stream in streams:
            await uow.streams.add(stream)
        await uow.commit()
    return fan, entity, live, later, streams


async def test_a_stream_round_trips_and_changes(uow_factory, clock, world, read_outbox):
    _, _, live, _, streams = world
    async with uow_factory() as uow:
        found = await uow.streams.get(live.id, for_update=True)
        assert found is not None
        assert state_of(found) == state_of(streams[0])
        found.change(access_level=AccessLevel.PUBLIC, geofence=Geofence(), now=clock.tick())
        await uow.streams.update(found)
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.streams.get(live.id)
    assert again is not None
    assert again.access_level is AccessLevel.PUBLIC
    assert not again.geofence.is_active
    subjects = [e.subject for e in await read_outbox()]
    assert subjects.count("showgeo.streaming.stream_configured") == 3


async def test_live_lists_only_streams_of_live_events(uow_factory, world):
    _, _, live, _, _ = world
    async with uow_factory() as uow:
        assert [s.event_id for s in await uow.streams.live()] == [live.id]


async def test_ticket_holding_ignores_voided_tickets(uow_factory, clock, world):
    fan, _, live, later, _ = world
    ticket_type = a_ticket_type(clock, live)
    await store(uow_factory, ticket_types=[ticket_type])
    order = an_order(clock, fan, a_line(ticket_type))
    order.mark_paid(payment_ref="pay_1", now=clock.tick())
    async with uow_factory() as uow:
        await uow.orders.add(order)
        await uow.tickets.add_many(Ticket.issue_for(order, clock.tick()))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.streams.holds_valid_ticket(fan.id, live.id)
        assert not await uow.streams.holds_valid_ticket(fan.id, later.id)
        await uow.tickets.void_for_order(order.id, clock.tick())
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.streams.holds_valid_ticket(fan.id, live.id)


async def test_sessions_survive_duplicates_and_disorder(uow_factory, clock, world):
    _, _, live, _, _ = world
    t0 = clock.now()
    async with uow_factory() as uow:
        s = uow.viewer_sessions
        assert await s.joined(live.id, "PA_a", "ana", t0)
        assert not await s.joined(live.id, "PA_a", "ana", t0 + timedelta(seconds=5))  # replay
        # b's leave arrives before its join
        assert await s.left(live.id, "PA_b", "bea", t0 + timedelta(seconds=40))
        assert await s.joined(live.id, "PA_b", "bea", t0 + timedelta(seconds=10))
        assert await s.joined(live.id, "PA_c", "ana", t0 + timedelta(seconds=20))  # ana again
        assert not await s.left(live.id, "PA_b", "bea", t0 + timedelta(seconds=99))
        await uow.commit()
    async with uow_factory() as uow:
        sessions = await uow.viewer_sessions.sessions(live.id)
    figures = metrics_of(sessions, t0 + timedelta(seconds=60))
    # ana 0-60 (open), bea 10-40, ana again 20-60 (open): three at once from 20 to 40
    assert (figures.current_viewers, figures.peak_viewers, figures.unique_viewers) == (2, 3, 2)
    assert figures.watch_seconds == 60 + 30 + 40


async def test_close_open_spares_kept_and_later_sessions(uow_factory, clock, world):
    _, _, live, later, _ = world
    t0 = clock.now()
    async with uow_factory() as uow:
        s = uow.viewer_sessions
        for sid, offset in (("PA_1", 0), ("PA_2", 1), ("PA_3", 2), ("PA_4", 30)):
            await s.joined(live.id, sid, sid.lower(), t0 + timedelta(seconds=offset))
        await s.joined(later.id, "PA_x", "x", t0)
        closed = await s.close_open(
            live.id,
            t0 + timedelta(seconds=20),
            keep=frozenset({"PA_2"}),
            joined_before=t0 + timedelta(seconds=20),
        )
        await uow.commit()
    assert closed == 2
    async with uow_factory() as uow:
        open_now = {
            x.participant_sid for x in await uow.viewer_sessions.sessions(live.id) if x.is_watching
        }
        assert open_now == {"PA_2", "PA_4"}
        assert await uow.viewer_sessions.close_open(later.id, t0, keep=frozenset()) == 1
        closed_stays = await uow.viewer_sessions.sessions(live.id)
    assert metrics_of(closed_stays, t0 + timedelta(seconds=60)).peak_viewers == 3  # 20 s: 1,2,3
