"""Event use cases on the memory adapters: who may run an event, what reaches the outbox, and
how events are found (filters, soonest first, nearest first, cursors)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.entities.errors import EntityNotFound, EntityPermissionDenied
from showgeo_domain.events.domain_events import (
    EventCreated,
    EventPhaseChanged,
    EventUpdated,
    EventWentLive,
    TicketTypeCreated,
)
from showgeo_domain.events.errors import (
    EventNotEditable,
    EventNotFound,
    EventPhaseTransitionNotAllowed,
)
from showgeo_domain.events.geo import GeoPoint, distance_km
from showgeo_domain.events.model import EventPhase, Venue
from showgeo_domain.events.ports import ByDistance, ByStart, EventPosition, EventQuery
from showgeo_domain.events.services import EventChanges, EventDetails, Events, TicketTypeDetails
from showgeo_domain.shared.errors import InvalidInput, PermissionDenied
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import decode_position
from tests.domain.conftest import events_of

LISBON = Venue("Coliseu dos Recreios", 38.7146, -9.1402, "PT")
PORTO = Venue("Coliseu do Porto", 41.1466, -8.6059, "PT")
MADRID = Venue("WiZink Center", 40.4241, -3.6717, "ES")
SUVA = Venue("Vodafone Arena", -18.1416, 178.4419, "FJ")
TAVEUNI = Venue("Waiyevo", -16.79, -179.99, "FJ")  # across the date line from Suva's side

EVENT_MANAGERS = ["olga", "adam", "cora"]
OUTSIDERS = ["sam", "fay", "root"]  # stranger, follower, platform admin (moderation only)
STORE_MANAGERS = ["olga", "adam"]


def details(clock: FakeClock, title: str = "Night Shift Live", **kwargs) -> EventDetails:
    kwargs.setdefault("starts_at", clock.now() + timedelta(days=30))
    return EventDetails(title=title, **kwargs)


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock):
    """A PRE_LIVE event of the crew's entity, created by its owner."""
    clock.tick()
    return await events.create(crew["olga"].actor, crew_entity.id, details(clock, venue=LISBON))


def ticket(name: str = "General", quota: int = 100) -> TicketTypeDetails:
    return TicketTypeDetails(name=name, price=Money(2500, "EUR"), quota=quota)


# --- creating and editing ------------------------------------------------------------------


async def test_create_stores_the_event_and_puts_one_event_created_in_the_outbox(
    events: Events, store: MemoryStore, crew, crew_entity, clock
):
    event = await events.create(
        crew["olga"].actor,
        "night-shift",  # a slug works as well as an id
        details(clock, description="  doors at 8  ", venue=LISBON),
    )
    assert event.entity_id == crew_entity.id
    assert (event.phase, event.description, event.venue) == (
        EventPhase.PRE_LIVE,
        "doors at 8",
        LISBON,
    )
    stored = await events.get(event.id)
    assert (stored.id, stored.title, stored.venue) == (event.id, "Night Shift Live", LISBON)
    (created,) = events_of(store, EventCreated)
    assert (created.event_id, created.entity_id, created.starts_at) == (
        event.id,
        crew_entity.id,
        event.starts_at,
    )
    assert store.state.events[event.id].pending_events == []


@pytest.mark.parametrize("who", EVENT_MANAGERS)
async def test_owners_admins_and_collaborators_create_edit_and_move_events(
    events: Events, store: MemoryStore, crew, crew_entity, clock, who
):
    actor = crew[who].actor
    event = await events.create(actor, crew_entity.id, details(clock))
    clock.tick()
    edited = await events.update(actor, event.id, EventChanges(title="Renamed", venue=PORTO))
    assert (edited.title, edited.venue) == ("Renamed", PORTO)
    clock.tick()
    moved = await events.move(actor, event.id, EventPhase.LIVE)
    assert moved.phase is EventPhase.LIVE
    assert store.state.events[event.id].phase is EventPhase.LIVE
    (changed,) = events_of(store, EventPhaseChanged)
    assert changed.changed_by == crew[who].id


