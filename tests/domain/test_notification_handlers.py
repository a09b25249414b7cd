"""The notification consumers on the memory adapters, fed the outbox events the real use
cases raise, as the relay would publish them (`OutboxMessage` with the event's msgspec JSON).

The crew (conftest): `olga` owns `night-shift`, `adam` administers it, `cora` collaborates,
`fay` follows it, `sam` is a stranger who buys here, `root` is a platform admin."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.identity.model import Actor
from showgeo_domain.notifications.domain_events import NotificationsCreated, NotificationsRead
from showgeo_domain.notifications.handlers import CONSUMERS
from showgeo_domain.notifications.model import Notification, NotificationKind, Preferences
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.messaging import OutboxMessage, idempotent_consumer
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.store.model import ProductKind, Visibility
from showgeo_domain.store.services import ProductDetails, Store
from tests.domain.test_payments import FakeProvider


@pytest.fixture
def deliver(store: MemoryStore, uow, clock: FakeClock):
    """`await deliver()` hands every outbox event to the notification consumers subscribed to
    its subject, through the idempotent wrapper; returns how many messages were handled."""
    handlers = {
        subject: idempotent_consumer(uow, clock, name, work) for name, subject, work in CONSUMERS
    }

    async def deliver() -> int:
        handled = 0
        for event in list(store.outbox):
            handler = handlers.get(type(event).subject())
            if handler is None:
                continue
            message = OutboxMessage(
                event.id, type(event).subject(), msgspec.json.encode(event), event.occurred_at
            )
            await handler(message)
            handled += 1
        return handled

    return deliver


@pytest.fixture
def inbox(uow, clock: FakeClock) -> Notifications:
    return Notifications(uow, clock)


async def notes(inbox: Notifications, actor: Actor) -> list[Notification]:
    return (await inbox.list(actor, PageRequest(limit=100))).items


async def kinds(inbox: Notifications, actor: Actor) -> list[NotificationKind]:
    return sorted(n.kind for n in await notes(inbox, actor))


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock: FakeClock):
    return await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Moonrise Set", starts_at=clock.now() + timedelta(days=7)),
    )


def test_every_consumer_is_named_and_subscribed_once() -> None:
    names = [name for name, _, _ in CONSUMERS]
    assert len(set(names)) == len(names) == 6
    assert all(name.startswith("notifications.") for name in names)
    assert ("notifications.live_now", "showgeo.events.event_went_live") in [
        (n, s) for n, s, _ in CONSUMERS
    ]


async def test_a_follower_hears_the_event_go_live(
    events: Events, show, crew, inbox: Notifications, deliver
) -> None:
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    fay = crew["fay"].actor
    (live, phase) = sorted(await notes(inbox, fay), key=lambda n: n.kind)
    assert live.kind is NotificationKind.LIVE_NOW
    assert live.title == "Night Shift is live now"
    assert live.data == {"event_id": str(show.id), "entity_id": str(show.entity_id)}
    assert phase.kind is NotificationKind.PHASE_UPDATE
    assert phase.data["to_phase"] == "LIVE"
    assert phase.title == "Moonrise Set is live now"
    # Nobody else follows; the team hears only of fay following (the crew's setup).
    for who in ("olga", "adam", "sam"):
        assert NotificationKind.LIVE_NOW not in await kinds(inbox, crew[who].actor)
    assert await inbox.unread_count(fay) == 2


async def test_redelivery_and_rerunning_add_nothing(
    events: Events, show, crew, inbox: Notifications, deliver, store: MemoryStore, uow
) -> None:
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    await deliver()  # the inbox stops the second delivery
    store.state.consumer_inbox.clear()  # even without it, the unique key does
    await deliver()
    assert await inbox.unread_count(crew["fay"].actor) == 2


async def test_phase_updates_reach_ticket_holders_and_followers_once(
    events: Events, show, crew, inbox: Notifications, deliver, uow, clock: FakeClock
) -> None:
    seats = await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10),
    )
    orders = Orders(uow, clock)
    for buyer in ("sam", "fay"):  # fay follows too
        order = await orders.place(
            crew[buyer].actor, [ItemRequest(ticket_type_id=seats.id, quantity=2)]
        )
        await orders.settle_payment(order.id, payment_ref=f"pay_{order.id}")
    await events.move(crew["olga"].actor, show.id, EventPhase.CANCELLED)
    await deliver()
    for buyer in ("sam", "fay"):
        updates = [
            n
            for n in await notes(inbox, crew[buyer].actor)
            if n.kind is NotificationKind.PHASE_UPDATE
        ]
        assert len(updates) == 1
        assert updates[0].title == "Moonrise Set was cancelled"
    assert NotificationKind.ORDER_PAID in await kinds(inbox, crew["sam"].actor)


async def test_muting_is_respected_when_notifications_are_made(
    events: Events, show, crew, crew_entity, inbox: Notifications, deliver
) -> None:
    fay = crew["fay"].actor
    await inbox.set_preferences(fay, ["LIVE_NOW"], [])
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    assert await kinds(inbox, fay) == [NotificationKind.PHASE_UPDATE]
    await inbox.set_preferences(fay, [], [crew_entity.id])
    await events.move(crew["olga"].actor, show.id, EventPhase.POST_LIVE)
    await deliver()
    assert await kinds(inbox, fay) == [NotificationKind.PHASE_UPDATE]
    assert await inbox.preferences(fay) == Preferences(
        fay.user_id, muted_entities=frozenset({crew_entity.id})
    )


@pytest.mark.parametrize(
    ("visibility", "told"),
    [(Visibility.PUBLIC, True), (Visibility.FOLLOWERS, True), (Visibility.HIDDEN, False)],
)
async def test_drops_reach_followers_unless_hidden(
    shop: Store, crew, crew_entity, inbox: Notifications, deliver, visibility, told: bool
) -> None:
    product = await shop.create(
        crew["olga"].actor,
        crew_entity.id,
        ProductDetails(
            title="Tour shirt",
            kind=ProductKind.PHYSICAL,
            price=Money(2000, "EUR"),
            visibility=visibility,
            stock=5,
        ),
    )
    await shop.publish(crew["olga"].actor, product.id)
    await deliver()
    found = await notes(inbox, crew["fay"].actor)
    if not told:
        assert found == []
        return
    (drop,) = found
    assert drop.kind is NotificationKind.NEW_DROP
    assert drop.title == "New from Night Shift: Tour shirt"
    assert drop.body == "Tour shirt is out now for 20.00 EUR."
    assert drop.data["product_id"] == str(product.id)


async def test_owners_and_admins_hear_of_new_followers(
    follows, crew, crew_entity, inbox: Notifications, deliver
) -> None:
    await follows.follow(crew["sam"].actor, crew_entity.id)
    await deliver()
    for who in ("olga", "adam"):
        found = [
            n
            for n in await notes(inbox, crew[who].actor)
            if n.data.get("user_id") == str(crew["sam"].id)
        ]
        assert [n.title for n in found] == ["sam followed Night Shift"]
    assert await notes(inbox, crew["cora"].actor) == []
    assert await notes(inbox, crew["sam"].actor) == []


async def test_buyers_hear_of_payments_and_refunds(
    events: Events, show, crew, inbox: Notifications, deliver, uow, clock: FakeClock
) -> None:
    seats = await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10),
    )
    orders = Orders(uow, clock)
    payments = Payments(uow, clock, orders, [FakeProvider()])
    order = await orders.place(
        crew["sam"].actor, [ItemRequest(ticket_type_id=seats.id, quantity=2)]
    )
    await orders.settle_payment(order.id, payment_ref=f"pay_{order.id}")
    await payments.refund(crew["olga"].actor, order.id, Money(1000, "EUR"), "late start")
    await deliver()
    sam = crew["sam"].actor
    by_kind = {n.kind: n for n in await notes(inbox, sam)}
    assert set(by_kind) == {NotificationKind.ORDER_PAID, NotificationKind.REFUND_ISSUED}
    assert by_kind[NotificationKind.ORDER_PAID].body == (
        "Your order from Night Shift is paid (50.00 EUR)."
    )
    assert (
        by_kind[NotificationKind.REFUND_ISSUED].body
        == "Night Shift refunded 10.00 EUR of your order."
    )
    assert by_kind[NotificationKind.REFUND_ISSUED].data["order_id"] == str(order.id)


async def test_reading_touches_only_the_callers_notifications(
    events: Events, show, crew, follows, inbox: Notifications, deliver
) -> None:
    await follows.follow(crew["sam"].actor, show.entity_id)
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    fay, sam = crew["fay"].actor, crew["sam"].actor
    fays, sams = await notes(inbox, fay), await notes(inbox, sam)
    assert await inbox.mark_read(fay, [fays[0].id, sams[0].id, sams[1].id]) == 1
    assert await inbox.unread_count(sam) == 2
    assert (await inbox.read(fay, fays[1].id)).read_at is not None
    assert await inbox.unread_count(fay) == 0
    from showgeo_domain.notifications.errors import NotificationNotFound

    with pytest.raises(NotificationNotFound):
        await inbox.read(fay, sams[0].id)
    assert await inbox.mark_all_read(sam) == 2
    assert await inbox.mark_read(sam, []) == 0


async def test_preferences_are_validated(crew, inbox: Notifications) -> None:
    from showgeo_domain.shared.errors import InvalidInput
    from showgeo_domain.shared.ids import new_id

    fay = crew["fay"].actor
    with pytest.raises(InvalidInput) as bad_kind:
        await inbox.set_preferences(fay, ["LOUD"], [])
    assert bad_kind.value.field == "muted_kinds"
    with pytest.raises(InvalidInput) as unknown_entity:
        await inbox.set_preferences(fay, [], [new_id()])
    assert unknown_entity.value.field == "muted_entities"
    assert await inbox.preferences(fay) == Preferences(fay.user_id)


def announced(store: MemoryStore) -> list[NotificationsCreated]:
    return [e for e in store.outbox if isinstance(e, NotificationsCreated)]


async def test_each_fan_out_that_adds_rows_is_announced_once(
    events: Events, show, crew, deliver, store: MemoryStore
) -> None:
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    by_kind = {e.kind: e for e in announced(store)}
    assert set(by_kind) == {"LIVE_NOW", "PHASE_UPDATE", "NEW_FOLLOWER"}  # fay, in the setup
    live = by_kind["LIVE_NOW"]
    assert (live.count, live.user_ids) == (1, None)  # an audience: listeners ask the store
    went_live = next(e for e in store.outbox if type(e).__name__ == "EventWentLive")
    assert live.source_event_id == went_live.id

    store.state.consumer_inbox.clear()
    await deliver()  # rerun: no row added, so nothing to announce
    assert len(announced(store)) == 3


async def test_named_deliveries_announce_their_recipients(
    follows, crew, crew_entity, deliver, store: MemoryStore
) -> None:
    await follows.follow(crew["sam"].actor, crew_entity.id)
    await deliver()
    followed = announced(store)[-1]  # the crew's setup announced fay's follow before
    assert followed.kind == "NEW_FOLLOWER"
    assert followed.count == 2
    assert set(followed.user_ids or []) == {crew["olga"].id, crew["adam"].id}


async def test_reads_that_change_something_are_announced(
    events: Events, show, crew, inbox: Notifications, deliver, store: MemoryStore
) -> None:
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    fay = crew["fay"].actor
    first, second = await notes(inbox, fay)
    await inbox.mark_read(fay, [first.id])
    await inbox.mark_read(fay, [first.id])  # already read: nothing changed, nothing said
    await inbox.read(fay, second.id)
    await inbox.mark_all_read(fay)  # nothing left
    reads = [e for e in store.outbox if isinstance(e, NotificationsRead)]
    assert [(e.user_id, e.count) for e in reads] == [(fay.user_id, 1), (fay.user_id, 1)]
