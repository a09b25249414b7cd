"""NotificationRepository and PreferencesRepository on every backend: set-based fan-out in
keyset batches, mutes applied at insert, the `(user, source event, kind)` key that makes a
second run add nothing, and exact unread counts under concurrent fan-out and reads."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from showgeo_adapters.memory import FakeClock
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_domain.entities.model import Entity
from showgeo_domain.identity.model import User
from showgeo_domain.notifications.model import NotificationDraft, NotificationKind, Preferences
from showgeo_domain.orders.model import Ticket
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.pagination import PageRequest
from tests.contract.builders import (
    a_line,
    a_ticket_type,
    a_user,
    an_entity,
    an_event,
    an_order,
    store,
)


def live(entity: Entity) -> NotificationDraft:
    return NotificationDraft(
        kind=NotificationKind.LIVE_NOW,
        title=f"{entity.name} is live now",
        body="Tune in!",
        data={"entity_id": str(entity.id)},
        entity_id=entity.id,
    )


async def _audience(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, count: int, slug: str = "band"
) -> tuple[Entity, list[User]]:
    entity = an_entity(clock, slug)
    fans = [a_user(clock, f"fan_{n:03d}") for n in range(count)]
    await store(uow_factory, users=fans, entities=[entity])
    async with uow_factory() as uow:
        for fan in fans:
            await uow.follows.add(fan.id, entity.id, clock.tick())
        await uow.commit()
    return entity, fans


async def _count_all(uow_factory: PlatformUnitOfWorkFactory, users: list[User]) -> int:
    async with uow_factory() as uow:
        total = 0
        for user in users:
            page = await uow.notifications.list_for_user(user.id, PageRequest(limit=100))
            total += len(page.items)
        return total


async def test_fan_out_reaches_every_follower_once_across_batches(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, fans = await _audience(uow_factory, clock, 250)
    source = new_id()
    async with uow_factory() as uow:
        added = await uow.notifications.fan_out_to_followers(
            entity.id, live(entity), source, clock.tick(), batch_size=100
        )
        await uow.commit()
    assert added == 250
    assert await _count_all(uow_factory, fans) == 250

    async with uow_factory() as uow:
        again = await uow.notifications.fan_out_to_followers(
            entity.id, live(entity), source, clock.tick(), batch_size=7
        )
        await uow.commit()
    assert again == 0
    assert await _count_all(uow_factory, fans) == 250

    async with uow_factory() as uow:
        (got,) = (await uow.notifications.list_for_user(fans[0].id, PageRequest())).items
        assert await uow.notifications.unread_count(fans[0].id) == 1
    assert got.kind is NotificationKind.LIVE_NOW
    assert got.user_id == fans[0].id
    assert got.source_event_id == source
    assert got.data == {"entity_id": str(entity.id)}
    assert got.entity_id == entity.id
    assert got.read_at is None


@pytest.mark.parametrize("batch_size", [1, 3, 5, 1000])
async def test_batch_size_never_changes_who_is_reached(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock, batch_size: int
) -> None:
    entity, fans = await _audience(uow_factory, clock, 5)
    async with uow_factory() as uow:
        added = await uow.notifications.fan_out_to_followers(
            entity.id, live(entity), new_id(), clock.tick(), batch_size=batch_size
        )
        await uow.commit()
    assert added == 5
    assert await _count_all(uow_factory, fans) == 5


async def test_muted_kinds_and_entities_are_skipped(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, fans = await _audience(uow_factory, clock, 4)
    other = an_entity(clock, "other-band")
    await store(uow_factory, entities=[other])
    mutes_kind, mutes_entity, mutes_other_things, plain = fans
    async with uow_factory() as uow:
        prefs = uow.notification_preferences
        await prefs.put(Preferences(mutes_kind.id, frozenset({NotificationKind.LIVE_NOW})))
        await prefs.put(Preferences(mutes_entity.id, muted_entities=frozenset({entity.id})))
        await prefs.put(
            Preferences(
                mutes_other_things.id,
                frozenset({NotificationKind.NEW_DROP}),
                frozenset({other.id}),
            )
        )
        await uow.commit()
    async with uow_factory() as uow:
        added = await uow.notifications.fan_out_to_followers(
            entity.id, live(entity), new_id(), clock.tick(), batch_size=2
        )
        await uow.commit()
        reached = {u.id for u in fans if await uow.notifications.unread_count(u.id) > 0}
    assert added == 2
    assert reached == {mutes_other_things.id, plain.id}


async def test_preferences_round_trip_and_replace(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana = a_user(clock, "ana")
    one, two = an_entity(clock, "one"), an_entity(clock, "two")
    await store(uow_factory, users=[ana], entities=[one, two])
    async with uow_factory() as uow:
        assert await uow.notification_preferences.get(ana.id) == Preferences(ana.id)
        first = Preferences(
            ana.id,
            frozenset({NotificationKind.NEW_DROP, NotificationKind.ORDER_PAID}),
            frozenset({one.id, two.id}),
        )
        await uow.notification_preferences.put(first)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.notification_preferences.get(ana.id) == first
        second = Preferences(ana.id, muted_entities=frozenset({two.id}))
        await uow.notification_preferences.put(second)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.notification_preferences.get(ana.id) == second


async def test_ticket_holders_and_followers_get_one_notification_each(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, fans = await _audience(uow_factory, clock, 3)
    buyers = [a_user(clock, f"buyer_{n}") for n in range(3)]
    event = an_event(clock, entity)
    seats = a_ticket_type(clock, event)
    await store(uow_factory, users=buyers, events=[event], ticket_types=[seats])
    # fan_000 follows and holds two seats; buyer_0 holds seats only; buyer_2's ticket is voided.
    orders = [an_order(clock, who, a_line(seats, 2)) for who in (fans[0], buyers[0], buyers[2])]
    for order in orders:
        order.mark_paid(payment_ref=None, now=clock.tick())
    async with uow_factory() as uow:
        for order in orders:
            await uow.orders.add(order)
            await uow.tickets.add_many(Ticket.issue_for(order, clock.tick()))
        await uow.tickets.void_for_order(orders[2].id, clock.tick())
        await uow.commit()

    draft = NotificationDraft(
        kind=NotificationKind.PHASE_UPDATE,
        title="A show is live now",
        body="…",
        data={"event_id": str(event.id)},
        entity_id=entity.id,
    )
    source = new_id()
    async with uow_factory() as uow:
        by_follow = await uow.notifications.fan_out_to_followers(
            entity.id, draft, source, clock.tick(), batch_size=2
        )
        by_ticket = await uow.notifications.fan_out_to_ticket_holders(
            event.id, draft, source, clock.tick(), batch_size=1
        )
        again = await uow.notifications.fan_out_to_ticket_holders(
            event.id, draft, source, clock.tick()
        )
        await uow.commit()
    assert (by_follow, by_ticket, again) == (3, 1, 0)
    async with uow_factory() as uow:
        counts = {u.username: await uow.notifications.unread_count(u.id) for u in fans + buyers}
    assert counts == {
        "fan_000": 1,
        "fan_001": 1,
        "fan_002": 1,
        "buyer_0": 1,
        "buyer_1": 0,
        "buyer_2": 0,
    }


async def test_notify_named_users_skips_unknown_and_duplicates(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    ana, bea = a_user(clock, "ana"), a_user(clock, "bea")
    await store(uow_factory, users=[ana, bea])
    draft = NotificationDraft(NotificationKind.ORDER_PAID, "Payment received", "Paid.")
    source = new_id()
    async with uow_factory() as uow:
        added = await uow.notifications.notify([ana.id, new_id()], draft, source, clock.tick())
        again = await uow.notifications.notify([ana.id, bea.id], draft, source, clock.tick())
        none = await uow.notifications.notify([], draft, source, clock.tick())
        await uow.commit()
    assert (added, again, none) == (1, 1, 0)
    async with uow_factory() as uow:
        (got,) = (await uow.notifications.list_for_user(ana.id, PageRequest())).items
    assert got.entity_id is None
    assert got.data == {}


async def test_reads_touch_only_the_users_own_notifications(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, (ana, bea) = await _audience(uow_factory, clock, 2)
    async with uow_factory() as uow:
        for _ in range(3):
            await uow.notifications.fan_out_to_followers(
                entity.id, live(entity), new_id(), clock.tick()
            )
        await uow.commit()
    async with uow_factory() as uow:
        anas = (await uow.notifications.list_for_user(ana.id, PageRequest())).items
        beas = (await uow.notifications.list_for_user(bea.id, PageRequest())).items
        assert [n.created_at for n in anas] == sorted((n.created_at for n in anas), reverse=True)
        # Bea's ids are ignored when Ana marks them; Ana's first read counts once.
        changed = await uow.notifications.mark_read(
            ana.id, [anas[0].id, anas[0].id, beas[0].id, beas[1].id], clock.tick()
        )
        assert changed == 1
        assert await uow.notifications.mark_read(ana.id, [anas[0].id], clock.tick()) == 0
        assert await uow.notifications.get(ana.id, beas[0].id) is None
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.notifications.unread_count(ana.id) == 2
        assert await uow.notifications.unread_count(bea.id) == 3
        unread = await uow.notifications.list_for_user(ana.id, PageRequest(), unread_only=True)
        assert [n.id for n in unread.items] == [n.id for n in anas[1:]]
        assert await uow.notifications.mark_all_read(ana.id, clock.tick()) == 2
        assert await uow.notifications.mark_all_read(ana.id, clock.tick()) == 0
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.notifications.unread_count(ana.id) == 0
        assert await uow.notifications.unread_count(bea.id) == 3
        first = await uow.notifications.get(ana.id, anas[0].id)
        assert first is not None
        assert first.read_at is not None


async def test_pages_walk_the_inbox_newest_first(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, (ana,) = await _audience(uow_factory, clock, 1)
    async with uow_factory() as uow:
        for _ in range(5):
            await uow.notifications.fan_out_to_followers(
                entity.id, live(entity), new_id(), clock.tick()
            )
        await uow.commit()
    seen: list[UUID] = []
    page = PageRequest(limit=2)
    async with uow_factory() as uow:
        while True:
            found = await uow.notifications.list_for_user(ana.id, page)
            seen += [n.id for n in found.items]
            if found.next_cursor is None:
                break
            page = PageRequest.parse(found.next_cursor, 2)
        everything = await uow.notifications.list_for_user(ana.id, PageRequest())
    assert seen == [n.id for n in everything.items]
    assert len(seen) == 5


async def test_unread_counts_stay_exact_under_concurrent_fan_out_and_reads(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, fans = await _audience(uow_factory, clock, 20)
    reader = fans[0]
    sources = [new_id() for _ in range(10)]

    async def fan_out(source: UUID) -> None:
        async with uow_factory() as uow:
            await uow.notifications.fan_out_to_followers(
                entity.id, live(entity), source, clock.tick(), batch_size=6
            )
            await uow.commit()

    async def read_all() -> int:
        async with uow_factory() as uow:
            changed = await uow.notifications.mark_all_read(reader.id, clock.tick())
            await uow.commit()
            return changed

    # Every source twice (a redelivery racing the first delivery), reads interleaved.
    tasks = [fan_out(s) for s in sources + sources]
    reads = [read_all() for _ in range(5)]
    results = await asyncio.gather(*tasks, *reads)
    read_by_tasks = sum(r for r in results if isinstance(r, int))
    final = await read_all()
    async with uow_factory() as uow:
        for fan in fans[1:]:
            assert await uow.notifications.unread_count(fan.id) == len(sources)
        assert await uow.notifications.unread_count(reader.id) == 0
    assert read_by_tasks + final == len(sources)
    assert await _count_all(uow_factory, fans) == 20 * len(sources)


async def test_created_for_finds_one_fan_outs_rows_among_the_asked_users(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, fans = await _audience(uow_factory, clock, 30)
    source, other_source = new_id(), new_id()
    async with uow_factory() as uow:
        await uow.notifications.fan_out_to_followers(entity.id, live(entity), source, clock.tick())
        await uow.notifications.fan_out_to_followers(
            entity.id, live(entity), other_source, clock.tick()
        )
        await uow.commit()
    asked = [f.id for f in fans[:12]] + [new_id()]  # and someone with no notification at all
    async with uow_factory() as uow:
        found = await uow.notifications.created_for(source, NotificationKind.LIVE_NOW, asked)
        other_kind = await uow.notifications.created_for(source, NotificationKind.NEW_DROP, asked)
    assert sorted(n.user_id for n in found) == sorted(f.id for f in fans[:12])
    assert {n.source_event_id for n in found} == {source}
    assert other_kind == []


async def test_unread_counts_cover_every_asked_user_including_zero(
    uow_factory: PlatformUnitOfWorkFactory, clock: FakeClock
) -> None:
    entity, fans = await _audience(uow_factory, clock, 4)
    async with uow_factory() as uow:
        for _ in range(3):
            await uow.notifications.fan_out_to_followers(
                entity.id, live(entity), new_id(), clock.tick()
            )
        await uow.notifications.mark_all_read(fans[0].id, clock.tick())
        page = await uow.notifications.list_for_user(fans[1].id, PageRequest())
        await uow.notifications.mark_read(fans[1].id, [page.items[0].id], clock.tick())
        await uow.commit()
    stranger = new_id()
    async with uow_factory() as uow:
        counts = await uow.notifications.unread_counts([f.id for f in fans] + [stranger])
        singles = [await uow.notifications.unread_count(f.id) for f in fans]
    assert counts == {fans[0].id: 0, fans[1].id: 2, fans[2].id: 3, fans[3].id: 3, stranger: 0}
    assert [counts[f.id] for f in fans] == singles