@pytest.mark.parametrize("who", OUTSIDERS)
async def test_outsiders_cannot_create_edit_or_move_events(
    events: Events, store: MemoryStore, crew, crew_entity, show, clock, who
):
    actor = crew[who].actor
    outbox, stored = len(store.outbox), dict(store.state.events)
    with pytest.raises(EntityPermissionDenied) as caught:
        await events.create(actor, crew_entity.id, details(clock))
    assert isinstance(caught.value, PermissionDenied)
    assert caught.value.extra == {"permission": "MANAGE_EVENTS"}
    with pytest.raises(EntityPermissionDenied):
        await events.update(actor, show.id, EventChanges(title="Mine now"))
    for phase in EventPhase:
        with pytest.raises(EntityPermissionDenied):
            await events.move(actor, show.id, phase)
    assert len(store.outbox) == outbox
    assert store.state.events.keys() == stored.keys()
    assert store.state.events[show.id].title == "Night Shift Live"
    assert store.state.events[show.id].phase is EventPhase.PRE_LIVE


async def test_update_records_the_changed_fields(
    events: Events, store: MemoryStore, crew, show, clock
):
    clock.tick()
    later = show.starts_at + timedelta(days=1)
    await events.update(
        crew["cora"].actor,
        show.id,
        EventChanges(starts_at=later, ends_at=later + timedelta(hours=3), clear_venue=True),
    )
    (updated,) = events_of(store, EventUpdated)
    assert updated.fields == ["starts_at", "ends_at", "venue"]
    stored = store.state.events[show.id]
    assert (stored.starts_at, stored.venue, stored.updated_at) == (later, None, clock.now())


async def test_description_is_set_and_cleared_and_an_empty_edit_records_nothing(
    events: Events, store: MemoryStore, crew, show, clock
):
    olga = crew["olga"].actor
    clock.tick()
    await events.update(olga, show.id, EventChanges(description="  doors at 8 "))
    assert store.state.events[show.id].description == "doors at 8"
    clock.tick()
    await events.update(olga, show.id, EventChanges(clear_description=True))
    assert store.state.events[show.id].description is None
    assert [e.fields for e in events_of(store, EventUpdated)] == [["description"], ["description"]]
    edited_at, outbox = store.state.events[show.id].updated_at, len(store.outbox)
    clock.tick()
    await events.update(olga, show.id, EventChanges())
    assert store.state.events[show.id].updated_at == edited_at
    assert len(store.outbox) == outbox


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda show: EventChanges(title="  "), "title"),
        (lambda show: EventChanges(title="ok", description="x" * 5001), "description"),
        (
            lambda show: EventChanges(title="ok", ends_at=show.starts_at - timedelta(hours=1)),
            "ends_at",
        ),
        (
            lambda show: EventChanges(title="ok", starts_at=show.starts_at.replace(tzinfo=None)),
            "starts_at",
        ),
    ],
    ids=["blank-title", "long-description", "end-before-start", "naive-start"],
)
async def test_a_refused_edit_changes_nothing_stored(
    events: Events, store: MemoryStore, crew, show, make, field
):
    changes = make(show)
    outbox = len(store.outbox)
    with pytest.raises(InvalidInput) as caught:
        await events.update(crew["olga"].actor, show.id, changes)
    assert caught.value.field == field
    assert store.state.events[show.id].title == "Night Shift Live"
    assert store.state.events[show.id].ends_at is None
    assert len(store.outbox) == outbox


async def test_naive_times_are_refused(events: Events, crew, crew_entity, clock):
    naive = clock.now().replace(tzinfo=None) + timedelta(days=3)
    with pytest.raises(InvalidInput) as caught:
        await events.create(crew["olga"].actor, crew_entity.id, details(clock, starts_at=naive))
    assert caught.value.field == "starts_at"


async def test_a_naive_end_is_reported_on_ends_at(events: Events, crew, show):
    naive_end = (show.starts_at + timedelta(hours=2)).replace(tzinfo=None)
    with pytest.raises(InvalidInput) as caught:
        await events.update(crew["olga"].actor, show.id, EventChanges(ends_at=naive_end))
    assert caught.value.field == "ends_at"


