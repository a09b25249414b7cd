"""The stream of an event: who may watch it (access level), from where (geofence), and the
viewer sessions its metrics are counted from.

One event has at most one stream, in one media-server room named after the event, so a
webhook about a room leads back to its event without a lookup table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from showgeo_domain.events.geo import MAX_RADIUS_KM, GeoPoint, distance_km
from showgeo_domain.shared.domain_events import DomainEvent, RecordsEvents
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.streaming.domain_events import StreamConfigured

ROOM_PREFIX = "showgeo-event-"
MAX_GEOFENCE_RULES = 250
_COUNTRY = re.compile(r"[A-Z]{2}")


class AccessLevel(StrEnum):
    PUBLIC = "PUBLIC"
    """Anyone, signed in or not."""
    AUTHENTICATED = "AUTHENTICATED"
    """Any signed-in user."""
    FOLLOWERS = "FOLLOWERS"
    """Followers of the event's entity."""
    TICKET_HOLDERS = "TICKET_HOLDERS"
    """Holders of a valid (not refunded) ticket of the event."""
    PRIVATE = "PRIVATE"
    """Members of the event's entity only."""


def room_of(event_id: UUID) -> str:
    return f"{ROOM_PREFIX}{event_id}"


def recording_path(event_id: UUID, at: datetime) -> str:
    """Where a recording of the event started at `at` is written, under the storage's
    prefix: one folder per event, one file per recording."""
    return f"{event_id}/{at.strftime('%Y%m%dT%H%M%SZ')}.mp4"


def event_of_room(room: str) -> UUID | None:
    """The event a room belongs to; None for rooms this platform did not name."""
    if not room.startswith(ROOM_PREFIX):
        return None
    try:
        return UUID(room.removeprefix(ROOM_PREFIX))
    except ValueError:
        return None


class Circle(msgspec.Struct, frozen=True):
    lat: float
    lon: float
    radius_km: float

    def __post_init__(self) -> None:
        GeoPoint(self.lat, self.lon)
        if not (isinstance(self.radius_km, int | float) and 0 < self.radius_km <= MAX_RADIUS_KM):
            raise InvalidInput(
                f"radius_km must be greater than 0 and at most {MAX_RADIUS_KM:g}",
                field="radius_km",
            )

    def contains(self, point: GeoPoint) -> bool:
        return distance_km(GeoPoint(self.lat, self.lon), point) <= self.radius_km


class Location(msgspec.Struct, frozen=True):
    """Where a viewer is, as far as the `GeoLocator` could tell: either part may be unknown."""

    country: str | None = None
    point: GeoPoint | None = None

    @property
    def is_unknown(self) -> bool:
        return self.country is None and self.point is None


UNKNOWN_LOCATION = Location()


class Placement(StrEnum):
    INSIDE = "INSIDE"
    OUTSIDE = "OUTSIDE"
    UNKNOWN = "UNKNOWN"
    """The rules that decide need a part of the location the locator could not tell."""


def _match(known: bool, hit: bool) -> bool | None:
    return hit if known else None


class Geofence(msgspec.Struct, frozen=True, kw_only=True):
    """Where a stream may be watched from.

    A denial wins: a viewer in a denied country or a denied circle is outside. When there are
    allow rules (countries or circles), a viewer must match one of them. No rules at all: the
    stream is not geofenced. A rule that needs a part of the location nobody could tell
    (a country rule without a country, a circle without coordinates) makes the answer
    UNKNOWN unless another rule already decided it."""

    allowed_countries: frozenset[str] = frozenset()
    denied_countries: frozenset[str] = frozenset()
    allowed_circles: tuple[Circle, ...] = ()
    denied_circles: tuple[Circle, ...] = ()

    def __post_init__(self) -> None:
        for name in ("allowed_countries", "denied_countries"):
            for code in getattr(self, name):
                if not _COUNTRY.fullmatch(code):
                    raise InvalidInput(
                        f"{code!r} is not an ISO 3166-1 alpha-2 code such as 'PT'", field=name
                    )
        rules = (
            len(self.allowed_countries)
            + len(self.denied_countries)
            + len(self.allowed_circles)
            + len(self.denied_circles)
        )
        if rules > MAX_GEOFENCE_RULES:
            raise InvalidInput(
                f"a geofence holds at most {MAX_GEOFENCE_RULES} rules", field="geofence"
            )

    @property
    def is_active(self) -> bool:
        return bool(
            self.allowed_countries
            or self.denied_countries
            or self.allowed_circles
            or self.denied_circles
        )

    def place(self, where: Location) -> Placement:
        country, point = where.country, where.point
        denials: list[bool | None] = []
        if self.denied_countries:
            denials.append(_match(country is not None, country in self.denied_countries))
        if self.denied_circles:
            denials.append(
                _match(
                    point is not None,
                    point is not None and any(c.contains(point) for c in self.denied_circles),
                )
            )
        if True in denials:
            return Placement.OUTSIDE
        allows: list[bool | None] = []
        if self.allowed_countries:
            allows.append(_match(country is not None, country in self.allowed_countries))
        if self.allowed_circles:
            allows.append(
                _match(
                    point is not None,
                    point is not None and any(c.contains(point) for c in self.allowed_circles),
                )
            )
        if allows and True not in allows:
            return Placement.UNKNOWN if None in allows else Placement.OUTSIDE
        return Placement.UNKNOWN if None in denials else Placement.INSIDE


