"""Streaming: set up an event's stream, get a token to join it (or a 403 saying why not),
read its viewer figures, open an ingress for an encoder; LiveKit's webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from showgeo_api.http.client_address import client_address
from showgeo_api.routes.webhooks import ReceivedOut
from showgeo_domain.events.geo import MAX_RADIUS_KM
from showgeo_domain.identity.model import Actor
from showgeo_domain.streaming.model import (
    MAX_GEOFENCE_RULES,
    AccessLevel,
    Circle,
    Geofence,
    IngressStatus,
    RecordingStatus,
    Stream,
    StreamIngress,
    StreamMetrics,
    StreamRecording,
)
from showgeo_domain.streaming.ports import IngressProtocol
from showgeo_domain.streaming.services import Streaming, StreamWebhooks

Country = Annotated[str, Meta(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Countries = Annotated[list[Country], Meta(max_length=MAX_GEOFENCE_RULES)]


class CircleIn(msgspec.Struct):
    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    radius_km: Annotated[float, Meta(gt=0, le=MAX_RADIUS_KM)]


Circles = Annotated[list[CircleIn], Meta(max_length=MAX_GEOFENCE_RULES)]


class GeofenceIn(msgspec.Struct, forbid_unknown_fields=True):
    """A denial wins; with allow rules a viewer must match one; no rules: anywhere."""

    allowed_countries: Countries = msgspec.field(default_factory=list)
    denied_countries: Countries = msgspec.field(default_factory=list)
    allowed_circles: Circles = msgspec.field(default_factory=list)
    denied_circles: Circles = msgspec.field(default_factory=list)

    def to_geofence(self) -> Geofence:
        return Geofence(
            allowed_countries=frozenset(self.allowed_countries),
            denied_countries=frozenset(self.denied_countries),
            allowed_circles=tuple(Circle(c.lat, c.lon, c.radius_km) for c in self.allowed_circles),
            denied_circles=tuple(Circle(c.lat, c.lon, c.radius_km) for c in self.denied_circles),
        )


class StreamIn(msgspec.Struct, forbid_unknown_fields=True):
    access_level: AccessLevel
    geofence: GeofenceIn | None = None


class GeofenceOut(msgspec.Struct):
    allowed_countries: list[str]
    denied_countries: list[str]
    allowed_circles: list[CircleIn]
    denied_circles: list[CircleIn]


def _circle(circle: Circle) -> CircleIn:
    return CircleIn(circle.lat, circle.lon, circle.radius_km)


class StreamOut(msgspec.Struct):
    event_id: UUID
    room: str
    access_level: AccessLevel
    geofence: GeofenceOut
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, stream: Stream) -> StreamOut:
        fence = stream.geofence
        return cls(
            event_id=stream.event_id,
            room=stream.room,
            access_level=stream.access_level,
            geofence=GeofenceOut(
                allowed_countries=sorted(fence.allowed_countries),
                denied_countries=sorted(fence.denied_countries),
                allowed_circles=[_circle(c) for c in fence.allowed_circles],
                denied_circles=[_circle(c) for c in fence.denied_circles],
            ),
            created_at=stream.created_at,
            updated_at=stream.updated_at,
        )


class StreamTokenOut(msgspec.Struct):
    url: str
    room: str
    token: str
    role: str
    identity: str
    expires_at: datetime


class StreamMetricsOut(msgspec.Struct):
    current_viewers: int
    peak_viewers: int
    unique_viewers: int
    watch_seconds: int

    @classmethod
    def of(cls, metrics: StreamMetrics) -> StreamMetricsOut:
        return cls(**msgspec.structs.asdict(metrics))


class IngressIn(msgspec.Struct, forbid_unknown_fields=True):
    protocol: IngressProtocol = IngressProtocol.RTMP


class IngressOut(msgspec.Struct):
    ingress_id: str
    url: str
    stream_key: str


class RecordingOut(msgspec.Struct):
    egress_id: str
    status: RecordingStatus
    location: str | None
    """Where the file is (e.g. `s3://bucket/recordings/<event>/<time>.mp4`), once written."""
    error: str | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: float | None
    size_bytes: int | None

    @classmethod
    def of(cls, r: StreamRecording) -> RecordingOut:
        return cls(
            r.egress_id,
            r.status,
            r.location,
            r.error,
            r.started_at,
            r.ended_at,
            r.duration_seconds,
            r.size_bytes,
        )


class IngressStateOut(msgspec.Struct):
    ingress_id: str
    protocol: str
    name: str
    status: IngressStatus
    """PUBLISHING while an encoder is sending into the room."""
    error: str | None
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, i: StreamIngress) -> IngressStateOut:
        return cls(
            i.ingress_id,
            i.protocol,
            i.name,
            i.status,
            i.error,
            i.started_at,
            i.ended_at,
            i.created_at,
        )


class StreamController(Controller):
    path = "/events/{event_id:uuid}/stream"
    tags = ["streaming"]

    @put("/", security=[{"BearerToken": []}])
    async def configure(
        self,
        event_id: FromPath[UUID],
        data: JSONBody[StreamIn],
        actor: NamedDependency[Actor],
        streaming: NamedDependency[Streaming],
    ) -> StreamOut:
        """Set up or change the stream (owners, admins, collaborators of the entity). A
        geofence of `null` or with no rules means anywhere."""
        fence = data.geofence.to_geofence() if data.geofence else Geofence()
        return StreamOut.of(await streaming.configure(actor, event_id, data.access_level, fence))

    @get("/")
    async def read(
        self, event_id: FromPath[UUID], streaming: NamedDependency[Streaming]
    ) -> StreamOut:
        return StreamOut.of(await streaming.get(event_id))

    @post("/token", status_code=200)
    async def token(
        self,
        request: Request,  # type: ignore[type-arg]
        event_id: FromPath[UUID],
        viewer: NamedDependency[Actor | None],
        streaming: NamedDependency[Streaming],
    ) -> StreamTokenOut:
        """A LiveKit token for the caller: hosts publish, viewers subscribe and chat.
        Anonymous callers get a generated identity (PUBLIC streams only). A refusal is 403
        `stream_access_refused` with `reason`: `login_required`, `not_following`,
        `no_ticket`, `members_only`, `outside_region` or `not_live`."""
        granted = await streaming.join(viewer, event_id, client_address(request))
        return StreamTokenOut(
            url=granted.url,
            room=granted.room,
            token=granted.token,
            role=granted.role.value,
            identity=granted.identity,
            expires_at=granted.expires_at,
        )

    @get("/metrics", security=[{"BearerToken": []}])
    async def metrics(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        streaming: NamedDependency[Streaming],
    ) -> StreamMetricsOut:
        """Viewers now, at the peak, distinct viewers, and total seconds watched (hosts
        excluded), for the entity's team and platform admins."""
        return StreamMetricsOut.of(await streaming.metrics(actor, event_id))

    @post("/ingress", status_code=201, security=[{"BearerToken": []}])
    async def ingress(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        streaming: NamedDependency[Streaming],
        data: JSONBody[IngressIn | None] = None,
    ) -> IngressOut:
        """An RTMP (default) or WHIP endpoint and stream key for a host's encoder (OBS).
        Needs a LiveKit server: 502 `media_server_error` without one."""
        protocol = data.protocol if data else IngressProtocol.RTMP
        made = await streaming.create_ingress(actor, event_id, protocol)
        return IngressOut(made.ingress_id, made.url, made.stream_key)

    @get("/ingress", security=[{"BearerToken": []}])
    async def ingresses(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        streaming: NamedDependency[Streaming],
    ) -> list[IngressStateOut]:
        """The event's ingresses, oldest first, and whether an encoder is sending into each
        (from LiveKit's ingress webhooks), for its hosts. Stream keys are not shown again."""
        return [IngressStateOut.of(i) for i in await streaming.ingresses(actor, event_id)]

    @get("/recordings", security=[{"BearerToken": []}])
    async def recordings(
        self,
        event_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        streaming: NamedDependency[Streaming],
    ) -> list[RecordingOut]:
        """The event's recordings, oldest first, for its hosts: started when the event goes
        LIVE (with LIVEKIT_EGRESS_S3_BUCKET set), stopped after it; `location` once the file
        is written."""
        return [RecordingOut.of(r) for r in await streaming.recordings(actor, event_id)]


class LiveKitWebhookController(Controller):
    path = "/webhooks/livekit"
    tags = ["webhooks"]

    # LiveKit's `Authorization` header holds its own signed JWT, not one of our access
    # tokens: the bearer middleware must not read it.
    @post("/", status_code=200, opt={"exclude_from_auth": True})
    async def receive(
        self,
        request: Request,  # type: ignore[type-arg]
        stream_webhooks: NamedDependency[StreamWebhooks],
    ) -> ReceivedOut:
        """LiveKit's room and participant events, signed with a JWT in `Authorization`
        (checked with the API secret, and the body's SHA-256). A bad signature is 401
        `invalid_webhook_signature` and records nothing; a replay answers 200 and changes
        nothing."""
        body = await request.body()
        await stream_webhooks.receive(body, request.headers.get("authorization"))
        return ReceivedOut(received=True)