async def test_unknown_events_and_entities_are_not_found(events: Events, crew, clock):
    olga, missing = crew["olga"].actor, new_id()
    with pytest.raises(EventNotFound):
        await events.get(missing)
    with pytest.raises(EventNotFound):
        await events.update(olga, missing, EventChanges(title="x"))
    with pytest.raises(EventNotFound):
        await events.move(olga, missing, EventPhase.LIVE)
    with pytest.raises(EventNotFound):
        await events.add_ticket_type(olga, missing, ticket())
    with pytest.raises(EventNotFound):
        await events.ticket_types(missing)
    with pytest.raises(EntityNotFound):
        await events.create(olga, "no-such-entity", details(clock))


# --- phases through the service --------------------------------------------------------------


async def test_the_whole_life_of_an_event_reaches_the_outbox_once(
    events: Events, store: MemoryStore, crew, crew_entity, show, clock
):
    clock.tick()
    await events.move(crew["cora"].actor, show.id, EventPhase.LIVE)
    clock.tick()
    await events.move(crew["adam"].actor, show.id, EventPhase.POST_LIVE)
    clock.tick()
    await events.create(crew["olga"].actor, crew_entity.id, details(clock, "Another night"))

    ours = [e for e in store.outbox if getattr(e, "event_id", None) == show.id]
    assert [type(e).__name__ for e in ours] == [
        "EventCreated",
        "EventPhaseChanged",
        "EventWentLive",
        "EventPhaseChanged",
    ]
    assert [(e.from_phase, e.to_phase) for e in ours if isinstance(e, EventPhaseChanged)] == [
        ("PRE_LIVE", "LIVE"),
        ("LIVE", "POST_LIVE"),
    ]
    (live,) = events_of(store, EventWentLive)
    assert (live.event_id, live.entity_id, live.title) == (show.id, crew_entity.id, show.title)
    assert len({e.id for e in store.outbox}) == len(store.outbox)  # bus ids never repeat
    stored = store.state.events[show.id]
    assert (stored.phase, stored.phase_changed_at) == (EventPhase.POST_LIVE, stored.updated_at)


async def test_an_illegal_move_changes_nothing(events: Events, store: MemoryStore, crew, show):
    await events.move(crew["olga"].actor, show.id, EventPhase.CANCELLED)
    outbox, before = len(store.outbox), store.state.events[show.id].updated_at
    with pytest.raises(EventPhaseTransitionNotAllowed) as caught:
        await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    assert caught.value.extra == {"current_phase": "CANCELLED", "requested_phase": "LIVE"}
    assert store.state.events[show.id].phase is EventPhase.CANCELLED
    assert store.state.events[show.id].updated_at == before
    assert len(store.outbox) == outbox
    assert not events_of(store, EventWentLive)


@pytest.mark.parametrize("path", [[EventPhase.CANCELLED], [EventPhase.LIVE, EventPhase.POST_LIVE]])
async def test_finished_and_cancelled_events_are_not_editable(
    events: Events, store: MemoryStore, crew, show, path
):
    for phase in path:
        await events.move(crew["olga"].actor, show.id, phase)
    outbox = len(store.outbox)
    with pytest.raises(EventNotEditable):
        await events.update(crew["olga"].actor, show.id, EventChanges(title="Again"))
    with pytest.raises(EventNotEditable):
        await events.add_ticket_type(crew["olga"].actor, show.id, ticket())
    assert len(store.outbox) == outbox
    assert store.state.ticket_types == {}


# --- ticket types ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", STORE_MANAGERS)
async def test_owners_and_admins_add_ticket_types(
    events: Events, store: MemoryStore, crew, show, clock, who
):
    first = await events.add_ticket_type(crew[who].actor, show.id, ticket("Early bird", 50))
    clock.tick()
    second = await events.add_ticket_type(crew[who].actor, show.id, ticket("General", 500))
    listed = (await events.ticket_types(show.id)).items
    assert [t.id for t in listed] == [first.id, second.id]  # oldest first
    assert [(t.name, t.quota, t.available) for t in listed] == [
        ("Early bird", 50, 50),
        ("General", 500, 500),
    ]
    created = events_of(store, TicketTypeCreated)
    assert [c.ticket_type_id for c in created] == [first.id, second.id]
    assert {(c.event_id, c.entity_id) for c in created} == {(show.id, show.entity_id)}


