"""The streaming use cases on the memory adapters and the memory media server, fed the outbox
events the real use cases raise, as the relay would publish them.

The crew (conftest): `olga` owns `night-shift`, `adam` administers it, `cora` collaborates,
`fay` follows it, `sam` is a stranger who buys a ticket here, `root` is a platform admin."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_adapters.memory.media import MemoryMedia
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails, Events, TicketTypeDetails
from showgeo_domain.notifications.handlers import CONSUMERS as NOTIFICATION_CONSUMERS
from showgeo_domain.notifications.model import NotificationKind
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.orders.errors import InvalidWebhookSignature
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.services import ItemRequest, Orders
from showgeo_domain.shared.errors import PermissionDenied
from showgeo_domain.shared.messaging import OutboxMessage, idempotent_consumer
from showgeo_domain.shared.money import Money
from showgeo_domain.shared.pagination import PageRequest
from showgeo_domain.streaming.errors import (
    MediaServerUnavailable,
    StreamAccessRefused,
    StreamNotFound,
)
from showgeo_domain.streaming.handlers import consumers as streaming_consumers
from showgeo_domain.streaming.model import AccessLevel, Geofence, Location
from showgeo_domain.streaming.ports import (
    ClientAddress,
    Participant,
    StreamNotice,
    StreamNoticeKind,
)
from showgeo_domain.streaming.services import Streaming, StreamRooms, StreamWebhooks
from tests.domain.test_payments import FakeProvider

NOWHERE = ClientAddress(None)


class FixedLocator:
    def __init__(self, where: Location = Location()) -> None:
        self.where = where

    def locate(self, client: ClientAddress) -> Location:
        return self.where


@pytest.fixture
def media() -> MemoryMedia:
    return MemoryMedia()


@pytest.fixture
def streaming(uow, clock: FakeClock, media: MemoryMedia) -> Streaming:
    return Streaming(uow, clock, media, FixedLocator(), token_ttl=timedelta(minutes=5))


@pytest.fixture
def rooms(uow, clock: FakeClock, media: MemoryMedia) -> StreamRooms:
    return StreamRooms(uow, clock, media)


@pytest.fixture
def deliver(store: MemoryStore, uow, clock: FakeClock, rooms: StreamRooms):
    """`await deliver()` hands every outbox event (once each) to the streaming and the
    notification consumers, through the idempotent wrapper, as the bus would."""
    handlers: dict[str, list] = {}
    for name, subject, work in [*streaming_consumers(rooms), *NOTIFICATION_CONSUMERS]:
        handlers.setdefault(subject, []).append(idempotent_consumer(uow, clock, name, work))

    async def deliver() -> None:
        for event in list(store.outbox):
            message = OutboxMessage(
                event.id, type(event).subject(), msgspec.json.encode(event), event.occurred_at
            )
            for handler in handlers.get(message.subject, []):
                await handler(message)

    return deliver


@pytest.fixture
async def show(events: Events, crew, crew_entity, clock: FakeClock):
    return await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Moonrise Set", starts_at=clock.now() + timedelta(days=7)),
    )


async def test_configuring_is_for_the_team(streaming: Streaming, show, crew) -> None:
    with pytest.raises(PermissionDenied):
        await streaming.configure(crew["sam"].actor, show.id, AccessLevel.PUBLIC, Geofence())
    with pytest.raises(StreamNotFound):
        await streaming.get(show.id)
    stream = await streaming.configure(
        crew["cora"].actor, show.id, AccessLevel.FOLLOWERS, Geofence()
    )
    assert (await streaming.get(show.id)).access_level is AccessLevel.FOLLOWERS
    again = await streaming.configure(crew["adam"].actor, show.id, AccessLevel.PUBLIC, Geofence())
    assert (again.created_at, again.access_level) == (stream.created_at, AccessLevel.PUBLIC)


async def test_followers_join_when_live(
    streaming: Streaming, events: Events, media: MemoryMedia, show, crew, deliver
) -> None:
    await streaming.configure(crew["olga"].actor, show.id, AccessLevel.FOLLOWERS, Geofence())
    with pytest.raises(StreamAccessRefused) as early:
        await streaming.join(crew["fay"].actor, show.id, NOWHERE)
    assert early.value.extra == {"reason": "not_live"}
    host = await streaming.join(crew["cora"].actor, show.id, NOWHERE)
    assert media.read_token(host.token).can_publish  # backstage before going live
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    assert show_room(show) in media.rooms
    granted = await streaming.join(crew["fay"].actor, show.id, NOWHERE)
    token = media.read_token(granted.token)
    assert (token.identity, token.name, token.can_publish) == (
        str(crew["fay"].id),
        "fay",
        False,
    )
    with pytest.raises(StreamAccessRefused) as refused:
        await streaming.join(crew["sam"].actor, show.id, NOWHERE)
    assert refused.value.extra == {"reason": "not_following"}


def show_room(show) -> str:
    return f"showgeo-event-{show.id}"


async def test_live_now_reaches_followers_and_ticket_holders_once(
    streaming: Streaming,
    events: Events,
    media: MemoryMedia,
    show,
    crew,
    deliver,
    uow,
    clock: FakeClock,
) -> None:
    seats = await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10),
    )
    orders = Orders(uow, clock)
    for buyer in ("sam", "fay"):  # fay follows too
        order = await orders.place(
            crew[buyer].actor, [ItemRequest(ticket_type_id=seats.id, quantity=1)]
        )
        await orders.settle_payment(order.id, payment_ref=f"pay_{order.id}")
    await streaming.configure(crew["olga"].actor, show.id, AccessLevel.TICKET_HOLDERS, Geofence())
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    # the room starting later (a webhook) tells nobody anything more
    webhooks = StreamWebhooks(uow, clock, media)
    body, auth = media.sign(
        StreamNotice(
            event_ref="EV_started",
            kind=StreamNoticeKind.ROOM_STARTED,
            room=show_room(show),
            at=clock.now(),
        )
    )
    await webhooks.receive(body, auth)
    await deliver()
    await deliver()
    inbox = Notifications(uow, clock)
    for who, expected in (("fay", 1), ("sam", 1), ("olga", 0), ("cora", 0)):
        listed = (await inbox.list(crew[who].actor, PageRequest(limit=100))).items
        assert [n.kind for n in listed].count(NotificationKind.LIVE_NOW) == expected, who


async def test_a_refund_takes_the_holder_out_of_the_room(
    streaming: Streaming,
    events: Events,
    media: MemoryMedia,
    show,
    crew,
    deliver,
    uow,
    clock: FakeClock,
) -> None:
    seats = await events.add_ticket_type(
        crew["olga"].actor,
        show.id,
        TicketTypeDetails(name="General", price=Money(2500, "EUR"), quota=10),
    )
    provider = FakeProvider()
    orders = Orders(uow, clock)
    payments = Payments(uow, clock, orders, [provider])
    order = await orders.place(
        crew["sam"].actor, [ItemRequest(ticket_type_id=seats.id, quantity=1)]
    )
    await orders.settle_payment(order.id, payment_ref="pay_1")
    await streaming.configure(crew["olga"].actor, show.id, AccessLevel.TICKET_HOLDERS, Geofence())
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    await streaming.join(crew["sam"].actor, show.id, NOWHERE)
    media.join(show_room(show), str(crew["sam"].id))
    media.join(show_room(show), "guest-1")
    await payments.refund(crew["olga"].actor, order.id, None, "changed plans")
    await deliver()
    assert [p.identity for p in media.participants[show_room(show)]] == ["guest-1"]
    with pytest.raises(StreamAccessRefused) as refused:
        await streaming.join(crew["sam"].actor, show.id, NOWHERE)
    assert refused.value.extra == {"reason": "no_ticket"}


async def test_webhooks_and_reconciling_count_viewers(
    streaming: Streaming,
    events: Events,
    media: MemoryMedia,
    rooms: StreamRooms,
    show,
    crew,
    deliver,
    uow,
    clock: FakeClock,
) -> None:
    await streaming.configure(crew["olga"].actor, show.id, AccessLevel.PUBLIC, Geofence())
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()
    webhooks = StreamWebhooks(uow, clock, media)
    room, t0 = show_room(show), clock.now()

    async def report(ref: str, kind: StreamNoticeKind, who: Participant, seconds: int) -> None:
        at = t0 + timedelta(seconds=seconds)
        body, auth = media.sign(
            StreamNotice(event_ref=ref, kind=kind, room=room, at=at, participant=who)
        )
        await webhooks.receive(body, auth)

    ana = Participant("PA_ana", "ana", t0)
    host = Participant("PA_host", str(crew["olga"].id), t0, is_publisher=True)
    await report("E1", StreamNoticeKind.PARTICIPANT_JOINED, ana, 0)
    await report("E2", StreamNoticeKind.PARTICIPANT_JOINED, host, 0)
    await report("E1", StreamNoticeKind.PARTICIPANT_JOINED, ana, 0)  # replay
    with pytest.raises(InvalidWebhookSignature):
        await webhooks.receive(b'{"event_ref": "E9"}', "forged")
    clock.advance(timedelta(seconds=30))
    figures = await streaming.metrics(crew["cora"].actor, show.id)
    assert (figures.current_viewers, figures.unique_viewers, figures.peak_viewers) == (1, 1, 1)

    # ana's connection dropped without a webhook: the room no longer lists her
    media.participants[room] = []
    assert await rooms.reconcile() == 1
    figures = await streaming.metrics(crew["cora"].actor, show.id)
    assert figures.current_viewers == 0
    await events.move(crew["olga"].actor, show.id, EventPhase.POST_LIVE)
    await deliver()
    assert room not in media.rooms
    with pytest.raises(PermissionDenied):
        await streaming.metrics(crew["sam"].actor, show.id)


class DownMedia(MemoryMedia):
    async def create_room(self, room: str) -> None:
        raise MediaServerUnavailable("LiveKit could not be reached to create room")


async def test_a_stream_set_up_during_the_show_opens_its_room(
    uow, clock: FakeClock, events: Events, media: MemoryMedia, show, crew, deliver
) -> None:
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    await deliver()  # no stream yet: no room
    assert media.rooms == set()
    streaming = Streaming(uow, clock, media, FixedLocator())
    await streaming.configure(crew["olga"].actor, show.id, AccessLevel.PUBLIC, Geofence())
    assert media.rooms == {show_room(show)}
    # LiveKit being down does not lose the settings (it opens rooms on first join anyway)
    down = Streaming(uow, clock, DownMedia(), FixedLocator())
    await down.configure(crew["olga"].actor, show.id, AccessLevel.FOLLOWERS, Geofence())
    assert (await streaming.get(show.id)).access_level is AccessLevel.FOLLOWERS