NO_GEOFENCE = Geofence()


@dataclass(eq=False)
class Stream(RecordsEvents):
    """The stream of one event (its id is the event's id)."""

    event_id: UUID
    entity_id: UUID
    access_level: AccessLevel
    geofence: Geofence
    created_at: datetime
    updated_at: datetime
    pending_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @property
    def room(self) -> str:
        return room_of(self.event_id)

    @classmethod
    def configure(
        cls,
        *,
        event_id: UUID,
        entity_id: UUID,
        access_level: AccessLevel,
        geofence: Geofence,
        now: datetime,
    ) -> Stream:
        stream = cls(event_id, entity_id, access_level, geofence, now, now)
        stream._configured(now)
        return stream

    def change(self, *, access_level: AccessLevel, geofence: Geofence, now: datetime) -> None:
        self.access_level, self.geofence, self.updated_at = access_level, geofence, now
        self._configured(now)

    def _configured(self, now: datetime) -> None:
        self.record(
            StreamConfigured(
                occurred_at=now,
                event_id=self.event_id,
                entity_id=self.entity_id,
                access_level=self.access_level.value,
                geofenced=self.geofence.is_active,
            )
        )


@dataclass(slots=True)
class ViewerSession:
    """One participant's stay in a room, keyed by (event, participant sid): LiveKit gives a
    fresh sid to every connection, so a sid is joined and left at most once. Webhooks may
    arrive twice or out of order, so either end may be learned first."""

    event_id: UUID
    participant_sid: str
    identity: str
    joined_at: datetime | None = None
    left_at: datetime | None = None

    @property
    def is_watching(self) -> bool:
        return self.joined_at is not None and self.left_at is None

    def watched_seconds(self, now: datetime) -> float:
        if self.joined_at is None:
            return 0.0
        end = self.left_at or now
        return max(0.0, (end - self.joined_at).total_seconds())


class StreamMetrics(msgspec.Struct, frozen=True):
    current_viewers: int
    peak_viewers: int
    unique_viewers: int
    watch_seconds: int


def peak_of(sessions: list[ViewerSession], now: datetime) -> int:
    """The most stays that overlapped at any instant, from their recorded times (a sweep
    over joins and leaves, a leave first at equal times). Computed from the times, not from
    the order reports arrived in, so a late or reordered webhook cannot skew it."""
    moments: list[tuple[datetime, int]] = []
    for s in sessions:
        if s.joined_at is None:
            continue
        moments.append((s.joined_at, 1))
        moments.append((max(s.left_at or now, s.joined_at), -1))
    peak = watching = 0
    for _, step in sorted(moments):
        watching += step
        peak = max(peak, watching)
    return peak


def metrics_of(sessions: list[ViewerSession], now: datetime) -> StreamMetrics:
    """The one formula every adapter's sessions go through: current = stays joined and not
    left; peak = the most overlapping stays (`peak_of`); unique = distinct identities ever
    joined; watch seconds = closed stays plus open ones up to now."""
    return StreamMetrics(
        current_viewers=sum(1 for s in sessions if s.is_watching),
        peak_viewers=peak_of(sessions, now),
        unique_viewers=len({s.identity for s in sessions if s.joined_at is not None}),
        watch_seconds=int(sum(s.watched_seconds(now) for s in sessions)),
    )


class RecordingStatus(StrEnum):
    """Where a recording (a LiveKit egress) is in its life."""

    STARTING = "STARTING"
    ACTIVE = "ACTIVE"
    ENDING = "ENDING"
    COMPLETE = "COMPLETE"
    """The file is written; `location` says where."""
    FAILED = "FAILED"


