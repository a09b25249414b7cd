"""Streaming use cases: set up an event's stream, let viewers in (or say why not), count them,
and keep the media server's rooms in step with the event's life."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from showgeo_domain.entities.policy import EntityPermission
from showgeo_domain.entities.services import find_entity, require_permission, role_of
from showgeo_domain.events.errors import EventNotEditable
from showgeo_domain.events.model import EventPhase
from showgeo_domain.events.services import find_event
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.clock import Clock
from showgeo_domain.shared.ids import new_id
from showgeo_domain.shared.unit_of_work import UnitOfWorkFactory
from showgeo_domain.streaming.errors import (
    MediaServerUnavailable,
    StreamAccessRefused,
    StreamNotFound,
)
from showgeo_domain.streaming.model import (
    UNKNOWN_LOCATION,
    AccessLevel,
    Geofence,
    IngressReport,
    IngressStatus,
    RecordingReport,
    Stream,
    StreamIngress,
    StreamMetrics,
    StreamRecording,
    event_of_room,
    metrics_of,
    recording_path,
)
from showgeo_domain.streaming.policy import Refusal, RefusalReason, StreamRole, Viewer, decide
from showgeo_domain.streaming.ports import (
    ClientAddress,
    GeoLocator,
    Ingress,
    IngressProtocol,
    MediaServer,
    StreamingUnitOfWork,
    StreamNotice,
    StreamNoticeKind,
    TokenRequest,
)

log = logging.getLogger("showgeo.streaming")

GUEST_NAME = "Guest"

_REFUSAL_DETAIL = {
    RefusalReason.LOGIN_REQUIRED: "sign in to watch this stream",
    RefusalReason.NOT_FOLLOWING: "this stream is for followers of the entity",
    RefusalReason.NO_TICKET: "this stream is for ticket holders of the event",
    RefusalReason.MEMBERS_ONLY: "this stream is for members of the entity",
    RefusalReason.OUTSIDE_REGION: "this stream is not available where you are",
    RefusalReason.NOT_LIVE: "the event is not live",
}


class StreamPass(msgspec.Struct, frozen=True):
    """What a client needs to join: the media server's URL, the room and a signed token."""

    url: str
    room: str
    token: str
    role: StreamRole
    identity: str
    expires_at: datetime


async def find_stream(
    uow: StreamingUnitOfWork, event_id: UUID, *, for_update: bool = False
) -> Stream:
    stream = await uow.streams.get(event_id, for_update=for_update)
    if stream is None:
        raise StreamNotFound(f"event {event_id} has no stream")
    return stream


