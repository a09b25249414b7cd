from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.events.geo import GeoPoint
from showgeo_domain.events.model import EventPhase, Venue
from showgeo_domain.events.ports import ByDistance, ByStart, EventHit, EventQuery
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import decode_position
from tests.contract.builders import an_entity, an_event, state_of, store

LISBON = Venue("Coliseu dos Recreios", 38.7223, -9.1393, "PT")
PORTO = Venue("Coliseu do Porto", 41.1579, -8.6291, "PT")
MADRID = Venue("WiZink Center", 40.4168, -3.7038, "ES")
# Across the antimeridian from each other, about 16 km apart; Suva is about 200 km west.
SUVA = Venue("Vodafone Arena", -17.7134, 178.065, "FJ")
WEST_OF_180 = Venue("Reef stage", -17.7, 179.95, "FJ")
EAST_OF_180 = Venue("Island stage", -17.7, -179.9, "FJ")


async def _search(uow_factory: PlatformUnitOfWorkFactory, query: EventQuery) -> list[EventHit]:
    """Every page of `query`, following the cursors; checks no hit repeats."""
    hits: list[EventHit] = []
    async with uow_factory() as uow:
        while True:
            page = await uow.events.search(query)
            hits.extend(page.items)
            if page.next_cursor is None:
                break
            assert len(page.items) == query.limit
            after = decode_position(page.next_cursor, ByStart | ByDistance)
            query = EventQuery(**{**_fields(query), "after": after})
    assert len({h.event.id for h in hits}) == len(hits)
    return hits


def _fields(query: EventQuery) -> dict[str, Any]:
    return {f: getattr(query, f) for f in query.__struct_fields__}


