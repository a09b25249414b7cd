"""What streaming needs from outside: a media server, a way to tell where a viewer is, and
storage for streams and viewer sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import msgspec

from showgeo_domain.events.ports import EventsUnitOfWork
from showgeo_domain.follow.ports import FollowRepository
from showgeo_domain.orders.ports import TicketRepository, WebhookInbox
from showgeo_domain.streaming.model import (
    IngressReport,
    Location,
    RecordingReport,
    Stream,
    StreamIngress,
    StreamRecording,
    ViewerSession,
)
from showgeo_domain.streaming.policy import StreamRole


class Participant(msgspec.Struct, frozen=True):
    """Someone in a room, as the media server reports them. Publishers (hosts, ingress)
    are not viewers and are left out of viewer metrics."""

    sid: str
    identity: str
    joined_at: datetime | None = None
    is_publisher: bool = False


class TokenRequest(msgspec.Struct, frozen=True, kw_only=True):
    room: str
    identity: str
    name: str
    role: StreamRole
    ttl: timedelta


class Ingress(msgspec.Struct, frozen=True):
    """Where a host's encoder (OBS) sends the stream: URL plus secret stream key."""

    ingress_id: str
    url: str
    stream_key: str


class IngressProtocol(StrEnum):
    RTMP = "RTMP"
    WHIP = "WHIP"


class StreamNoticeKind(StrEnum):
    ROOM_STARTED = "room_started"
    ROOM_FINISHED = "room_finished"
    PARTICIPANT_JOINED = "participant_joined"
    PARTICIPANT_LEFT = "participant_left"
    INGRESS_STARTED = "ingress_started"
    INGRESS_ENDED = "ingress_ended"
    EGRESS_STARTED = "egress_started"
    EGRESS_UPDATED = "egress_updated"
    EGRESS_ENDED = "egress_ended"
    IGNORED = "ignored"


class StreamNotice(msgspec.Struct, frozen=True, kw_only=True):
    """A verified media-server webhook, whatever its wire format."""

    event_ref: str
    """The media server's id of this delivery: the de-duplication key of the inbox."""
    kind: StreamNoticeKind
    room: str | None
    at: datetime
    participant: Participant | None = None
    recording: RecordingReport | None = None
    """On egress notices: the recording's state."""
    ingress: IngressReport | None = None
    """On ingress notices: the encoder's state."""


class MediaServer(Protocol):
    name: str
    """The webhook inbox's provider name (e.g. `livekit`)."""
    url: str
    """Where clients connect with their token (e.g. `wss://live.example.com`)."""

    def issue_token(self, request: TokenRequest) -> str:
        """A signed access token: local crypto, no I/O."""
        ...

    def verify_webhook(self, body: bytes, authorization: str | None) -> StreamNotice:
        """Check the signature first; raises InvalidWebhookSignature. Pure: no I/O."""
        ...

    async def create_room(self, room: str) -> None:
        """Idempotent: an existing room is left as it is."""
        ...

    async def list_participants(self, room: str) -> list[Participant] | None:
        """None when room calls are not made (no media server configured)."""
        ...

    async def remove_participant(self, room: str, identity: str) -> None:
        """Someone not in the room is not an error."""
        ...

    async def delete_room(self, room: str) -> None:
        """A room that does not exist is not an error."""
        ...

    async def create_ingress(
        self, room: str, identity: str, name: str, protocol: IngressProtocol
    ) -> Ingress: ...

    @property
    def records(self) -> bool:
        """Whether rooms are recorded (a storage for recordings is configured)."""
        ...

    async def start_recording(self, room: str, filepath: str) -> RecordingReport | None:
        """Record the room (all of it, composed) to `filepath` in the configured storage.
        None when recording is not configured."""
        ...

    async def stop_recording(self, egress_id: str) -> RecordingReport | None:
        """Stop a recording; the file is finished and uploaded after this (its location
        comes with the `egress_ended` webhook). None when it had already ended or is
        unknown."""
        ...


class ClientAddress(msgspec.Struct, frozen=True):
    """What a request says about where it came from: the peer address and its headers
    (lower-case names). Only a locator knows which of those to trust."""

    peer: str | None
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)


class GeoLocator(Protocol):
    def locate(self, client: ClientAddress) -> Location:
        """Best effort: parts it cannot tell are None. Never raises for bad input."""
        ...


class StreamRepository(Protocol):
    async def get(self, event_id: UUID, *, for_update: bool = False) -> Stream | None:
        """`for_update` serialises everything that counts this stream's viewers."""
        ...

    async def add(self, stream: Stream) -> None: ...

    async def update(self, stream: Stream) -> None: ...

    async def live(self) -> list[Stream]:
        """Streams whose event is LIVE now (what the reconciler looks at)."""
        ...

    async def holds_valid_ticket(self, user_id: UUID, event_id: UUID) -> bool:
        """Whether the user holds a ticket of the event that was not voided (refunded or
        cancelled): the question TICKET_HOLDERS streams ask on every join."""
        ...

    async def get_recording(
        self, egress_id: str, *, for_update: bool = False
    ) -> StreamRecording | None: ...

    async def add_recording(self, recording: StreamRecording) -> bool:
        """False (and nothing written) when a recording with that egress id exists: a
        webhook and the call's answer may race to record it first."""
        ...

    async def update_recording(self, recording: StreamRecording) -> None: ...

    async def recordings(self, event_id: UUID) -> list[StreamRecording]:
        """Oldest first."""
        ...

    async def get_ingress(
        self, ingress_id: str, *, for_update: bool = False
    ) -> StreamIngress | None: ...

    async def add_ingress(self, ingress: StreamIngress) -> bool:
        """False (and nothing written) when an ingress with that id exists."""
        ...

    async def update_ingress(self, ingress: StreamIngress) -> None: ...

    async def ingresses(self, event_id: UUID) -> list[StreamIngress]:
        """Oldest first."""
        ...


class ViewerSessionRepository(Protocol):
    """Sessions keyed (event, participant sid); every method is idempotent so a repeated or
    late webhook changes nothing it should not."""

    async def joined(self, event_id: UUID, sid: str, identity: str, at: datetime) -> bool:
        """Record the join time unless one is known (the first report wins). True when
        something changed."""
        ...

    async def left(self, event_id: UUID, sid: str, identity: str, at: datetime) -> bool:
        """Record the leave time unless one is known; may come before the join. True when
        something changed."""
        ...

    async def close_open(
        self,
        event_id: UUID,
        at: datetime,
        *,
        keep: frozenset[str],
        joined_before: datetime | None = None,
    ) -> int:
        """End every open session of the event, except those in `keep` and those that
        joined after `joined_before` (when given), at `at`. Used when the room ends, or the
        media server no longer lists them. Returns how many were closed."""
        ...

    async def sessions(self, event_id: UUID) -> list[ViewerSession]: ...


class StreamingUnitOfWork(EventsUnitOfWork, Protocol):
    """What the streaming use cases and consumers need: streams and viewer sessions, over the
    events they show, the tickets and follows that admit viewers, and the media server's
    webhook deliveries."""

    streams: StreamRepository
    viewer_sessions: ViewerSessionRepository
    follows: FollowRepository
    tickets: TicketRepository
    webhook_inbox: WebhookInbox