class Streaming:
    def __init__(
        self,
        uow: UnitOfWorkFactory[StreamingUnitOfWork],
        clock: Clock,
        media: MediaServer,
        locator: GeoLocator,
        *,
        token_ttl: timedelta = timedelta(minutes=10),
        allow_unknown_location: bool = False,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._media = media
        self._locator = locator
        self._token_ttl = token_ttl
        self._allow_unknown = allow_unknown_location

    async def configure(
        self, actor: Actor, event_id: UUID, access_level: AccessLevel, geofence: Geofence
    ) -> Stream:
        """Set up or change the event's stream (MANAGE_EVENTS). Changing the rules does not
        remove anyone already watching; it decides who gets a token from now on."""
        now = self._clock.now()
        async with self._uow() as uow:
            event = await find_event(uow, event_id, for_update=True)
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.MANAGE_EVENTS)
            if not event.is_open:
                raise EventNotEditable(f"a {event.phase.value} event streams no more")
            stream = await uow.streams.get(event.id, for_update=True)
            if stream is None:
                stream = Stream.configure(
                    event_id=event.id,
                    entity_id=event.entity_id,
                    access_level=access_level,
                    geofence=geofence,
                    now=now,
                )
                await uow.streams.add(stream)
            else:
                stream.change(access_level=access_level, geofence=geofence, now=now)
                await uow.streams.update(stream)
            await uow.commit()
            live = event.phase is EventPhase.LIVE
        if live:  # the go-live consumer found no stream to open a room for
            try:
                await self._media.create_room(stream.room)
            except MediaServerUnavailable:
                # The settings are saved; LiveKit also opens a room on its first join.
                log.warning("could not open room %s for a live event", stream.room, exc_info=True)
        return stream

    async def get(self, event_id: UUID) -> Stream:
        async with self._uow() as uow:
            await find_event(uow, event_id)
            return await find_stream(uow, event_id)

    async def join(self, actor: Actor | None, event_id: UUID, client: ClientAddress) -> StreamPass:
        """A token for the caller, or StreamAccessRefused carrying the policy's reason."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id)
            stream = await find_stream(uow, event_id)
            viewer = await self._viewer(uow, actor, stream)
            name = GUEST_NAME
            if actor is not None:
                user = await uow.users.get(actor.user_id)
                name = user.display_name if user is not None else name
        where = self._locator.locate(client) if stream.geofence.is_active else UNKNOWN_LOCATION
        decision = decide(
            viewer=viewer,
            level=stream.access_level,
            geofence=stream.geofence,
            where=where,
            phase=event.phase,
            allow_unknown_location=self._allow_unknown,
        )
        if isinstance(decision, Refusal):
            raise StreamAccessRefused(
                _REFUSAL_DETAIL[decision.reason], reason=decision.reason.value
            )
        identity = str(actor.user_id) if actor is not None else f"guest-{new_id().hex}"
        token = self._media.issue_token(
            TokenRequest(
                room=stream.room,
                identity=identity,
                name=name,
                role=decision.role,
                ttl=self._token_ttl,
            )
        )
        return StreamPass(
            url=self._media.url,
            room=stream.room,
            token=token,
            role=decision.role,
            identity=identity,
            expires_at=self._clock.now() + self._token_ttl,
        )

    async def metrics(self, actor: Actor, event_id: UUID) -> StreamMetrics:
        """Viewer figures for the event's team (VIEW_ANALYTICS); zeros before anyone came."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id)
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.VIEW_ANALYTICS)
            sessions = await uow.viewer_sessions.sessions(event_id)
        return metrics_of(sessions, self._clock.now())

    async def create_ingress(
        self, actor: Actor, event_id: UUID, protocol: IngressProtocol
    ) -> Ingress:
        """An RTMP or WHIP endpoint for a host's encoder (HOST_STREAM), publishing into the
        event's room under its own identity."""
        async with self._uow() as uow:
            event = await find_event(uow, event_id)
            entity = await find_entity(uow, event.entity_id)
            await require_permission(uow, entity, actor, EntityPermission.HOST_STREAM)
            if not event.is_open:
                raise EventNotEditable(f"a {event.phase.value} event streams no more")
            stream = await find_stream(uow, event_id)
        made = await self._media.create_ingress(
            stream.room, f"ingress-{actor.user_id}", event.title, protocol
        )
        now = self._clock.now()
        async with self._uow() as uow:  # its state follows from ingress webhooks
            await uow.streams.add_ingress(
                StreamIngress(
                    made.ingress_id,
                    event_id,
                    protocol.value,
                    event.title,
                    IngressStatus.INACTIVE,
                    now,
                    now,
                )
            )
            await uow.commit()
        return made

    async def recordings(self, actor: Actor, event_id: UUID) -> list[StreamRecording]:
        """The event's recordings, oldest first, for its hosts (HOST_STREAM)."""
        async with self._uow() as uow:
            await self._require_host(uow, actor, event_id)
            return await uow.streams.recordings(event_id)

    async def ingresses(self, actor: Actor, event_id: UUID) -> list[StreamIngress]:
        """The event's ingresses and whether an encoder is sending, for its hosts."""
        async with self._uow() as uow:
            await self._require_host(uow, actor, event_id)
            return await uow.streams.ingresses(event_id)

    @staticmethod
    async def _require_host(uow: StreamingUnitOfWork, actor: Actor, event_id: UUID) -> None:
        event = await find_event(uow, event_id)
        entity = await find_entity(uow, event.entity_id)
        await require_permission(uow, entity, actor, EntityPermission.HOST_STREAM)
        await find_stream(uow, event_id)

    @staticmethod
    async def _viewer(uow: StreamingUnitOfWork, actor: Actor | None, stream: Stream) -> Viewer:
        """Only the facts the stream's level asks about are looked up."""
        if actor is None:
            return Viewer()
        role = await role_of(uow, stream.entity_id, actor)
        follows = stream.access_level is AccessLevel.FOLLOWERS and await uow.follows.is_following(
            actor.user_id, stream.entity_id
        )
        holds = (
            stream.access_level is AccessLevel.TICKET_HOLDERS
            and await uow.streams.holds_valid_ticket(actor.user_id, stream.event_id)
        )
        return Viewer(actor=actor, role=role, follows=follows, holds_ticket=holds)