@pytest.mark.parametrize("who", ["cora", *OUTSIDERS])
async def test_collaborators_and_outsiders_cannot_add_ticket_types(
    events: Events, store: MemoryStore, crew, show, who
):
    outbox = len(store.outbox)
    with pytest.raises(EntityPermissionDenied) as caught:
        await events.add_ticket_type(crew[who].actor, show.id, ticket())
    assert caught.value.extra == {"permission": "MANAGE_STORE"}
    assert store.state.ticket_types == {}
    assert len(store.outbox) == outbox


async def test_ticket_types_are_listed_per_event(events: Events, crew, crew_entity, show, clock):
    other = await events.create(crew["olga"].actor, crew_entity.id, details(clock, "Other"))
    await events.add_ticket_type(crew["olga"].actor, other.id, ticket("Other's"))
    assert (await events.ticket_types(show.id)).items == []
    assert [t.name for t in (await events.ticket_types(other.id)).items] == ["Other's"]


async def test_a_live_event_still_takes_ticket_types(events: Events, crew, show):
    await events.move(crew["cora"].actor, show.id, EventPhase.LIVE)
    added = await events.add_ticket_type(crew["adam"].actor, show.id, ticket("Door"))
    assert added.event_id == show.id


async def test_invalid_ticket_types_store_nothing(events: Events, store: MemoryStore, crew, show):
    with pytest.raises(InvalidInput) as caught:
        await events.add_ticket_type(crew["olga"].actor, show.id, ticket(quota=0))
    assert caught.value.field == "quota"
    assert store.state.ticket_types == {}


# --- search --------------------------------------------------------------------------------


@pytest.fixture
async def season(events: Events, team, crew, crew_entity, clock):
    """Five events of night-shift a day apart, and two of another entity."""
    olga = crew["olga"].actor
    other = await team(crew["sam"], slug="day-shift")
    made = {}
    for day, (name, venue) in enumerate(
        [("lisbon", LISBON), ("porto", PORTO), ("madrid", MADRID), ("online", None), ("suva", SUVA)]
    ):
        clock.tick()
        made[name] = await events.create(
            olga,
            crew_entity.id,
            EventDetails(title=name, starts_at=clock.now() + timedelta(days=10 + day), venue=venue),
        )
    for day, (name, venue) in enumerate([("taveuni", TAVEUNI), ("lisbon-2", LISBON)]):
        clock.tick()
        made[name] = await events.create(
            crew["sam"].actor,
            other.id,
            EventDetails(
                title=name, starts_at=clock.now() + timedelta(days=10, hours=12 + day), venue=venue
            ),
        )
    return made


def titles(page) -> list[str]:
    return [hit.event.title for hit in page.items]


async def test_search_lists_soonest_first_without_distances(events: Events, season):
    page = await events.search(EventQuery())
    assert titles(page) == ["lisbon", "taveuni", "lisbon-2", "porto", "madrid", "online", "suva"]
    assert {hit.distance_km for hit in page.items} == {None}
    assert page.next_cursor is None


async def test_search_filters_by_entity_phase_and_start(events: Events, crew, crew_entity, season):
    mine = await events.search(EventQuery(entity_id=crew_entity.id))
    assert titles(mine) == ["lisbon", "porto", "madrid", "online", "suva"]

    await events.move(crew["olga"].actor, season["porto"].id, EventPhase.LIVE)
    await events.move(crew["olga"].actor, season["madrid"].id, EventPhase.CANCELLED)
    live = await events.search(EventQuery(phase=EventPhase.LIVE))
    assert titles(live) == ["porto"]
    assert [h.event.phase for h in live.items] == [EventPhase.LIVE]
    cancelled = await events.search(
        EventQuery(phase=EventPhase.CANCELLED, entity_id=crew_entity.id)
    )
    assert titles(cancelled) == ["madrid"]

    window = await events.search(
        EventQuery(
            entity_id=crew_entity.id,
            starts_from=season["porto"].starts_at,
            starts_to=season["online"].starts_at,
        )
    )
    assert titles(window) == ["porto", "madrid"]  # from inclusive, to exclusive


