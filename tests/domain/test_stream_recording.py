"""Recording and ingress state on the memory adapters and the memory media server: a LIVE
event's room is recorded once, the recording stops after the show and its file's location
comes from the webhooks, in whatever order they arrive; an encoder's state follows the
ingress webhooks and never makes an event live by itself.

The crew (conftest): `olga` owns `night-shift`, `cora` collaborates, `fay` follows it."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from showgeo_adapters.memory import FakeClock, MemoryStore
from showgeo_adapters.memory.media import MemoryMedia
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import EventDetails, Events
from showgeo_domain.shared.errors import PermissionDenied
from showgeo_domain.shared.messaging import OutboxMessage, idempotent_consumer
from showgeo_domain.streaming.handlers import consumers as streaming_consumers
from showgeo_domain.streaming.model import (
    AccessLevel,
    Geofence,
    IngressReport,
    IngressStatus,
    Location,
    RecordingReport,
    RecordingStatus,
    room_of,
)
from showgeo_domain.streaming.ports import (
    ClientAddress,
    IngressProtocol,
    StreamNotice,
    StreamNoticeKind,
)
from showgeo_domain.streaming.services import Streaming, StreamRooms, StreamWebhooks


class Nowhere:
    def locate(self, client: ClientAddress) -> Location:
        return Location()


@pytest.fixture
def media() -> MemoryMedia:
    return MemoryMedia(records=True)


@pytest.fixture
def streaming(uow, clock: FakeClock, media: MemoryMedia) -> Streaming:
    return Streaming(uow, clock, media, Nowhere())


@pytest.fixture
def webhooks(uow, clock: FakeClock, media: MemoryMedia) -> StreamWebhooks:
    return StreamWebhooks(uow, clock, media)


@pytest.fixture
def deliver(store: MemoryStore, uow, clock: FakeClock, media: MemoryMedia):
    """Every outbox event to the streaming consumers, as the bus would (`again=True`: a
    redelivery that skips the consumer inbox, as after a crash before it was marked)."""
    rooms = StreamRooms(uow, clock, media)

    async def deliver(*, again: bool = False) -> None:
        for name, subject, work in streaming_consumers(rooms):
            handler = idempotent_consumer(uow, clock, name + ("-again" if again else ""), work)
            for event in list(store.outbox):
                if type(event).subject() == subject:
                    await handler(
                        OutboxMessage(
                            event.id, subject, msgspec.json.encode(event), event.occurred_at
                        )
                    )

    return deliver


@pytest.fixture
async def show(events: Events, streaming: Streaming, crew, crew_entity, clock: FakeClock):
    event = await events.create(
        crew["olga"].actor,
        crew_entity.id,
        EventDetails(title="Moonrise Set", starts_at=clock.now() + timedelta(days=7)),
    )
    await streaming.configure(crew["olga"].actor, event.id, AccessLevel.PUBLIC, Geofence())
    return event


def notice(media: MemoryMedia, ref: str, kind: StreamNoticeKind, at, **parts) -> tuple:
    return media.sign(
        StreamNotice(event_ref=ref, kind=kind, room=parts.pop("room"), at=at, **parts)
    )


async def test_going_live_records_the_room_once_and_post_live_stops_it(
    streaming, events, media, show, crew, deliver, webhooks, clock
) -> None:
    olga = crew["olga"].actor
    await deliver()
    assert await streaming.recordings(olga, show.id) == []  # nothing before LIVE
    await events.move(olga, show.id, EventPhase.LIVE)
    await deliver()
    await deliver(again=True)  # a redelivered go-live starts no second recording
    [recording] = await streaming.recordings(olga, show.id)
    assert recording.status is RecordingStatus.STARTING
    assert [c for c in media.calls if c[0] == "start_recording"] == [
        ("start_recording", room_of(show.id))
    ]
    path = media._paths[recording.egress_id]
    assert path.startswith(f"{show.id}/")
    assert path.endswith(".mp4")

    started = msgspec.structs.replace(
        media.recordings[recording.egress_id], status=RecordingStatus.ACTIVE
    )
    body, auth = notice(
        media,
        "EV_1",
        StreamNoticeKind.EGRESS_STARTED,
        clock.tick(),
        room=room_of(show.id),
        recording=started,
    )
    await webhooks.receive(body, auth)
    assert (await streaming.recordings(olga, show.id))[0].status is RecordingStatus.ACTIVE

    await events.move(olga, show.id, EventPhase.POST_LIVE)
    await deliver()
    assert ("stop_recording", recording.egress_id) in media.calls
    [stopping] = await streaming.recordings(olga, show.id)
    assert stopping.status is RecordingStatus.ENDING
    assert stopping.location is None

    done = media.finish_recording(recording.egress_id)
    body, auth = notice(
        media,
        "EV_2",
        StreamNoticeKind.EGRESS_ENDED,
        clock.tick(),
        room=room_of(show.id),
        recording=done,
    )
    await webhooks.receive(body, auth)
    await webhooks.receive(body, auth)  # a replay changes nothing
    [finished] = await streaming.recordings(olga, show.id)
    assert finished.status is RecordingStatus.COMPLETE
    assert finished.location == f"s3://memory-recordings/{path}"
    assert finished.size_bytes == 1024


async def test_a_late_started_webhook_does_not_reopen_an_ended_recording(
    streaming, events, media, show, crew, deliver, webhooks, clock
) -> None:
    olga = crew["olga"].actor
    await events.move(olga, show.id, EventPhase.LIVE)
    await deliver()
    [recording] = await streaming.recordings(olga, show.id)
    done = media.finish_recording(recording.egress_id)
    room = room_of(show.id)
    ended = notice(
        media, "EV_end", StreamNoticeKind.EGRESS_ENDED, clock.tick(), room=room, recording=done
    )
    late = notice(
        media,
        "EV_start",
        StreamNoticeKind.EGRESS_STARTED,
        clock.tick(),
        room=room,
        recording=msgspec.structs.replace(done, status=RecordingStatus.ACTIVE, location=None),
    )
    await webhooks.receive(*ended)
    await webhooks.receive(*late)
    [kept] = await streaming.recordings(olga, show.id)
    assert kept.status is RecordingStatus.COMPLETE
    assert kept.location == done.location


async def test_an_egress_the_platform_did_not_start_is_recorded_from_its_webhook(
    streaming, media, show, crew, webhooks, clock
) -> None:
    report = RecordingReport(
        egress_id="EG_console", room=room_of(show.id), status=RecordingStatus.FAILED, error="x"
    )
    await webhooks.receive(
        *notice(
            media,
            "EV_c",
            StreamNoticeKind.EGRESS_ENDED,
            clock.tick(),
            room=report.room,
            recording=report,
        )
    )
    [found] = await streaming.recordings(crew["olga"].actor, show.id)
    assert (found.egress_id, found.status, found.error) == (
        "EG_console",
        RecordingStatus.FAILED,
        "x",
    )


async def test_without_storage_nothing_is_recorded(
    uow, clock, events, show, crew, store: MemoryStore
) -> None:
    plain = MemoryMedia()
    rooms = StreamRooms(uow, clock, plain)
    await events.move(crew["olga"].actor, show.id, EventPhase.LIVE)
    for name, subject, work in streaming_consumers(rooms):
        for event in list(store.outbox):
            if type(event).subject() == subject:
                await idempotent_consumer(uow, clock, name, work)(
                    OutboxMessage(event.id, subject, msgspec.json.encode(event), event.occurred_at)
                )
    assert ("create_room", room_of(show.id)) in plain.calls
    assert not [c for c in plain.calls if c[0] == "start_recording"]
    assert store.state.stream_recordings == {}


async def test_a_room_restarting_while_live_is_recorded_again_but_not_backstage(
    streaming, events, media, show, crew, deliver, webhooks, clock
) -> None:
    olga, room = crew["olga"].actor, room_of(show.id)
    await webhooks.receive(
        *notice(media, "EV_r0", StreamNoticeKind.ROOM_STARTED, clock.tick(), room=room)
    )
    assert await streaming.recordings(olga, show.id) == []  # PRE_LIVE: hosts backstage
    await events.move(olga, show.id, EventPhase.LIVE)
    await deliver()
    [first] = await streaming.recordings(olga, show.id)
    await webhooks.receive(
        *notice(media, "EV_r1", StreamNoticeKind.ROOM_STARTED, clock.tick(), room=room)
    )
    assert len(await streaming.recordings(olga, show.id)) == 1  # still running: no second
    done = media.finish_recording(first.egress_id)
    await webhooks.receive(
        *notice(
            media, "EV_e", StreamNoticeKind.EGRESS_ENDED, clock.tick(), room=room, recording=done
        )
    )
    await webhooks.receive(
        *notice(media, "EV_r2", StreamNoticeKind.ROOM_STARTED, clock.tick(), room=room)
    )
    listed = await streaming.recordings(olga, show.id)
    assert [r.status for r in listed] == [RecordingStatus.COMPLETE, RecordingStatus.STARTING]


async def test_recordings_and_ingresses_are_for_hosts(streaming, show, crew) -> None:
    for outsider in ("fay", "sam"):
        with pytest.raises(PermissionDenied):
            await streaming.recordings(crew[outsider].actor, show.id)
        with pytest.raises(PermissionDenied):
            await streaming.ingresses(crew[outsider].actor, show.id)
    assert await streaming.recordings(crew["cora"].actor, show.id) == []


async def test_ingress_state_follows_its_webhooks_and_does_not_go_live(
    streaming, events, media, show, crew, webhooks, clock
) -> None:
    cora = crew["cora"].actor
    made = await streaming.create_ingress(cora, show.id, IngressProtocol.WHIP)
    [ingress] = await streaming.ingresses(cora, show.id)
    assert (ingress.ingress_id, ingress.protocol, ingress.status) == (
        made.ingress_id,
        "WHIP",
        IngressStatus.INACTIVE,
    )
    room = room_of(show.id)
    t1, t2, t3 = clock.tick(), clock.tick(), clock.tick()

    def report(status: IngressStatus, **more) -> IngressReport:
        return IngressReport(ingress_id=made.ingress_id, room=room, status=status, **more)

    started = notice(
        media,
        "EV_i1",
        StreamNoticeKind.INGRESS_STARTED,
        t1,
        room=room,
        ingress=report(IngressStatus.PUBLISHING, started_at=t1),
    )
    ended = notice(
        media,
        "EV_i2",
        StreamNoticeKind.INGRESS_ENDED,
        t2,
        room=room,
        ingress=report(IngressStatus.INACTIVE, ended_at=t2),
    )
    again = notice(
        media,
        "EV_i3",
        StreamNoticeKind.INGRESS_STARTED,
        t3,
        room=room,
        ingress=report(IngressStatus.PUBLISHING, started_at=t3),
    )
    await webhooks.receive(*started)
    [publishing] = await streaming.ingresses(cora, show.id)
    assert publishing.is_publishing
    assert (await events.get(show.id)).phase is EventPhase.PRE_LIVE  # the host goes live
    await webhooks.receive(*again)  # the encoder reconnected …
    await webhooks.receive(*ended)  # … and the older "ended" arrives late: ignored
    [current] = await streaming.ingresses(cora, show.id)
    assert current.is_publishing
    assert (current.started_at, current.ended_at) == (t3, None)