class StreamWebhooks:
    """Media-server webhooks: verified first, stored by their id (a replay changes nothing),
    applied in the same transaction. Sessions are keyed (event, participant sid) and each
    end is recorded once, so duplicates and out-of-order deliveries land on the same
    figures."""

    def __init__(
        self, uow: UnitOfWorkFactory[StreamingUnitOfWork], clock: Clock, media: MediaServer
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._media = media

    async def receive(self, body: bytes, authorization: str | None) -> None:
        notice = self._media.verify_webhook(body, authorization)
        async with self._uow() as uow:
            now = self._clock.now()
            if not await uow.webhook_inbox.record(self._media.name, notice.event_ref, body, now):
                return
            await apply_notice(uow, notice)
            if notice.kind is StreamNoticeKind.ROOM_STARTED and notice.room:
                await self._record_if_live(uow, notice.room, now)
            await uow.webhook_inbox.mark_processed(self._media.name, notice.event_ref, now)
            await uow.commit()

    async def _record_if_live(self, uow: StreamingUnitOfWork, room: str, now: datetime) -> None:
        """A room of a LIVE event that starts again (it had emptied and closed) is recorded
        again; before the event is live (hosts backstage) nothing is recorded."""
        event_id = event_of_room(room)
        if event_id is None or not self._media.records:
            return
        event = await uow.events.get(event_id)
        stream = await uow.streams.get(event_id)
        if event is not None and stream is not None and event.phase is EventPhase.LIVE:
            await start_recording(uow, self._media, stream, now)


async def start_recording(
    uow: StreamingUnitOfWork, media: MediaServer, stream: Stream, now: datetime
) -> None:
    """Start recording the stream's room unless a recording of it is already running (the
    go-live consumer run twice, or a room_started webhook after it)."""
    if any(r.is_running for r in await uow.streams.recordings(stream.event_id)):
        return
    report = await media.start_recording(stream.room, recording_path(stream.event_id, now))
    if report is not None:
        await remember_recording(uow, stream.event_id, report, now)


async def remember_recording(
    uow: StreamingUnitOfWork, event_id: UUID, report: RecordingReport, now: datetime
) -> None:
    """Store what a report says about a recording; the first report of an egress id (the
    call's answer or a webhook, whichever commits first) creates it."""
    recording = await uow.streams.get_recording(report.egress_id, for_update=True)
    if recording is None:
        if await uow.streams.add_recording(StreamRecording.start(event_id, report, now)):
            return
        recording = await uow.streams.get_recording(report.egress_id, for_update=True)
        assert recording is not None  # the other writer's row
    if recording.learn(report, now):
        await uow.streams.update_recording(recording)


async def remember_ingress(
    uow: StreamingUnitOfWork, event_id: UUID, report: IngressReport, at: datetime
) -> None:
    """Store an ingress's state; an ingress made outside this platform for the event's room
    is recorded when first heard of."""
    ingress = await uow.streams.get_ingress(report.ingress_id, for_update=True)
    if ingress is None:
        found = StreamIngress(
            report.ingress_id,
            event_id,
            report.protocol or "",
            report.name or "",
            IngressStatus.INACTIVE,
            at,
            at,
        )
        found.learn(report, at, at)
        if await uow.streams.add_ingress(found):
            return
        ingress = await uow.streams.get_ingress(report.ingress_id, for_update=True)
        assert ingress is not None
    if ingress.learn(report, at, at):
        await uow.streams.update_ingress(ingress)


async def apply_notice(uow: StreamingUnitOfWork, notice: StreamNotice) -> None:
    """room_started changes nothing here: LIVE_NOW is told once, from the event going LIVE
    (a room may start before that, when a host sets up backstage). Egress notices update
    the event's recordings, ingress notices its ingresses (an encoder connecting does not
    make the event live: the host does that)."""
    event_id = event_of_room(notice.room) if notice.room else None
    if event_id is None or await uow.streams.get(event_id, for_update=True) is None:
        return
    sessions, who = uow.viewer_sessions, notice.participant
    if notice.recording is not None and notice.kind in _EGRESS:
        await remember_recording(uow, event_id, notice.recording, notice.at)
    elif notice.ingress is not None and notice.kind in _INGRESS:
        await remember_ingress(uow, event_id, notice.ingress, notice.at)
    elif notice.kind is StreamNoticeKind.ROOM_FINISHED:
        await sessions.close_open(event_id, notice.at, keep=frozenset())
    elif who is None or who.is_publisher:
        return
    elif notice.kind is StreamNoticeKind.PARTICIPANT_JOINED:
        await sessions.joined(event_id, who.sid, who.identity, who.joined_at or notice.at)
    elif notice.kind is StreamNoticeKind.PARTICIPANT_LEFT:
        await sessions.left(event_id, who.sid, who.identity, notice.at)


_EGRESS = frozenset(
    {
        StreamNoticeKind.EGRESS_STARTED,
        StreamNoticeKind.EGRESS_UPDATED,
        StreamNoticeKind.EGRESS_ENDED,
    }
)
_INGRESS = frozenset({StreamNoticeKind.INGRESS_STARTED, StreamNoticeKind.INGRESS_ENDED})


class StreamRooms:
    """Keeps media-server rooms in step with events: open when the event goes LIVE, close
    after it, drop viewers whose access was revoked, and correct the viewer count from the
    room's participant list (webhooks alone drift: a lost participant_left would leave a
    viewer counted forever)."""

    def __init__(
        self, uow: UnitOfWorkFactory[StreamingUnitOfWork], clock: Clock, media: MediaServer
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._media = media

    async def open_room(self, uow: StreamingUnitOfWork, event_id: UUID) -> None:
        """Open the room, and record it when recording is configured."""
        stream = await uow.streams.get(event_id)
        if stream is not None:
            await self._media.create_room(stream.room)
            if self._media.records:
                await start_recording(uow, self._media, stream, self._clock.now())

    async def close_room(self, uow: StreamingUnitOfWork, event_id: UUID, at: datetime) -> None:
        """Stop its recordings (the files are finished and uploaded; `egress_ended` says
        where), close the room and end every open viewer session."""
        stream = await uow.streams.get(event_id, for_update=True)
        if stream is None:
            return
        now = self._clock.now()
        for recording in await uow.streams.recordings(event_id):
            if recording.is_running:
                report = await self._media.stop_recording(recording.egress_id)
                if report is not None and recording.learn(report, now):
                    await uow.streams.update_recording(recording)
        await self._media.delete_room(stream.room)
        await uow.viewer_sessions.close_open(event_id, at, keep=frozenset())

    async def revoke_refunded(
        self, uow: StreamingUnitOfWork, order_id: UUID, holder_id: UUID
    ) -> None:
        """After a refund, the buyer leaves every TICKET_HOLDERS room for which they no
        longer hold a valid ticket."""
        tickets = await uow.tickets.list_for_order(order_id)
        for event_id in {t.event_id for t in tickets}:
            stream = await uow.streams.get(event_id)
            if (
                stream is not None
                and stream.access_level is AccessLevel.TICKET_HOLDERS
                and not await uow.streams.holds_valid_ticket(holder_id, event_id)
            ):
                await self._media.remove_participant(stream.room, str(holder_id))

    async def reconcile(self) -> int:
        """Make every live stream's open sessions match the room's participants; returns
        how many sessions changed. A session that joined after the list was taken is left
        alone (its webhook beat the list)."""
        async with self._uow() as uow:
            live = await uow.streams.live()
        changed = 0
        for stream in live:
            listed_at = self._clock.now()
            participants = await self._media.list_participants(stream.room)
            if participants is None:
                return 0  # no media server: nothing to compare with
            viewers = [p for p in participants if not p.is_publisher]
            async with self._uow() as uow:
                if await uow.streams.get(stream.event_id, for_update=True) is None:
                    continue
                for p in viewers:
                    changed += await uow.viewer_sessions.joined(
                        stream.event_id, p.sid, p.identity, p.joined_at or listed_at
                    )
                closed = await uow.viewer_sessions.close_open(
                    stream.event_id,
                    listed_at,
                    keep=frozenset(p.sid for p in viewers),
                    joined_before=listed_at,
                )
                await uow.commit()
            changed += closed
        return changed