async def test_near_search_is_nearest_first_with_distances(events: Events, season):
    lisbon_centre = GeoPoint(38.7223, -9.1393)
    page = await events.search(EventQuery(near=lisbon_centre, radius_km=300))
    assert titles(page)[:2] in (["lisbon", "lisbon-2"], ["lisbon-2", "lisbon"])
    assert titles(page)[2:] == ["porto"]
    distances = [hit.distance_km for hit in page.items]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(distance_km(lisbon_centre, LISBON.point))
    assert distances[-1] == pytest.approx(274, rel=0.01)

    wider = await events.search(EventQuery(near=lisbon_centre, radius_km=600))
    assert titles(wider)[2:] == ["porto", "madrid"]  # "online" has no venue: never near


async def test_near_search_combines_with_the_other_filters(events: Events, crew_entity, season):
    page = await events.search(
        EventQuery(near=GeoPoint(38.7223, -9.1393), radius_km=600, entity_id=crew_entity.id)
    )
    assert titles(page) == ["lisbon", "porto", "madrid"]


async def test_near_search_crosses_the_antimeridian(events: Events, season):
    page = await events.search(EventQuery(near=GeoPoint(-17.5, 179.9), radius_km=300))
    assert sorted(titles(page)) == ["suva", "taveuni"]
    assert all(hit.distance_km <= 300 for hit in page.items)


async def test_pages_follow_each_other_in_both_orders(events: Events, season):
    def after(page) -> EventPosition:
        return decode_position(page.next_cursor, EventPosition)

    seen = []
    page = await events.search(EventQuery(limit=3))
    while True:
        seen += titles(page)
        if page.next_cursor is None:
            break
        position = after(page)
        assert isinstance(position, ByStart)
        page = await events.search(EventQuery(limit=3, after=position))
    assert seen == titles(await events.search(EventQuery()))

    near = {"near": GeoPoint(38.7223, -9.1393), "radius_km": 600}
    seen, page = [], await events.search(EventQuery(limit=2, **near))
    while True:
        seen += titles(page)
        if page.next_cursor is None:
            break
        position = after(page)
        assert isinstance(position, ByDistance)
        page = await events.search(EventQuery(limit=2, after=position, **near))
    assert seen == titles(await events.search(EventQuery(**near)))
    assert len(seen) == 4


async def test_a_cursor_of_the_other_order_is_refused(events: Events, season):
    first = await events.search(EventQuery(limit=1))
    position = decode_position(first.next_cursor, EventPosition)
    with pytest.raises(InvalidInput) as caught:
        await events.search(EventQuery(near=GeoPoint(0, 0), radius_km=10, after=position))
    assert caught.value.field == "cursor"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (EventQuery(near=GeoPoint(0, 0)), "radius_km"),
        (EventQuery(radius_km=10), "radius_km"),
        (EventQuery(near=GeoPoint(0, 0), radius_km=0), "radius_km"),
        (EventQuery(near=GeoPoint(0, 0), radius_km=-5), "radius_km"),
        (EventQuery(near=GeoPoint(0, 0), radius_km=20_001), "radius_km"),
    ],
)
async def test_bad_near_queries_are_refused(events: Events, query, field):
    with pytest.raises(InvalidInput) as caught:
        await events.search(query)
    assert caught.value.field == field


async def test_a_window_ending_before_it_starts_is_refused(events: Events, clock):
    with pytest.raises(InvalidInput) as caught:
        await events.search(
            EventQuery(starts_from=clock.now(), starts_to=clock.now() - timedelta(seconds=1))
        )
    assert caught.value.field == "to"


@pytest.mark.parametrize("limit", [0, 101])
async def test_search_refuses_a_limit_outside_the_page_bounds(events: Events, season, limit):
    with pytest.raises(InvalidInput) as caught:
        await events.search(EventQuery(limit=limit))
    assert caught.value.field == "limit"