async def test_a_stored_event_comes_back_field_for_field(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    lisbon_time = timezone(timedelta(hours=1))
    starts = datetime(2026, 6, 1, 21, 30, 15, 123456, tzinfo=lisbon_time)
    with_venue = an_event(clock, entity, "Live at the Coliseu", starts_at=starts, venue=LISBON)
    with_venue.update(
        now=clock.tick(), description="Doors at 20:00", ends_at=starts + timedelta(hours=2)
    )
    online = an_event(clock, entity, "Online session")
    await store(uow_factory, entities=[entity], events=[with_venue, online])

    async with uow_factory() as uow:
        found = [
            await uow.events.get(with_venue.id),
            await uow.events.get(with_venue.id, for_update=True),
        ]
        found_online = await uow.events.get(online.id)
        assert await uow.events.get(new_id()) is None

    for event in found:
        assert event is not None
        assert state_of(event) == state_of(with_venue)
        assert event.venue == LISBON
        assert event.starts_at.tzinfo is not None
        assert event.phase is EventPhase.PRE_LIVE
        assert event.pending_events == []
    assert found_online is not None
    assert found_online.venue is None
    assert state_of(found_online) == state_of(online)


async def test_update_persists_phase_title_and_venue(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    event = an_event(clock, entity, venue=LISBON)
    await store(uow_factory, entities=[entity], events=[event])

    async with uow_factory() as uow:
        loaded = await uow.events.get(event.id, for_update=True)
        assert loaded is not None
        loaded.update(now=clock.tick(), title="Moved to Porto", venue=PORTO)
        loaded.move_to(EventPhase.LIVE, by=new_id(), now=clock.tick())
        await uow.events.update(loaded)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.events.get(event.id)
        assert found is not None
        assert state_of(found) == state_of(loaded)
        assert (found.title, found.venue, found.phase) == ("Moved to Porto", PORTO, EventPhase.LIVE)
        assert found.phase_changed_at == loaded.phase_changed_at

        found.update(now=clock.tick(), clear_venue=True)
        await uow.events.update(found)
        await uow.commit()
        cleared = await uow.events.get(event.id)
        assert cleared is not None
        assert cleared.venue is None


async def test_filters_combine_with_and(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    band, choir = an_entity(clock, "band"), an_entity(clock, "choir")
    day = datetime(2026, 3, 1, tzinfo=UTC)
    early = an_event(clock, band, "early", starts_at=day)
    on_the_hour = an_event(clock, band, "on the hour", starts_at=day + timedelta(hours=1))
    late = an_event(clock, band, "late", starts_at=day + timedelta(hours=2))
    other = an_event(clock, choir, "other", starts_at=day + timedelta(hours=1))
    late.move_to(EventPhase.CANCELLED, by=new_id(), now=clock.tick())
    await store(uow_factory, entities=[band, choir], events=[early, on_the_hour, late, other])

    async def titles(**filters: Any) -> list[str]:
        return [h.event.title for h in await _search(uow_factory, EventQuery(**filters))]

    everything = sorted([early, on_the_hour, late, other], key=lambda e: (e.starts_at, e.id))
    assert await titles() == [e.title for e in everything]
    assert await titles(entity_id=band.id) == ["early", "on the hour", "late"]
    assert await titles(phase=EventPhase.CANCELLED) == ["late"]
    # `starts_from` is inclusive, `starts_to` exclusive.
    window = {"starts_from": day + timedelta(hours=1), "starts_to": day + timedelta(hours=2)}
    assert sorted(await titles(**window)) == ["on the hour", "other"]
    assert await titles(entity_id=band.id, **window) == ["on the hour"]
    assert await titles(entity_id=choir.id, phase=EventPhase.CANCELLED) == []


async def test_pages_by_start_walk_every_event_once_in_order(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    day = datetime(2026, 5, 1, 20, tzinfo=UTC)
    # Shared start times make the id the tie-breaker across page boundaries.
    starts = [day + timedelta(days=i // 3) for i in range(8)]
    events = [an_event(clock, entity, f"night {i}", starts_at=s) for i, s in enumerate(starts)]
    await store(uow_factory, entities=[entity], events=events)

    hits = await _search(uow_factory, EventQuery(limit=3))

    assert [h.event.id for h in hits] == [
        e.id for e in sorted(events, key=lambda e: (e.starts_at, e.id))
    ]
    assert all(h.distance_km is None for h in hits)


async def test_near_finds_venues_within_the_radius_nearest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    venues = {"lisbon": LISBON, "porto": PORTO, "madrid": MADRID, "suva": SUVA, "online": None}
    events = {name: an_event(clock, entity, name, venue=v) for name, v in venues.items()}
    await store(uow_factory, entities=[entity], events=list(events.values()))
    lisbon = GeoPoint(LISBON.lat, LISBON.lon)

    async def near(radius_km: float, limit: int = 20) -> list[tuple[str, float]]:
        query = EventQuery(near=lisbon, radius_km=radius_km, limit=limit)
        return [(h.event.title, h.distance_km or 0.0) for h in await _search(uow_factory, query)]

    assert [t for t, _ in await near(1)] == ["lisbon"]
    assert [t for t, _ in await near(270)] == ["lisbon"]
    in_600 = await near(600, limit=1)  # one per page: every step follows a ByDistance cursor
    assert [t for t, _ in in_600] == ["lisbon", "porto", "madrid"]
    for (_, found), expected in zip(in_600, [0.0, 274.3, 502.4], strict=True):
        assert found == pytest.approx(expected, abs=1.0)
    assert [t for t, _ in await near(20_000, limit=2)] == ["lisbon", "porto", "madrid", "suva"]


async def test_near_reaches_across_the_antimeridian(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity = an_entity(clock, "band")
    venues = [SUVA, WEST_OF_180, EAST_OF_180, LISBON]
    events = [an_event(clock, entity, v.name, venue=v) for v in venues]
    await store(uow_factory, entities=[entity], events=events)

    async def near(venue: Venue, radius_km: float) -> list[tuple[str, float]]:
        query = EventQuery(near=venue.point, radius_km=radius_km, limit=2)
        return [(h.event.title, h.distance_km or 0.0) for h in await _search(uow_factory, query)]

    from_east = await near(EAST_OF_180, 30)
    assert [t for t, _ in from_east] == ["Island stage", "Reef stage"]
    assert from_east[1][1] == pytest.approx(15.9, abs=1.0)

    from_suva = await near(SUVA, 250)
    assert [t for t, _ in from_suva] == ["Vodafone Arena", "Reef stage", "Island stage"]
    assert [d for _, d in from_suva] == pytest.approx([0.0, 199.7, 215.6], abs=1.0)


async def test_near_applies_the_other_filters_too(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    band, choir = an_entity(clock, "band"), an_entity(clock, "choir")
    live = an_event(clock, band, "live", venue=PORTO)
    live.move_to(EventPhase.LIVE, by=new_id(), now=clock.tick())
    waiting = an_event(clock, band, "waiting", venue=LISBON)
    elsewhere = an_event(clock, choir, "elsewhere", venue=LISBON)
    await store(uow_factory, entities=[band, choir], events=[live, waiting, elsewhere])

    query = EventQuery(near=LISBON.point, radius_km=300, entity_id=band.id, phase=EventPhase.LIVE)
    hits = await _search(uow_factory, query)

    assert [h.event.title for h in hits] == ["live"]


async def test_a_cursor_of_the_other_ordering_is_refused(
    uow_factory: PlatformUnitOfWorkFactory,
) -> None:
    by_start = ByStart(datetime(2026, 1, 1, tzinfo=UTC), new_id())
    async with uow_factory() as uow:
        with pytest.raises(InvalidInput):
            await uow.events.search(EventQuery(near=LISBON.point, radius_km=10, after=by_start))
        with pytest.raises(InvalidInput):
            await uow.events.search(EventQuery(after=ByDistance(1.0, new_id())))