_RECORDING_STAGE = {
    RecordingStatus.STARTING: 0,
    RecordingStatus.ACTIVE: 1,
    RecordingStatus.ENDING: 2,
    RecordingStatus.COMPLETE: 3,
    RecordingStatus.FAILED: 3,
}


class RecordingReport(msgspec.Struct, frozen=True, kw_only=True):
    """What the media server says about a recording, from a call's answer or a webhook."""

    egress_id: str
    room: str | None
    status: RecordingStatus
    location: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: float | None = None
    size_bytes: int | None = None


@dataclass(slots=True)
class StreamRecording:
    """One recording of an event's room, to a file in object storage.

    Reports may arrive twice or out of order (a late `egress_started` after `egress_ended`),
    so a report never moves a recording back to an earlier stage, and what is known (the
    file's location, its size) is never forgotten by a report that does not say it."""

    egress_id: str
    event_id: UUID
    status: RecordingStatus
    created_at: datetime
    updated_at: datetime
    location: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: float | None = None
    size_bytes: int | None = None

    @property
    def is_running(self) -> bool:
        return _RECORDING_STAGE[self.status] < _RECORDING_STAGE[RecordingStatus.COMPLETE]

    @classmethod
    def start(cls, event_id: UUID, report: RecordingReport, now: datetime) -> StreamRecording:
        recording = cls(report.egress_id, event_id, report.status, now, now)
        recording.learn(report, now)
        return recording

    def learn(self, report: RecordingReport, now: datetime) -> bool:
        """Apply a report; True when anything changed."""
        before = (
            self.status,
            self.location,
            self.error,
            self.started_at,
            self.ended_at,
            self.duration_seconds,
            self.size_bytes,
        )
        if self.is_running and _RECORDING_STAGE[report.status] >= _RECORDING_STAGE[self.status]:
            self.status = report.status  # an ended recording stays as it ended
        self.location = report.location or self.location
        self.error = report.error or self.error
        self.started_at = report.started_at or self.started_at
        self.ended_at = report.ended_at or self.ended_at
        self.duration_seconds = report.duration_seconds or self.duration_seconds
        self.size_bytes = report.size_bytes or self.size_bytes
        after = (
            self.status,
            self.location,
            self.error,
            self.started_at,
            self.ended_at,
            self.duration_seconds,
            self.size_bytes,
        )
        if after != before:
            self.updated_at = now
            return True
        return False


class IngressStatus(StrEnum):
    """Whether a host's encoder is sending into an ingress."""

    INACTIVE = "INACTIVE"
    """Created; nothing is being sent (or the encoder stopped and may come back)."""
    BUFFERING = "BUFFERING"
    PUBLISHING = "PUBLISHING"
    """The encoder is connected and its stream is in the room."""
    ERROR = "ERROR"
    COMPLETE = "COMPLETE"


_STARTED = frozenset({IngressStatus.BUFFERING, IngressStatus.PUBLISHING})


class IngressReport(msgspec.Struct, frozen=True, kw_only=True):
    ingress_id: str
    room: str | None
    status: IngressStatus
    protocol: str | None = None
    name: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(slots=True)
class StreamIngress:
    """An RTMP/WHIP ingress made for an event's room (its stream key is never stored).

    An encoder may stop and start again on the same ingress, so its state follows the most
    recent report by the media server's time: a report older than the last one applied (a
    late or replayed webhook) changes nothing."""

    ingress_id: str
    event_id: UUID
    protocol: str
    name: str
    status: IngressStatus
    created_at: datetime
    updated_at: datetime
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    reported_at: datetime | None = None

    @property
    def is_publishing(self) -> bool:
        return self.status is IngressStatus.PUBLISHING

    def learn(self, report: IngressReport, at: datetime, now: datetime) -> bool:
        """Apply a report made at `at`; True when it was newer than the last one."""
        if self.reported_at is not None and (
            at < self.reported_at
            # within the same instant (webhook times are whole seconds) an end wins
            or (
                at == self.reported_at and report.status in _STARTED and self.status not in _STARTED
            )
        ):
            return False
        self.status = report.status
        self.error = report.error
        self.started_at = report.started_at or self.started_at
        if report.status is IngressStatus.PUBLISHING:
            self.ended_at = None
        else:
            self.ended_at = report.ended_at or self.ended_at
        self.reported_at = at
        self.updated_at = now
        return True
